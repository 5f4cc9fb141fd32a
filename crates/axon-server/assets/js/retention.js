  // The retention matrix of the cohort page (GET …/cohort/activity/{id}/retention): the
  // activity's first-time buyers in weekly or monthly cohorts (?granularity=week|month) × the
  // periods since, the % who bought again, each cell shaded by its value (on a square-root scale,
  // so the few percent that usually come back still show apart from zero) and legible on it.
  function retentionCard() {
    var box = el('<div class="card" id="retention-card"><h2>' + esc(t("retention")) + '</h2><div class="controls" role="group"></div><div id="retention-body"><div class="loading">' + t("loading") + "</div></div></div>");
    var g = params.get("granularity") == "week" ? "week" : "month";
    ["week", "month"].forEach(function (x) {
      var b = el('<button class="ghost' + (x == g ? " on" : "") + '" type="button" aria-pressed="' + (x == g) + '" data-granularity="' + x + '">' + esc(t(x == "week" ? "weekly" : "monthlyG")) + "</button>");
      b.onclick = function () {
        setParam("granularity", x == "month" ? null : x);
        box.replaceWith(retentionCard());
      };
      box.querySelector(".controls").appendChild(b);
    });
    api("/api/v1/dashboard/cohort/activity/" + id + "/retention?granularity=" + g).then(function (m) {
      var body = box.querySelector("#retention-body"), periods = Math.max.apply(null, [1].concat(m.cohorts.map(function (c) { return c.retention.length; })));
      var p = g == "week" ? "W" : "M";
      var head = "<tr><th>" + esc(t("cohortCol")) + "</th><th>" + esc(t("customers")) + "</th>" + Array.from({ length: periods }, function (_, k) { return "<th>" + p + k + "</th>"; }).join("") + "</tr>";
      var rows = m.cohorts.map(function (c) {
        return '<tr data-cohort="' + esc(c.cohort) + '"><th>' + esc(c.cohort) + "</th><td>" + num(c.size) + "</td>" + Array.from({ length: periods }, function (_, k) {
          return k < c.retention.length ? '<td class="cell" style="' + heatStyle(Math.sqrt(c.retention[k] / 100)) + '" title="' + num(c.counts[k]) + " / " + num(c.size) + '">' + pct(c.retention[k]) + "</td>" : '<td class="empty"></td>';
        }).join("") + "</tr>";
      }).join("");
      body.innerHTML = m.cohorts.length ? '<div class="tablewrap"><table class="heat retention" id="retention">' + head + rows + '</table></div><div class="def">' + esc(def("retention")) + "</div>"
        : '<div class="def">' + esc(t("noData")) + "</div>";
    }).catch(function (e) { box.querySelector("#retention-body").innerHTML = '<div class="error">' + esc(e.message) + "</div>"; });
    return box;
  }
