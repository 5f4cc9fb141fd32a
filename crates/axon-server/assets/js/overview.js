  // The overview: every campaign, top GMV, hourly traffic, campaign efficiency.
  function overviewPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    api("/api/v1/dashboard/overview?" + periodQuery() + breakdownQuery()).then(function (d) {
      var x = d.data;
      app.innerHTML = heading(t("overview")) + '<div class="sub">' + esc(localRange(d.startDate, d.endDate)) + "</div>" + toolbar() + kpis(x.totals) +
        '<div class="row"><div class="card panel"><h2>' + t("top") + '</h2><canvas id="top"></canvas></div><div class="card panel"><h2>' + t("traffic") + '</h2><canvas id="traffic"></canvas></div></div>' +
        '<div class="card"><h2>' + t("efficiency") + '</h2><div class="tablewrap"><table id="eff"></table></div></div>';
      chart("top", document.getElementById("top"), { type: "bar", data: { labels: x.topCampaignsByGmv.map(function (r) { return r.campaignName; }), datasets: [{ label: t("gmv"), data: x.topCampaignsByGmv.map(function (r) { return r.gmv; }), backgroundColor: "#f76707" }] }, options: { indexAxis: "y" } });
      chart("traffic", document.getElementById("traffic"), { type: "line", data: lineData(x.hourlyTraffic, t("visits"), "#3b5bdb"), options: { elements: { point: { radius: 0 } } } });
      document.getElementById("eff").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("budget") + "</th><th>" + t("gmv") + "</th><th>ROAS</th><th>" + t("visits") + "</th><th>" + t("conv") + "</th></tr>" +
        x.efficiency.map(function (r) { return '<tr class="link" data-href="/admin/dashboard/campaign/' + r.campaignId + '"><td>' + esc(r.campaignName) + "</td><td>" + won(r.budget) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.roas) + "</td><td>" + num(r.totalVisits) + "</td><td>" + pct(r.conversionRate) + "</td></tr>"; }).join("");
      app.querySelectorAll("tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
      app.querySelector(".grid").after(breakdownCard(x.breakdown, true));
      bindBreakdown(overviewPage);
      bindToolbar(overviewPage, d);
      app.appendChild(askBox("global"));
    }).catch(fail);
  }

