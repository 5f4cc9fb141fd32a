  // The campaign dashboard: its activities compared, the weekday × hour heat map, the table;
  // each widget loads on its own and the campaign's stream keeps them live.
  function campaignPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    (SHARE ? shareContext() : api("/api/v1/campaigns/" + id)).then(campaignBoard).catch(fail);
  }
  function campaignBoard(camp) {
    var q = periodQuery();
    app.innerHTML = badged(heading(camp.name, t("campaignTag") + " #" + id)) + '<div class="sub"></div>' + toolbar() + (SHARE ? "" : rawEventsLink("/api/v1/dashboard/campaign/" + id + "/events?" + q)) + '<div id="kp"><div class="loading">' + t("loading") + "</div></div>" + '<div id="bdslot"></div>' +
      '<div class="row"><div class="card panel" id="ac"><h2>' + t("activities") + '</h2><canvas id="acts"></canvas></div></div>' +
      '<div class="row"><div class="card panel" id="tr"><h2>' + t("dailyVisits") + '</h2><canvas id="trend"></canvas></div></div>' +
      '<div class="card" id="hm"><h2>' + t("heatmap") + '</h2><div class="tablewrap"><table class="heat" id="heat"></table></div></div>' +
      '<div class="card" id="tb"><h2>' + t("table") + '</h2><div class="tablewrap"><table id="tbl"></table></div></div>';
    if (!SHARE) app.insertBefore(alertBanner("campaign", id), document.getElementById("kp"));
    bindToolbar(campaignPage);
    splitSlot("bdslot", campaignPage, null, true);
    if (!SHARE) app.appendChild(askBox("campaign/" + id));
    var b = board({
      // A chosen split is its own request (it reads the raw events; the stream does not).
      path: function (names) { return "/api/v1/dashboard/campaign/" + id + "?" + splitPath(names, "overview") + "&" + q; },
      answer: function (d) { app.querySelector(".sub").textContent = localRange(d.startDate, d.endDate); notesStrip(d); showRange(d); },
      csv: SHARE ? null : function (name) { return "/api/v1/dashboard/campaign/" + id + "?" + splitPath([name], "overview") + "&" + q + "&format=csv&part=" + name; },
      widgets: [
        { name: "overview", cards: ["kp"], draw: function (o) { document.getElementById("kp").innerHTML = kpis(o); } },
        { name: "activities", cards: ["ac", "tb"], draw: campaignActivities },
        { name: "trend", cards: ["tr"], draw: campaignTrend },
        { name: "heatmap", cards: ["hm"], draw: campaignHeatmap }
      ].concat(splitWidgets("bdslot", campaignPage, true))
    });
    live("/api/v1/dashboard/stream/campaign/" + id + "?widgets=overview,activities,heatmap,trend&" + q, b.push);
  }
  function campaignActivities(rows) {
    chart("acts", document.getElementById("acts"), { type: "bar", data: { labels: rows.map(function (r) { return r.activityName; }), datasets: [
      { label: t("visits"), data: rows.map(function (r) { return r.totalVisits; }), backgroundColor: "#3b5bdb" },
      { label: t("participants"), data: rows.map(function (r) { return r.totalParticipants; }), backgroundColor: "#91a7ff" },
      { label: t("purchases"), data: rows.map(function (r) { return r.purchaseCount; }), backgroundColor: "#f76707" }] },
      options: { aspectRatio: 3, onClick: function (e, els) { if (els.length && !SHARE) location.href = "/admin/dashboard/" + rows[els[0].index].activityId; } } });
    document.getElementById("tbl").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("visits") + "</th><th>" + t("participants") + "</th><th>" + t("approved") + "</th><th>" + t("purchases") + "</th><th>" + t("gmv") + "</th><th>" + t("eng") + "</th><th>" + t("conv") + "</th><th>ROAS</th></tr>" +
      rows.map(function (r) { return '<tr class="' + (SHARE ? "" : "link") + '" data-href="/admin/dashboard/' + r.activityId + '"><td>' + esc(r.activityName) + "</td><td>" + num(r.totalVisits) + "</td><td>" + num(r.totalParticipants) + "</td><td>" + num(r.approvedCount) + "</td><td>" + num(r.purchaseCount) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.engagementRate) + "</td><td>" + pct(r.conversionRate) + "</td><td>" + pct(r.roas) + "</td></tr>"; }).join("");
    app.querySelectorAll("#tbl tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
  }
  // Page views per business day of the window, with the notes' markers.
  function campaignTrend(tr, d) {
    var canvas = document.getElementById("trend"), days = tr.daily || [];
    chart("trend", canvas, withNotes({ type: "line", data: { labels: days.map(function (x) { return x.date.slice(5); }), datasets: [{ label: t("visits"), data: days.map(function (x) { return x.count; }), borderColor: "#3b5bdb", backgroundColor: "#3b5bdb" }] }, options: { aspectRatio: 4 } }, canvas, dayMarks(d && d.annotations, days.map(function (x) { return x.date; }))));
  }
  function campaignHeatmap(h) {
    var max = Math.max.apply(null, [1].concat([].concat.apply([], h.byWeekdayHour)));
    document.getElementById("heat").innerHTML = "<tr><th></th>" + Array.from({ length: 24 }, function (_, i) { return "<th>" + i + "</th>"; }).join("") + "</tr>" +
      h.byWeekdayHour.map(function (r, d) { return "<tr><th>" + esc(label("weekdays", h.weekdays[d])) + "</th>" + r.map(function (v) { return '<td style="' + heatStyle(v / max) + '">' + num(v) + "</td>"; }).join("") + "</tr>"; }).join("");
  }
