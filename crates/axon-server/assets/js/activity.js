  // An activity page opens on the activity's own run (start → end, or → now while it runs).
  var run = null, meta = {};
  function activityPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    if (!run) {
      activityMeta(id).then(function (a) {
        meta = a;
        var start = Date.parse(a.startDate), end = Math.max(start + 1, Math.min(Date.parse(a.endDate), Date.now()));
        run = [a.startDate, new Date(end).toISOString()];
        activityPage();
      }).catch(fail);
      return;
    }
    api("/api/v1/dashboard/activity/" + id + "?" + periodQuery() + funnelQuery()).then(function (d) {
      var o = d.data.overview, f = d.data.funnel, c = d.data.comparison, r = d.data.realtime;
      app.innerHTML = heading(meta.name, t("activityTag") + " #" + id) + '<div class="sub">' + esc(localRange(d.startDate, d.endDate)) + ' · <a href="/admin/dashboard/campaign/' + d.campaignId + '">' + esc(meta.campaignName || t("campaignTag") + " #" + d.campaignId) + '</a> · <a href="/admin/dashboard/cohort/' + id + '">' + t("cohort") + "</a></div>" + toolbar() + kpis(o) +
        '<div class="row"><div class="card panel"><h2>' + t("funnel") + '</h2><canvas id="funnel"></canvas><div class="def">' + esc(def("funnel")) + '</div></div>' +
        '<div class="card panel" id="rt"><h2><span class="live"></span>' + t("realtime") + '</h2><canvas id="gauge" height="160"></canvas><div class="grid" id="rtk"></div></div></div>' +
        '<div class="row"><div class="card panel"><h2>' + t("comparison") + '</h2><canvas id="cmp"></canvas><div id="sig" class="def"></div></div>' +
        '<div class="card panel"><h2>' + t("hourly") + '</h2><canvas id="inflow"></canvas></div></div>';
      var steps = f.steps;
      chart("funnel", document.getElementById("funnel"), { type: "bar", data: { labels: steps.map(function (s) { return label("steps", s.step); }),
        datasets: [{ label: t("events"), data: steps.map(function (s) { return s.value; }), backgroundColor: "#3b5bdb" }, { label: t("people"), data: steps.map(function (s) { return s.users; }), backgroundColor: "#91a7ff" }] },
        options: { plugins: { tooltip: { callbacks: { afterBody: function (it) { var s = steps[it[0].dataIndex]; return tf("stepRates", { rate: pct(s.rate), first: pct(s.rateFromFirst) }); } } } } } });
      var daily = c.daily || [];
      chart("cmp", document.getElementById("cmp"), { type: "bar", data: { labels: daily.map(function (x) { return x.date.slice(5); }), datasets: [
        { label: t("promotion"), data: daily.map(function (x) { return x.promotion; }), backgroundColor: "#f76707" },
        { label: t("normal"), data: daily.map(function (x) { return x.normal; }), backgroundColor: "#74c0fc" },
        { type: "line", label: t("baseline"), data: daily.map(function () { return c.baselineDaily; }), borderColor: "#495057", pointRadius: 0 }] } });
      var s = c.significance || {};
      document.getElementById("sig").textContent = t("uplift") + " " + pct(c.upliftPercent) + " (" + t("upliftBasis") + ") · " + (t("significant")[s.verdict] || s.verdict || "") + (s.pValue != null ? " (" + pText(s.pValue) + ")" : "");
      realtime(r);
      funnelExtras(d, activityPage);
      bindToolbar(activityPage, d);
      app.appendChild(askBox("activity/" + id));
      live("/api/v1/dashboard/stream/activity/" + id + "?widgets=realtime,overview&" + periodQuery(), function (u) { realtime(u.data.realtime); });
    }).catch(fail);
  }
  function realtime(r) {
    var k = document.getElementById("rtk"); if (!k) return;
    k.innerHTML = kpi(t("stock"), r.totalStock == null ? "∞" : num(r.remainingStock) + " / " + num(r.totalStock)) + kpi(t("entrants"), num(r.participants)) +
      kpi(t("active"), num(r.activeUsers)) + kpi(t("inflow"), num(r.inflowLastHour));
    var sold = r.totalStock == null ? 0 : r.totalStock - r.remainingStock;
    chart("gauge", document.getElementById("gauge"), { type: "doughnut", data: { labels: [t("stock"), t("taken")], datasets: [{ data: r.totalStock == null ? [1, 0] : [r.remainingStock, sold], backgroundColor: ["#40c057", "#e9ecef"] }] }, options: { animation: false, rotation: -90, circumference: 180, aspectRatio: 2.4 } });
    chart("inflow", document.getElementById("inflow"), { type: "bar", data: lineData(r.hourlyInflow, t("visits"), "#3b5bdb"), options: { animation: false } });
  }
