  // Shared widgets: KPI cards, the period toolbar and line data (the live stream: live.js).
  function kpi(label, value, change, def) {
    var c = change == null ? '<span class="flat">–</span>' : '<span class="' + (change > 0 ? "up" : change < 0 ? "down" : "flat") + '">' + (change > 0 ? "▲ " : change < 0 ? "▼ " : "") + pct(Math.abs(change)) + "</span>";
    return '<div class="card kpi" title="' + esc(def || "") + '"><div class="label">' + esc(label) + '</div><div class="value" data-kpi="' + esc(label) + '">' + value + '</div>' + (change === undefined ? "" : '<div class="change">' + c + " " + esc(t("change")) + "</div>") + "</div>";
  }
  function kpis(o) {
    var ch = comparing() ? o.change || {} : {}; // compare=off: no change badges
    return '<div class="grid">' + [
      kpi(t("visits"), num(o.totalVisits), ch.totalVisits, def("overview")), kpi(t("unique"), num(o.uniqueVisitors), ch.uniqueVisitors),
      kpi(t("participants"), num(o.totalParticipants), ch.totalParticipants), kpi(t("approved"), num(o.approvedCount), ch.approvedCount),
      kpi(t("purchases"), num(o.purchaseCount), ch.purchaseCount), kpi(t("gmv"), won(o.gmv), ch.gmv), kpi(t("aov"), won(o.averageOrderValue), ch.averageOrderValue),
      kpi(t("roas"), pct(o.roas), ch.roas), kpi(t("conv"), pct(o.conversionRate), ch.conversionRate), kpi(t("eng"), pct(o.engagementRate), ch.engagementRate)
    ].join("") + "</div>";
  }
  var params = new URLSearchParams(location.search);
  function periodQuery() {
    var p = params.get("period");
    // A running activity's run ends now at every answer: 1d/7d/30d with a startDate end now.
    if (!p && run) return run[2] ? "period=1d&startDate=" + encodeURIComponent(run[0]) : "period=custom&startDate=" + encodeURIComponent(run[0]) + "&endDate=" + encodeURIComponent(run[1]);
    p = p || "7d";
    var q = "period=" + p;
    if (p == "custom") q += "&startDate=" + encodeURIComponent(params.get("startDate") || "") + "&endDate=" + encodeURIComponent(params.get("endDate") || "");
    return q;
  }
  function toolbar() {
    var p = params.get("period") || (run ? "run" : "7d");
    var b = ["1d", "7d", "30d"].map(function (x) { return '<button class="ghost' + (x == p ? " on" : "") + '" aria-pressed="' + (x == p) + '" data-period="' + x + '">' + { "1d": lang == "ko" ? "1일" : "1 day", "7d": lang == "ko" ? "7일" : "7 days", "30d": lang == "ko" ? "30일" : "30 days" }[x] + "</button>"; }).join("");
    if (run) b = '<button class="ghost' + (p == "run" ? " on" : "") + '" aria-pressed="' + (p == "run") + '" data-run>' + t("run") + "</button>" + b;
    return '<div class="toolbar"><span>' + t("period") + "</span>" + b + '<span>' + t("custom") + '</span><input type="date" id="sd" value="' + esc(params.get("startDate") || "") + '"><input type="date" id="ed" value="' + esc(params.get("endDate") || "") + '"><button id="apply" class="' + (p == "custom" ? "on" : "") + '" aria-pressed="' + (p == "custom") + '">' + t("apply") + "</button>" + rangeControls() + "</div>";
  }
  function bindToolbar(reload, d) {
    app.querySelectorAll("[data-period]").forEach(function (b) { b.onclick = function () { params.set("period", b.dataset.period); params.delete("startDate"); params.delete("endDate"); history.replaceState(null, "", "?" + params); reload(); }; });
    var r = app.querySelector("[data-run]");
    if (r) r.onclick = function () { params.delete("period"); params.delete("startDate"); params.delete("endDate"); history.replaceState(null, "", "?" + params); reload(); };
    var a = document.getElementById("apply");
    if (a) a.onclick = function () { params.set("period", "custom"); params.set("startDate", document.getElementById("sd").value); params.set("endDate", document.getElementById("ed").value); history.replaceState(null, "", "?" + params); reload(); };
    bindRange(reload, d);
  }
  function lineData(rows, label, color) { return { labels: rows.map(function (r) { return r.timestamp ? localMinute(r.timestamp, false) : (r.date || "").slice(5); }), datasets: [{ label: label, data: rows.map(function (r) { return r.count; }), borderColor: color, backgroundColor: color }] }; }

