  // The cohort page: LTV windows (complete or measuring), LTV/CAC, the monthly curve.
  function cohortPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    api("/api/v1/dashboard/cohort/activity/" + id).then(function (c) {
      // An LTV window that has not run its full length for every customer is "measuring", not final.
      var measuring = function (w) { return w && !w.complete ? '<div class="change flat" data-measuring>' + (lang == "ko" ? "측정 중 (" + num(w.elapsedDays) + "일 경과)" : "measuring (" + num(w.elapsedDays) + (w.elapsedDays == 1 ? " day in)" : " days in)")) + "</div>" : ""; };
      var card = function (label, ltv, ratio, w) { return '<div class="card kpi health-' + esc(c.health ? (ratio >= 3 ? "GOOD" : ratio >= 1 ? "WARN" : "BAD") : "") + '"><div class="label">' + label + '</div><div class="value">' + won(ltv) + '</div><div class="change">LTV/CAC ' + nf2.format(ratio) + "</div>" + measuring(w) + "</div>"; };
      var win = c.windows || {};
      app.innerHTML = heading(c.cohortName, t("cohort") + " · " + t("activityTag") + " #" + id, t("cohort")) + '<div class="sub">' + esc(localRange(c.cohortStartDate, c.cohortEndDate)) + " · " + t("customers") + " " + num(c.totalCustomers) + " · " + t("cac") + " " + won(c.avgCAC) + " · " + t("health") + " <b data-health>" + esc(c.health ? label("healthLabels", c.health) : "–") + "</b></div>" +
        '<div class="grid">' + card(tf("ltvDays", { d: 30 }), c.ltv30d, c.ltvCacRatio30d, win["30d"]) + card(tf("ltvDays", { d: 90 }), c.ltv90d, c.ltvCacRatio90d, win["90d"]) + card(tf("ltvDays", { d: 365 }), c.ltv365d, c.ltvCacRatio365d, win["365d"]) + card(t("ltvNow"), c.ltvCurrent, c.ltvCacRatioCurrent) +
        kpi(t("repeat"), pct(c.repeatPurchaseRate)) + kpi(t("freq"), nf2.format(c.avgPurchaseFrequency)) + kpi(t("aov"), won(c.avgOrderValue)) + "</div>" +
        '<div class="card"><h2>' + t("monthly") + '</h2><canvas id="ltv"></canvas><div class="def">' + esc(def("cohort")) + "</div></div>";
      chart("ltv", document.getElementById("ltv"), { type: "line", data: { labels: c.monthly.map(function (m) { return tf("monthN", { n: m.month }); }), datasets: [
        { label: "LTV", data: c.monthly.map(function (m) { return m.cumulativeLtv; }), borderColor: "#2b8a3e" },
        { label: "CAC", data: c.monthly.map(function () { return c.avgCAC; }), borderColor: "#d9480f", pointRadius: 0 }] } });
      app.appendChild(retentionCard());
      app.appendChild(askBox("activity/" + id));
    }).catch(fail);
  }

