  // The campaign dashboard: its activities compared, the weekday × hour heat map, the table.
  function campaignPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    Promise.all([api("/api/v1/dashboard/campaign/" + id + "?" + periodQuery() + breakdownQuery()), api("/api/v1/campaigns/" + id)]).then(function (got) {
      var d = got[0], camp = got[1];
      var rows = d.data.activities, h = d.data.heatmap;
      app.innerHTML = heading(camp.name, t("campaignTag") + " #" + id) + '<div class="sub">' + esc(localRange(d.startDate, d.endDate)) + "</div>" + toolbar() + kpis(d.data.overview) +
        '<div class="row"><div class="card panel"><h2>' + t("activities") + '</h2><canvas id="acts"></canvas></div></div>' +
        '<div class="card"><h2>' + t("heatmap") + '</h2><div class="tablewrap"><table class="heat" id="heat"></table></div></div>' +
        '<div class="card"><h2>' + t("table") + '</h2><div class="tablewrap"><table id="tbl"></table></div></div>';
      var c = chart("acts", document.getElementById("acts"), { type: "bar", data: { labels: rows.map(function (r) { return r.activityName; }), datasets: [
        { label: t("visits"), data: rows.map(function (r) { return r.totalVisits; }), backgroundColor: "#3b5bdb" },
        { label: t("participants"), data: rows.map(function (r) { return r.totalParticipants; }), backgroundColor: "#91a7ff" },
        { label: t("purchases"), data: rows.map(function (r) { return r.purchaseCount; }), backgroundColor: "#f76707" }] },
        options: { aspectRatio: 3, onClick: function (e, els) { if (els.length) location.href = "/admin/dashboard/" + rows[els[0].index].activityId; } } });
      var max = Math.max.apply(null, [1].concat([].concat.apply([], h.byWeekdayHour)));
      document.getElementById("heat").innerHTML = "<tr><th></th>" + Array.from({ length: 24 }, function (_, i) { return "<th>" + i + "</th>"; }).join("") + "</tr>" +
        h.byWeekdayHour.map(function (r, d) { return "<tr><th>" + esc(label("weekdays", h.weekdays[d])) + "</th>" + r.map(function (v) { return '<td style="' + heatStyle(v / max) + '">' + num(v) + "</td>"; }).join("") + "</tr>"; }).join("");
      document.getElementById("tbl").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("visits") + "</th><th>" + t("participants") + "</th><th>" + t("approved") + "</th><th>" + t("purchases") + "</th><th>" + t("gmv") + "</th><th>" + t("eng") + "</th><th>" + t("conv") + "</th><th>ROAS</th></tr>" +
        rows.map(function (r) { return '<tr class="link" data-href="/admin/dashboard/' + r.activityId + '"><td>' + esc(r.activityName) + "</td><td>" + num(r.totalVisits) + "</td><td>" + num(r.totalParticipants) + "</td><td>" + num(r.approvedCount) + "</td><td>" + num(r.purchaseCount) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.engagementRate) + "</td><td>" + pct(r.conversionRate) + "</td><td>" + pct(r.roas) + "</td></tr>"; }).join("");
      app.querySelectorAll("tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
      app.querySelector(".grid").after(breakdownCard(d.data.breakdown, true));
      bindBreakdown(campaignPage);
      bindToolbar(campaignPage, d);
      app.appendChild(askBox("campaign/" + id));
      return c;
    }).catch(fail);
  }

