  // An activity page opens on the activity's own run (start → end, or → now while it runs).
  var run = null, meta = {};
  function activityPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    if (!run) {
      activityMeta(id).then(function (a) {
        meta = a;
        var start = Date.parse(a.startDate), now = Date.now(), end = Math.max(start + 1, Math.min(Date.parse(a.endDate), now));
        // While it runs the window ends "now" at every answer, so live pushes count new events.
        run = [a.startDate, new Date(end).toISOString(), start <= now && now < Date.parse(a.endDate)];
        activityPage();
      }).catch(fail);
      return;
    }
    var q = periodQuery(), shown = null;
    var sub = function (d) { return esc(localRange(d.startDate, d.endDate)) + (SHARE ? "" : (d.campaignId == null ? "" : ' · <a href="/admin/dashboard/campaign/' + d.campaignId + '">' + esc(meta.campaignName || t("campaignTag") + " #" + d.campaignId) + "</a>") + ' · <a href="/admin/dashboard/cohort/' + id + '">' + t("cohort") + "</a>"); };
    app.innerHTML = badged(heading(meta.name, t("activityTag") + " #" + id)) + '<div class="sub">' + sub(params.get("period") ? {} : { startDate: run[0], endDate: run[1] }) + "</div>" + toolbar() + (SHARE ? "" : rawEventsLink("/api/v1/dashboard/activity/" + id + "/events?" + q)) + '<div id="wa"></div>';
    var wa = document.getElementById("wa");
    if (!SHARE) app.insertBefore(alertBanner("activity", id), wa);
    // The dashboard's cards, or how to install the tracker while nothing was collected (the
    // first event turns it into the dashboard, live).
    function layout(full) {
      if (shown === full) return false;
      shown = full;
      wa.innerHTML = "";
      if (!full) { wa.appendChild(emptyState(id)); return true; }
      wa.innerHTML = '<div id="kp"><div class="loading">' + t("loading") + "</div></div>" +
        '<div class="row"><div class="card panel" id="fu"><h2>' + t("funnel") + '</h2><canvas id="funnel"></canvas><div class="def">' + esc(def("funnel")) + '</div></div>' +
        '<div class="card panel" id="rt"><h2><span class="live"></span>' + t("realtime") + '</h2><canvas id="gauge" height="160"></canvas><div class="grid" id="rtk"></div></div></div>' + '<div id="bdc"></div>' +
        '<div class="row"><div class="card panel" id="cm"><h2>' + t("comparison") + '</h2><canvas id="cmp"></canvas><div id="sig" class="def"></div></div>' +
        '<div class="card panel" id="hr"><h2>' + t("hourly") + '</h2><canvas id="inflow"></canvas></div></div>';
      return true;
    }
    layout(true);
    bindToolbar(activityPage);
    if (!SHARE) app.appendChild(askBox("activity/" + id));
    var b = board({
      // The funnel's request carries the conversion window; a chosen split is its own request
      // (it reads the raw events; the stream does not).
      path: function (names) { return "/api/v1/dashboard/activity/" + id + "?" + splitPath(names, "funnel") + "&" + q + (names.indexOf("funnel") >= 0 || names.indexOf("breakdown") >= 0 ? windowQuery() : ""); },
      answer: function (d) {
        app.querySelector(".sub").innerHTML = sub(d);
        notesStrip(d);
        showRange(d);
        var full = d.hasData !== false, was = shown;
        // Data arrived while the guide was shown: every widget loads (this answer may carry one).
        if (layout(full) && full && was === false) b.reload();
        return full;
      },
      csv: SHARE ? null : function (name) { return "/api/v1/dashboard/activity/" + id + "?" + splitPath([name], "funnel") + "&" + q + windowQuery() + "&format=csv&part=" + name; },
      widgets: [
        { name: "overview", cards: ["kp"], draw: function (o) { document.getElementById("kp").innerHTML = kpis(o); } },
        { name: "funnel", cards: ["fu"], draw: drawFunnel },
        { name: "comparison", cards: ["cm"], draw: drawComparison },
        { name: "realtime", cards: ["rt", "hr"], draw: realtime }
      ].concat(splitWidgets("bdc", activityPage, false))
    });
    live("/api/v1/dashboard/stream/activity/" + id + "?widgets=overview,funnel,comparison,realtime&" + q + windowQuery(), b.push);
  }
  function drawFunnel(f, d) {
    var steps = f.steps;
    chart("funnel", document.getElementById("funnel"), { type: "bar", data: { labels: steps.map(function (s) { return label("steps", s.step); }),
      datasets: [{ label: t("events"), data: steps.map(function (s) { return s.value; }), backgroundColor: "#3b5bdb" }, { label: t("people"), data: steps.map(function (s) { return s.users; }), backgroundColor: "#91a7ff" },
        { label: t("orderedUsers"), data: f.ordered.users.slice(), backgroundColor: "#f76707" }] },
      options: { plugins: { tooltip: { callbacks: { afterBody: function (it) { var s = steps[it[0].dataIndex]; return tf("stepRates", { rate: pct(s.rate), first: pct(s.rateFromFirst) }); } } } } } });
    funnelExtras(d, activityPage);
  }
  function drawComparison(c, d) {
    var daily = c.daily || [], canvas = document.getElementById("cmp");
    chart("cmp", canvas, withNotes({ type: "bar", data: { labels: daily.map(function (x) { return x.date.slice(5); }), datasets: [
      { label: t("promotion"), data: daily.map(function (x) { return x.promotion; }), backgroundColor: "#f76707" },
      { label: t("normal"), data: daily.map(function (x) { return x.normal; }), backgroundColor: "#74c0fc" },
      { type: "line", label: t("baseline"), data: daily.map(function () { return c.baselineDaily; }), borderColor: "#495057", pointRadius: 0 }] } }, canvas, dayMarks(d && d.annotations, daily.map(function (x) { return x.date; }))));
    var s = c.significance || {};
    document.getElementById("sig").textContent = t("uplift") + " " + pct(c.upliftPercent) + " (" + t("upliftBasis") + ") · " + (t("significant")[s.verdict] || s.verdict || "") + (s.pValue != null ? " (" + pText(s.pValue) + ")" : "");
  }
  function realtime(r, d) {
    var k = document.getElementById("rtk"); if (!k) return;
    k.innerHTML = kpi(t("stock"), r.totalStock == null ? "∞" : num(r.remainingStock) + " / " + num(r.totalStock)) + kpi(t("entrants"), num(r.participants)) +
      kpi(t("active"), num(r.activeUsers)) + kpi(t("inflow"), num(r.inflowLastHour));
    var sold = r.totalStock == null ? 0 : r.totalStock - r.remainingStock;
    chart("gauge", document.getElementById("gauge"), { type: "doughnut", data: { labels: [t("stock"), t("taken")], datasets: [{ data: r.totalStock == null ? [1, 0] : [r.remainingStock, sold], backgroundColor: ["#40c057", "#e9ecef"] }] }, options: { animation: false, rotation: -90, circumference: 180, aspectRatio: 2.4 } });
    var inflow = document.getElementById("inflow"), hours = (r.hourlyInflow || []).map(function (x) { return Date.parse(x.timestamp); });
    chart("inflow", inflow, withNotes({ type: "bar", data: lineData(r.hourlyInflow, t("visits"), "#3b5bdb"), options: { animation: false } }, inflow, bucketMarks(d && d.annotations, hours, 3600000)));
  }
