  // The overview: every campaign, top GMV, hourly traffic, campaign efficiency — one answer for
  // all four, kept live by the global stream.
  function overviewPage() {
    var q = periodQuery();
    app.innerHTML = badged(heading(t("overview"))) + '<div class="sub"></div>' + toolbar() + '<div id="kp"><div class="loading">' + t("loading") + "</div></div>" + '<div id="bdslot"></div>' +
      '<div class="row"><div class="card panel" id="tp"><h2>' + t("top") + '</h2><canvas id="top"></canvas></div><div class="card panel" id="tr"><h2>' + t("traffic") + '</h2><canvas id="traffic"></canvas></div></div>' +
      '<div class="card" id="ef"><h2>' + t("efficiency") + '</h2><div class="tablewrap"><table id="eff"></table></div></div>';
    bindToolbar(overviewPage);
    splitSlot("bdslot", overviewPage, null, true);
    app.appendChild(askBox("global"));
    var b = board({
      together: true,
      path: function () { return "/api/v1/dashboard/overview?" + q + breakdownQuery(); },
      csv: function (name) { return "/api/v1/dashboard/overview?" + q + breakdownQuery() + "&format=csv&part=" + name; },
      answer: function (d) { app.querySelector(".sub").textContent = localRange(d.startDate, d.endDate); showRange(d); },
      widgets: [
        { name: "totals", cards: ["kp"], draw: function (o) { document.getElementById("kp").innerHTML = kpis(o); } },
        { name: "topCampaignsByGmv", cards: ["tp"], draw: function (rows) {
          chart("top", document.getElementById("top"), { type: "bar", data: { labels: rows.map(function (r) { return r.campaignName; }), datasets: [{ label: t("gmv"), data: rows.map(function (r) { return r.gmv; }), backgroundColor: "#f76707" }] }, options: { indexAxis: "y" } });
        } },
        { name: "hourlyTraffic", cards: ["tr"], draw: function (rows) {
          chart("traffic", document.getElementById("traffic"), { type: "line", data: lineData(rows, t("visits"), "#3b5bdb"), options: { elements: { point: { radius: 0 } } } });
        } },
        { name: "efficiency", cards: ["ef"], draw: function (rows) {
          document.getElementById("eff").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("budget") + "</th><th>" + t("gmv") + "</th><th>ROAS</th><th>" + t("visits") + "</th><th>" + t("conv") + "</th></tr>" +
            rows.map(function (r) { return '<tr class="link" data-href="/admin/dashboard/campaign/' + r.campaignId + '"><td>' + esc(r.campaignName) + "</td><td>" + won(r.budget) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.roas) + "</td><td>" + num(r.totalVisits) + "</td><td>" + pct(r.conversionRate) + "</td></tr>"; }).join("");
          app.querySelectorAll("#eff tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
        } }
      ].concat(splitWidgets("bdslot", overviewPage, true))
    });
    live("/api/v1/dashboard/stream/overview?" + q, b.push);
  }
