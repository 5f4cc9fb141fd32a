  // Drop-off lists (SPEC §5.2 `funnel/dropoff?step=`): the persons of the ordered funnel who
  // reached a step and not the next, a page at a time, and the whole list as a CSV or Parquet download
  // (`format=csv` or `format=parquet`, the same window and conversion window as the page).
  var DROP_SIZE = 10;
  function dropoffPath(step, extra) {
    return "/api/v1/dashboard/activity/" + id + "/funnel/dropoff?step=" + step + "&" + periodQuery() + windowQuery() + (extra || "");
  }
  function dropoffCard(d, f) {
    var steps = f.steps.slice(0, 3), box = el('<div class="card panel" id="dropoff-card"><h2>' + esc(t("dropoffList")) + '</h2><div class="controls" role="tablist"></div><div id="dropoff-body"></div></div>');
    var tabs = box.querySelector(".controls"), body = box.querySelector("#dropoff-body");
    steps.forEach(function (s, i) {
      var b = el('<button class="ghost" type="button" role="tab" data-dropstep="' + s.step + '">' + esc(t("dropTab").replace("{a}", stepName(s)).replace("{b}", stepName(f.steps[i + 1]))) + "</button>");
      b.onclick = function () { show(s.step, 0); };
      tabs.appendChild(b);
    });
    function show(step, page) {
      tabs.querySelectorAll("button").forEach(function (b) { var on = b.dataset.dropstep == step; b.classList.toggle("on", on); b.setAttribute("aria-selected", on); });
      body.innerHTML = '<div class="loading">' + t("loading") + "</div>";
      api(dropoffPath(step, "&page=" + page + "&size=" + DROP_SIZE)).then(function (r) {
        var next = f.steps.filter(function (s) { return s.step == r.nextStep; })[0];
        var cur = f.steps.filter(function (s) { return s.step == r.step; })[0];
        body.innerHTML = '<div class="sub" id="dropoff-total">' + esc(t("dropoffOf").replace("{a}", stepName(cur)).replace("{b}", stepName(next))) + " · <b>" + num(r.totalElements) + "</b> " + esc(t("persons")) +
          ' · <a id="dropoff-csv" download href="' + esc(dropoffPath(step, "&format=csv")) + '">' + esc(t("csv")) + "</a>" +
          ' · <a id="dropoff-parquet" download href="' + esc(dropoffPath(step, "&format=parquet")) + '">' + esc(t("parquetExport")) + "</a></div>" +
          '<div class="tablewrap"><table id="dropoff"><tr><th>' + esc(t("person")) + "</th><th>" + esc(t("userIdCol")) + "</th><th>" + esc(t("anonIdCol")) + "</th><th>" + esc(t("reachedAt")) + "</th></tr>" +
          (r.persons.length ? r.persons.map(function (p) { return "<tr><td>" + esc(p.personId) + "</td><td>" + esc(p.userId || "–") + "</td><td>" + esc(p.anonymousId || p.sessionId || "–") + "</td><td>" + esc(localMinute(p.reachedAt, true)) + "</td></tr>"; }).join("")
            : '<tr><td colspan="4">' + esc(t("noData")) + "</td></tr>") + "</table></div>";
        body.appendChild(pager(r.page, r.totalPages, function (p) { show(step, p); }));
      }).catch(function (e) { body.innerHTML = '<div class="error">' + esc(e.message) + "</div>"; });
    }
    show(steps[0].step, 0);
    return box;
  }
  // Previous / "page x of y" / next under a paged list (pages count from 0 in the API).
  function pager(page, pages, go) {
    var p = el('<div class="pager"><button class="ghost" type="button" data-page-prev>‹ ' + esc(t("prevPage")) + '</button><span data-page-of>' + esc(t("pageOf").replace("{x}", num(pages ? page + 1 : 0)).replace("{y}", num(pages))) + '</span><button class="ghost" type="button" data-page-next>' + esc(t("nextPage")) + " ›</button></div>");
    var prev = p.querySelector("[data-page-prev]"), next = p.querySelector("[data-page-next]");
    prev.disabled = page <= 0; next.disabled = page + 1 >= pages;
    prev.onclick = function () { go(page - 1); };
    next.onclick = function () { go(page + 1); };
    return p;
  }
