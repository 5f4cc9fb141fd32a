/* Axon dashboards: renders each page from the JSON API (the same numbers the API returns),
   Korean by default with an English toggle, live updates over SSE. */
(function () {
  "use strict";
  var body = document.body, page = body.dataset.page, id = body.dataset.id, app = document.getElementById("app");
  var lang = localStorage.getItem("axon_lang") || "ko";
  var T = {
    ko: { visits: "방문", unique: "순 방문자", participants: "참여", entrants: "현재 참여자(승인·결제)", approved: "승인", purchases: "구매", gmv: "거래액", aov: "객단가",
      roas: "ROAS", conv: "전환율", eng: "참여율", qual: "승인율", prate: "구매율", budget: "예산", change: "이전 기간 대비",
      funnel: "퍼널", comparison: "프로모션 vs 일반 판매", promotion: "프로모션", normal: "일반", baseline: "기준선(일평균)",
      realtime: "실시간", stock: "남은 재고", active: "활성 사용자(5분)", inflow: "최근 1시간 유입", hourly: "시간대별 유입",
      loading: "불러오는 중…", error: "불러오지 못했습니다", period: "기간", run: "활동 기간", custom: "직접 선택", apply: "적용",
      activities: "활동 비교", heatmap: "요일 × 시간 방문", table: "활동 목록", top: "캠페인 TOP 10 (거래액)", traffic: "시간대별 트래픽",
      efficiency: "캠페인 효율", cohort: "코호트 LTV", customers: "고객 수", cac: "평균 CAC", repeat: "재구매율", freq: "평균 구매 횟수",
      monthly: "월별 누적 LTV vs CAC", ask: "질문하기", askph: "예: 지난 7일간 방문자 중 몇 퍼센트가 구매했어?", send: "보내기",
      significant: { SIGNIFICANT_INCREASE: "통계적으로 유의한 증가", SIGNIFICANT_DECREASE: "통계적으로 유의한 감소", NOT_SIGNIFICANT: "유의하지 않음(노이즈 가능)", NO_BASELINE: "기준선 없음", NOT_ENOUGH_DATA: "데이터 부족", NOT_RUNNING: "이 기간에 프로모션이 진행되지 않음" },
      upliftBasis: "프로모션 진행 기간의 일평균 구매 vs 시작 전 14일 기준선",
      uplift: "증가율", soldout: "품절", enter: "선착순 응모하기", pay: "결제하기", campaigns: "캠페인 관리", overview: "전체 개요",
      live: "실시간 연결됨", name: "이름", status: "상태", create: "만들기", entries: "응모 목록", start: "시작", end: "종료" },
    en: { visits: "Visits", unique: "Unique visitors", participants: "Participants", entrants: "Entrants now (held + paid)", approved: "Approved", purchases: "Purchases", gmv: "GMV", aov: "AOV",
      roas: "ROAS", conv: "Conversion", eng: "Engagement", qual: "Qualification", prate: "Purchase rate", budget: "Budget", change: "vs previous period",
      funnel: "Funnel", comparison: "Promotion vs normal sales", promotion: "Promotion", normal: "Normal", baseline: "Baseline (daily avg)",
      realtime: "Realtime", stock: "Remaining stock", active: "Active users (5 min)", inflow: "Inflow, last hour", hourly: "Hourly inflow",
      loading: "Loading…", error: "Could not load", period: "Period", run: "Activity run", custom: "Custom", apply: "Apply",
      activities: "Activity comparison", heatmap: "Weekday × hour visits", table: "Activities", top: "Top 10 campaigns by GMV", traffic: "Hourly traffic",
      efficiency: "Campaign efficiency", cohort: "Cohort LTV", customers: "Customers", cac: "Avg CAC", repeat: "Repeat rate", freq: "Avg purchases",
      monthly: "Monthly cumulative LTV vs CAC", ask: "Ask", askph: "e.g. top 3 activities by GMV last month", send: "Send",
      significant: { SIGNIFICANT_INCREASE: "significant increase", SIGNIFICANT_DECREASE: "significant decrease", NOT_SIGNIFICANT: "not significant (may be noise)", NO_BASELINE: "no baseline", NOT_ENOUGH_DATA: "not enough data", NOT_RUNNING: "the promotion did not run in this window" },
      upliftBasis: "daily purchases while the promotion ran vs the 14 days before it started",
      uplift: "Uplift", soldout: "Sold out", enter: "Enter now", pay: "Pay", campaigns: "Campaigns", overview: "Overview",
      live: "live", name: "Name", status: "Status", create: "Create", entries: "Entries", start: "Start", end: "End" }
  };
  function t(k) { return T[lang][k] || k; }
  var nf = new Intl.NumberFormat("ko-KR"), nf2 = new Intl.NumberFormat("ko-KR", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  function num(v) { return v == null ? "–" : nf.format(v); }
  function won(v) { return v == null ? "–" : "₩" + nf.format(Math.round(v)); }
  function pct(v) { return v == null ? "–" : nf2.format(v) + "%"; }
  // An instant as the business zone's calendar day (YYYY-MM-DD): what date inputs and lists show.
  var TZ = document.body.dataset.tz || "Asia/Seoul";
  var DAY = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
  function localDay(iso) { return DAY.format(new Date(iso)); }
  // Instants as people read them, in the business zone: "2026-11-25 00:00 – 12-02 00:00 KST".
  var TZABBR = document.body.dataset.tzabbr || "";
  var MINUTE = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function parts(iso) { var o = {}; MINUTE.formatToParts(new Date(iso)).forEach(function (p) { o[p.type] = p.value; }); return o; }
  function localMinute(iso, withYear) { var p = parts(iso); return (withYear ? p.year + "-" : "") + p.month + "-" + p.day + " " + p.hour + ":" + p.minute; }
  // A p-value as a statistician writes it: "p < 0.001", else three decimals.
  function pText(p) { return +p < 0.001 ? "p < 0.001" : "p = " + (+p).toFixed(3); }
  function localRange(a, b) { if (!a || !b) return ""; return localMinute(a, true) + " – " + localMinute(b, parts(a).year !== parts(b).year) + (TZABBR ? " " + TZABBR : ""); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function el(html) { var d = document.createElement("div"); d.innerHTML = html; return d.firstElementChild; }
  function api(path, opts) {
    return fetch(path, Object.assign({ credentials: "same-origin" }, opts || {})).then(function (r) {
      if (r.status == 401) { location.href = "/admin/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("login"); }
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || r.status); return j; });
    });
  }
  function fail(e) { app.innerHTML = '<div class="error">' + esc(t("error")) + ": " + esc(e.message) + "</div>"; }
  var charts = {};
  // Numbers, not motion: charts draw their final state at once (and screenshots show it).
  if (window.Chart) Chart.defaults.animation = false;
  function chart(key, canvas, cfg) { if (charts[key]) charts[key].destroy(); charts[key] = new Chart(canvas, cfg); return charts[key]; }
  function kpi(label, value, change, def) {
    var c = change == null ? '<span class="flat">–</span>' : '<span class="' + (change > 0 ? "up" : change < 0 ? "down" : "flat") + '">' + (change > 0 ? "▲ " : change < 0 ? "▼ " : "") + pct(Math.abs(change)) + "</span>";
    return '<div class="card kpi" title="' + esc(def || "") + '"><div class="label">' + esc(label) + '</div><div class="value" data-kpi="' + esc(label) + '">' + value + '</div>' + (change === undefined ? "" : '<div class="change">' + c + " " + esc(t("change")) + "</div>") + "</div>";
  }
  function kpis(o) {
    var ch = o.change || {};
    return '<div class="grid">' + [
      kpi(t("visits"), num(o.totalVisits), ch.totalVisits, o.definition), kpi(t("unique"), num(o.uniqueVisitors), ch.uniqueVisitors),
      kpi(t("participants"), num(o.totalParticipants), ch.totalParticipants), kpi(t("approved"), num(o.approvedCount), ch.approvedCount),
      kpi(t("purchases"), num(o.purchaseCount), ch.purchaseCount), kpi(t("gmv"), won(o.gmv), ch.gmv), kpi(t("aov"), won(o.averageOrderValue), ch.averageOrderValue),
      kpi(t("roas"), pct(o.roas), ch.roas), kpi(t("conv"), pct(o.conversionRate), ch.conversionRate), kpi(t("eng"), pct(o.engagementRate), ch.engagementRate)
    ].join("") + "</div>";
  }
  var params = new URLSearchParams(location.search);
  function periodQuery() {
    var p = params.get("period");
    if (!p && run) return "period=custom&startDate=" + encodeURIComponent(run[0]) + "&endDate=" + encodeURIComponent(run[1]);
    p = p || "7d";
    var q = "period=" + p;
    if (p == "custom") q += "&startDate=" + encodeURIComponent(params.get("startDate") || "") + "&endDate=" + encodeURIComponent(params.get("endDate") || "");
    return q;
  }
  function toolbar() {
    var p = params.get("period") || (run ? "run" : "7d");
    var b = ["1d", "7d", "30d"].map(function (x) { return '<button class="ghost' + (x == p ? " on" : "") + '" aria-pressed="' + (x == p) + '" data-period="' + x + '">' + { "1d": lang == "ko" ? "1일" : "1 day", "7d": lang == "ko" ? "7일" : "7 days", "30d": lang == "ko" ? "30일" : "30 days" }[x] + "</button>"; }).join("");
    if (run) b = '<button class="ghost' + (p == "run" ? " on" : "") + '" aria-pressed="' + (p == "run") + '" data-run>' + t("run") + "</button>" + b;
    return '<div class="toolbar"><span>' + t("period") + "</span>" + b + '<span>' + t("custom") + '</span><input type="date" id="sd" value="' + esc(params.get("startDate") || "") + '"><input type="date" id="ed" value="' + esc(params.get("endDate") || "") + '"><button id="apply" class="' + (p == "custom" ? "on" : "") + '" aria-pressed="' + (p == "custom") + '">' + t("apply") + "</button></div>";
  }
  function bindToolbar(reload) {
    app.querySelectorAll("[data-period]").forEach(function (b) { b.onclick = function () { params.set("period", b.dataset.period); params.delete("startDate"); params.delete("endDate"); history.replaceState(null, "", "?" + params); reload(); }; });
    var r = app.querySelector("[data-run]");
    if (r) r.onclick = function () { params.delete("period"); params.delete("startDate"); params.delete("endDate"); history.replaceState(null, "", "?" + params); reload(); };
    var a = document.getElementById("apply");
    if (a) a.onclick = function () { params.set("period", "custom"); params.set("startDate", document.getElementById("sd").value); params.set("endDate", document.getElementById("ed").value); history.replaceState(null, "", "?" + params); reload(); };
  }
  var SUGGEST = {
    ko: ["지난 7일간 방문자 중 몇 퍼센트가 구매했어?", "재고 얼마나 남았어?", "평균 구매액이 얼마야?", "이번 달 가장 성과가 좋은 캠페인은 뭐야?", "개선 인사이트 알려줘"],
    en: ["how many visits yesterday?", "top 3 activities by GMV last month", "what's the LTV/CAC of this activity?", "compare promotion and normal sales this week"]
  };
  function askBox(scope) {
    var box = el('<div class="card qa"><h2>' + t("ask") + '</h2><div class="suggest"></div><div class="log"></div><form><input name="q" placeholder="' + esc(t("askph")) + '" maxlength="500"><button>' + t("send") + "</button></form></div>");
    var log = box.querySelector(".log"), form = box.querySelector("form"), key = "axon_qa_" + scope;
    var history = JSON.parse(sessionStorage.getItem(key) || "[]");
    function show(h) { log.insertAdjacentHTML("beforeend", '<div class="q">Q. ' + esc(h.q) + '</div><div class="a' + (h.error ? " error" : "") + '">A. ' + esc(h.a) + "</div>"); log.scrollTop = log.scrollHeight; }
    history.forEach(show);
    SUGGEST[lang].forEach(function (q) {
      var b = el('<button class="ghost" type="button">' + esc(q) + "</button>");
      b.onclick = function () { form.q.value = q; form.requestSubmit(); };
      box.querySelector(".suggest").appendChild(b);
    });
    form.onsubmit = function (e) {
      e.preventDefault();
      var q = form.q.value.trim(); if (!q) return;
      form.q.value = "";
      var done = function (a, error) { var h = { q: q, a: a, error: error }; history.push(h); sessionStorage.setItem(key, JSON.stringify(history.slice(-30))); show(h); };
      api("/api/v1/dashboard/" + scope + "/query", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: q }) })
        .then(function (r) { done(r.answer, false); })
        .catch(function (err) { done(err.message, true); });
    };
    return box;
  }
  function lineData(rows, label, color) { return { labels: rows.map(function (r) { return r.timestamp ? localMinute(r.timestamp, false) : (r.date || "").slice(5); }), datasets: [{ label: label, data: rows.map(function (r) { return r.count; }), borderColor: color, backgroundColor: color }] }; }

  // An activity page opens on the activity's own run (start → end, or → now while it runs).
  var run = null;
  function activityPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    if (!run) {
      api("/api/v1/activities/" + id).then(function (a) {
        var start = Date.parse(a.startDate), end = Math.max(start + 1, Math.min(Date.parse(a.endDate), Date.now()));
        run = [a.startDate, new Date(end).toISOString()];
        activityPage();
      }).catch(fail);
      return;
    }
    api("/api/v1/dashboard/activity/" + id + "?" + periodQuery()).then(function (d) {
      var o = d.data.overview, f = d.data.funnel, c = d.data.comparison, r = d.data.realtime;
      app.innerHTML = "<h1>Activity " + esc(id) + '</h1><div class="sub">' + esc(localRange(d.startDate, d.endDate)) + ' · <a href="/admin/dashboard/campaign/' + d.campaignId + '">campaign ' + d.campaignId + '</a> · <a href="/admin/dashboard/cohort/' + id + '">' + t("cohort") + "</a></div>" + toolbar() + kpis(o) +
        '<div class="row"><div class="card panel"><h2>' + t("funnel") + '</h2><canvas id="funnel"></canvas><div class="def">' + esc(f.definition) + '</div></div>' +
        '<div class="card panel" id="rt"><h2><span class="live"></span>' + t("realtime") + '</h2><canvas id="gauge" height="160"></canvas><div class="grid" id="rtk"></div></div></div>' +
        '<div class="row"><div class="card panel"><h2>' + t("comparison") + '</h2><canvas id="cmp"></canvas><div id="sig" class="def"></div></div>' +
        '<div class="card panel"><h2>' + t("hourly") + '</h2><canvas id="inflow"></canvas></div></div>';
      var steps = f.steps;
      chart("funnel", document.getElementById("funnel"), { type: "bar", data: { labels: steps.map(function (s) { return lang == "ko" ? s.name : s.step; }),
        datasets: [{ label: t("visits") + " / events", data: steps.map(function (s) { return s.value; }), backgroundColor: "#3b5bdb" }, { label: "users", data: steps.map(function (s) { return s.users; }), backgroundColor: "#91a7ff" }] },
        options: { plugins: { tooltip: { callbacks: { afterBody: function (it) { var s = steps[it[0].dataIndex]; return "rate " + pct(s.rate) + " · from first " + pct(s.rateFromFirst); } } } } } });
      var daily = c.daily || [];
      chart("cmp", document.getElementById("cmp"), { type: "bar", data: { labels: daily.map(function (x) { return x.date.slice(5); }), datasets: [
        { label: t("promotion"), data: daily.map(function (x) { return x.promotion; }), backgroundColor: "#f76707" },
        { label: t("normal"), data: daily.map(function (x) { return x.normal; }), backgroundColor: "#74c0fc" },
        { type: "line", label: t("baseline"), data: daily.map(function () { return c.baselineDaily; }), borderColor: "#495057", pointRadius: 0 }] } });
      var s = c.significance || {};
      document.getElementById("sig").textContent = t("uplift") + " " + pct(c.upliftPercent) + " (" + t("upliftBasis") + ") · " + (t("significant")[s.verdict] || s.verdict || "") + (s.pValue != null ? " (" + pText(s.pValue) + ")" : "");
      realtime(r);
      bindToolbar(activityPage);
      app.appendChild(askBox("activity/" + id));
      live("/api/v1/dashboard/stream/activity/" + id + "?widgets=realtime,overview&" + periodQuery(), function (u) { realtime(u.data.realtime); });
    }).catch(fail);
  }
  function realtime(r) {
    var k = document.getElementById("rtk"); if (!k) return;
    k.innerHTML = kpi(t("stock"), r.totalStock == null ? "∞" : num(r.remainingStock) + " / " + num(r.totalStock)) + kpi(t("entrants"), num(r.participants)) +
      kpi(t("active"), num(r.activeUsers)) + kpi(t("inflow"), num(r.inflowLastHour));
    var sold = r.totalStock == null ? 0 : r.totalStock - r.remainingStock;
    chart("gauge", document.getElementById("gauge"), { type: "doughnut", data: { labels: [t("stock"), t("soldout")], datasets: [{ data: r.totalStock == null ? [1, 0] : [r.remainingStock, sold], backgroundColor: ["#40c057", "#e9ecef"] }] }, options: { animation: false, rotation: -90, circumference: 180, aspectRatio: 2.4 } });
    chart("inflow", document.getElementById("inflow"), { type: "bar", data: lineData(r.hourlyInflow, t("visits"), "#3b5bdb"), options: { animation: false } });
  }
  var source;
  function live(path, onUpdate) {
    if (source) source.close();
    source = new EventSource(path);
    source.addEventListener("dashboard-update", function (e) { onUpdate(JSON.parse(e.data)); });
  }

  function campaignPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    api("/api/v1/dashboard/campaign/" + id + "?" + periodQuery()).then(function (d) {
      var rows = d.data.activities, h = d.data.heatmap;
      app.innerHTML = "<h1>Campaign " + esc(id) + '</h1><div class="sub">' + esc(localRange(d.startDate, d.endDate)) + "</div>" + toolbar() + kpis(d.data.overview) +
        '<div class="row"><div class="card panel"><h2>' + t("activities") + '</h2><canvas id="acts"></canvas></div><div class="card panel"><h2>' + t("heatmap") + '</h2><div class="tablewrap"><table class="heat" id="heat"></table></div></div></div>' +
        '<div class="card"><h2>' + t("table") + '</h2><div class="tablewrap"><table id="tbl"></table></div></div>';
      var c = chart("acts", document.getElementById("acts"), { type: "bar", data: { labels: rows.map(function (r) { return r.activityName; }), datasets: [
        { label: t("visits"), data: rows.map(function (r) { return r.totalVisits; }), backgroundColor: "#3b5bdb" },
        { label: t("participants"), data: rows.map(function (r) { return r.totalParticipants; }), backgroundColor: "#91a7ff" },
        { label: t("purchases"), data: rows.map(function (r) { return r.purchaseCount; }), backgroundColor: "#f76707" }] },
        options: { onClick: function (e, els) { if (els.length) location.href = "/admin/dashboard/" + rows[els[0].index].activityId; } } });
      var max = Math.max.apply(null, [1].concat([].concat.apply([], h.byWeekdayHour)));
      document.getElementById("heat").innerHTML = "<tr><th></th>" + Array.from({ length: 24 }, function (_, i) { return "<th>" + i + "</th>"; }).join("") + "</tr>" +
        h.byWeekdayHour.map(function (r, d) { return "<tr><th>" + h.weekdays[d] + "</th>" + r.map(function (v) { return '<td style="background:rgba(59,91,219,' + (0.08 + 0.92 * v / max).toFixed(2) + ')">' + v + "</td>"; }).join("") + "</tr>"; }).join("");
      document.getElementById("tbl").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("visits") + "</th><th>" + t("participants") + "</th><th>" + t("approved") + "</th><th>" + t("purchases") + "</th><th>" + t("gmv") + "</th><th>" + t("eng") + "</th><th>" + t("conv") + "</th><th>ROAS</th></tr>" +
        rows.map(function (r) { return '<tr class="link" data-href="/admin/dashboard/' + r.activityId + '"><td>' + esc(r.activityName) + "</td><td>" + num(r.totalVisits) + "</td><td>" + num(r.totalParticipants) + "</td><td>" + num(r.approvedCount) + "</td><td>" + num(r.purchaseCount) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.engagementRate) + "</td><td>" + pct(r.conversionRate) + "</td><td>" + pct(r.roas) + "</td></tr>"; }).join("");
      app.querySelectorAll("tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
      bindToolbar(campaignPage);
      app.appendChild(askBox("campaign/" + id));
      return c;
    }).catch(fail);
  }

  function overviewPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    api("/api/v1/dashboard/overview?" + periodQuery()).then(function (d) {
      var x = d.data;
      app.innerHTML = "<h1>" + t("overview") + '</h1><div class="sub">' + esc(localRange(d.startDate, d.endDate)) + "</div>" + toolbar() + kpis(x.totals) +
        '<div class="row"><div class="card panel"><h2>' + t("top") + '</h2><canvas id="top"></canvas></div><div class="card panel"><h2>' + t("traffic") + '</h2><canvas id="traffic"></canvas></div></div>' +
        '<div class="card"><h2>' + t("efficiency") + '</h2><div class="tablewrap"><table id="eff"></table></div></div>';
      chart("top", document.getElementById("top"), { type: "bar", data: { labels: x.topCampaignsByGmv.map(function (r) { return r.campaignName; }), datasets: [{ label: t("gmv"), data: x.topCampaignsByGmv.map(function (r) { return r.gmv; }), backgroundColor: "#f76707" }] }, options: { indexAxis: "y" } });
      chart("traffic", document.getElementById("traffic"), { type: "line", data: lineData(x.hourlyTraffic, t("visits"), "#3b5bdb"), options: { elements: { point: { radius: 0 } } } });
      document.getElementById("eff").innerHTML = "<tr><th>" + t("name") + "</th><th>" + t("budget") + "</th><th>" + t("gmv") + "</th><th>ROAS</th><th>" + t("visits") + "</th><th>" + t("conv") + "</th></tr>" +
        x.efficiency.map(function (r) { return '<tr class="link" data-href="/admin/dashboard/campaign/' + r.campaignId + '"><td>' + esc(r.campaignName) + "</td><td>" + won(r.budget) + "</td><td>" + won(r.gmv) + "</td><td>" + pct(r.roas) + "</td><td>" + num(r.totalVisits) + "</td><td>" + pct(r.conversionRate) + "</td></tr>"; }).join("");
      app.querySelectorAll("tr.link").forEach(function (tr) { tr.onclick = function () { location.href = tr.dataset.href; }; });
      bindToolbar(overviewPage);
      app.appendChild(askBox("global"));
    }).catch(fail);
  }

  function cohortPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    api("/api/v1/dashboard/cohort/activity/" + id).then(function (c) {
      // An LTV window that has not run its full length for every customer is "measuring", not final.
      var measuring = function (w) { return w && !w.complete ? '<div class="change flat" data-measuring>' + (lang == "ko" ? "측정 중 (" + num(w.elapsedDays) + "일 경과)" : "measuring (" + num(w.elapsedDays) + " days in)") + "</div>" : ""; };
      var card = function (label, ltv, ratio, w) { return '<div class="card kpi health-' + esc(c.health ? (ratio >= 3 ? "GOOD" : ratio >= 1 ? "WARN" : "BAD") : "") + '"><div class="label">' + label + '</div><div class="value">' + won(ltv) + '</div><div class="change">LTV/CAC ' + nf2.format(ratio) + "</div>" + measuring(w) + "</div>"; };
      var win = c.windows || {};
      app.innerHTML = "<h1>" + t("cohort") + " · " + esc(c.cohortName) + '</h1><div class="sub">' + esc(localRange(c.cohortStartDate, c.cohortEndDate)) + " · " + t("customers") + " " + num(c.totalCustomers) + " · " + t("cac") + " " + won(c.avgCAC) + " · health " + esc(c.health || "–") + "</div>" +
        '<div class="grid">' + card("LTV 30d", c.ltv30d, c.ltvCacRatio30d, win["30d"]) + card("LTV 90d", c.ltv90d, c.ltvCacRatio90d, win["90d"]) + card("LTV 365d", c.ltv365d, c.ltvCacRatio365d, win["365d"]) + card("LTV", c.ltvCurrent, c.ltvCacRatioCurrent) +
        kpi(t("repeat"), pct(c.repeatPurchaseRate)) + kpi(t("freq"), nf2.format(c.avgPurchaseFrequency)) + kpi(t("aov"), won(c.avgOrderValue)) + "</div>" +
        '<div class="card"><h2>' + t("monthly") + '</h2><canvas id="ltv"></canvas><div class="def">' + esc(c.definition) + "</div></div>";
      chart("ltv", document.getElementById("ltv"), { type: "line", data: { labels: c.monthly.map(function (m) { return "M" + m.month; }), datasets: [
        { label: "LTV", data: c.monthly.map(function (m) { return m.cumulativeLtv; }), borderColor: "#2b8a3e" },
        { label: "CAC", data: c.monthly.map(function () { return c.avgCAC; }), borderColor: "#d9480f", pointRadius: 0 }] } });
      app.appendChild(askBox("activity/" + id));
    }).catch(fail);
  }

  function campaignsPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    Promise.all([api("/api/v1/campaigns"), api("/api/v1/activities")]).then(function (r) {
      var cs = r[0].campaigns, acts = r[1].activities;
      app.innerHTML = "<h1>" + t("campaigns") + '</h1><div class="row"><div class="card panel"><h2>' + t("create") + ' · campaign</h2><form class="stack" id="nc"><input name="name" placeholder="' + t("name") + '" required><input name="budget" type="number" min="0" placeholder="' + t("budget") + '"><button>' + t("create") + "</button></form></div>" +
        '<div class="card panel"><h2>' + t("create") + ' · activity</h2><form class="stack" id="na"><select name="campaign">' + cs.map(function (c) { return '<option value="' + c.id + '">' + esc(c.name) + "</option>"; }).join("") + '</select><input name="name" placeholder="' + t("name") + '" required><select name="activityType"><option>FIRST_COME_FIRST_SERVE</option><option>COUPON</option><option>GIVEAWAY</option></select><input name="limitCount" type="number" min="0" placeholder="limitCount"><input name="price" type="number" min="0" placeholder="price"><input name="budget" type="number" min="0" placeholder="' + t("budget") + '"><input name="startDate" type="date" required><input name="endDate" type="date" required><textarea name="filters" rows="3" placeholder=\'[{"type":"AGE","operator":"BETWEEN","values":[20,39]}]\'></textarea><button>' + t("create") + '</button><div class="error" id="naerr"></div></form></div></div>' +
        '<div class="card"><div class="tablewrap"><table><tr><th>' + t("name") + "</th><th>campaign</th><th>type</th><th>" + t("status") + "</th><th>limit</th><th>" + t("start") + "</th><th>" + t("end") + "</th><th></th></tr>" +
        acts.map(function (a) { return "<tr><td><a href=\"/admin/dashboard/" + a.id + '">' + esc(a.name) + "</a></td><td>" + a.campaignId + "</td><td>" + a.activityType + "</td><td>" + a.status + "</td><td>" + (a.limitCount == null ? "∞" : a.limitCount) + "</td><td>" + esc(localDay(a.startDate)) + "</td><td>" + esc(localDay(a.endDate)) + "</td><td>" +
          ["ACTIVE", "PAUSED", "ENDED"].map(function (s) { return '<button class="ghost" data-act="' + a.id + '" data-status="' + s + '">' + s + "</button>"; }).join(" ") +
          ' <button class="ghost" data-edit="' + a.id + '">✎</button> <button class="ghost" data-entries="' + a.id + '">' + t("entries") + "</button></td></tr>"; }).join("") + '</table></div></div><div class="card" id="entries" hidden></div>';
      var json = function (path, method, payload) { return api(path, { method: method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) }); };
      document.getElementById("nc").onsubmit = function (e) { e.preventDefault(); json("/api/v1/campaigns", "POST", { name: this.name.value, budget: +this.budget.value || 0 }).then(campaignsPage).catch(function (err) { alert(err.message); }); };
      document.getElementById("na").onsubmit = function (e) {
        e.preventDefault(); var f = this, filters;
        try { filters = f.filters.value.trim() ? JSON.parse(f.filters.value) : []; } catch (x) { document.getElementById("naerr").textContent = "filters: " + x.message; return; }
        var body = { name: f.name.value, activityType: f.activityType.value, limitCount: f.limitCount.value === "" ? null : +f.limitCount.value,
          price: +f.price.value || 0, budget: +f.budget.value || 0, startDate: f.startDate.value, endDate: f.endDate.value, filters: filters };
        if (f.dataset.edit) {
          // A date the user did not change is not sent: the stored instant stays as it is.
          var old = byId[f.dataset.edit];
          if (body.startDate === localDay(old.startDate)) delete body.startDate;
          if (body.endDate === localDay(old.endDate)) delete body.endDate;
        }
        (f.dataset.edit ? json("/api/v1/activities/" + f.dataset.edit, "PUT", body) : json("/api/v1/campaigns/" + f.campaign.value + "/activities", "POST", body))
          .then(campaignsPage).catch(function (err) { document.getElementById("naerr").textContent = err.message; });
      };
      var byId = {}; acts.forEach(function (a) { byId[a.id] = a; });
      app.querySelectorAll("[data-edit]").forEach(function (b) { b.onclick = function () {
        var a = byId[b.dataset.edit], f = document.getElementById("na");
        f.dataset.edit = a.id; f.campaign.value = a.campaignId; f.campaign.disabled = true; f.name.value = a.name; f.activityType.value = a.activityType;
        f.limitCount.value = a.limitCount == null ? "" : a.limitCount; f.price.value = a.price; f.budget.value = a.budget;
        f.startDate.value = localDay(a.startDate); f.endDate.value = localDay(a.endDate); f.filters.value = JSON.stringify(a.filters);
        f.querySelector("button").textContent = "✎ " + a.name; f.scrollIntoView();
      }; });
      app.querySelectorAll("[data-entries]").forEach(function (b) { b.onclick = function () {
        var box = document.getElementById("entries");
        api("/api/v1/activities/" + b.dataset.entries + "/entries?page=0&size=20").then(function (r) {
          box.hidden = false;
          box.innerHTML = "<h2>" + t("entries") + " · " + esc(byId[b.dataset.entries].name) + " (" + num(r.totalElements) + ')</h2><div class="tablewrap"><table id="entries-table"><tr><th>user</th><th>' + t("status") + "</th><th>#</th><th>qty</th><th>requested</th></tr>" +
            r.entries.map(function (e) { return "<tr><td>" + esc(e.userId) + "</td><td>" + e.status + "</td><td>" + e.order + "</td><td>" + e.quantity + "</td><td>" + esc(localMinute(e.requestedAt, true)) + "</td></tr>"; }).join("") + "</table></div>";
        }).catch(function (err) { box.hidden = false; box.textContent = err.message; });
      }; });
      app.querySelectorAll("[data-act]").forEach(function (b) { b.onclick = function () { json("/api/v1/activities/" + b.dataset.act + "/status", "PATCH", { status: b.dataset.status }).then(campaignsPage).catch(function (err) { alert(err.message); }); }; });
    }).catch(fail);
  }

  function shopPage() {
    var s = window.axonShop, timer;
    app.innerHTML = '<div class="shop card"><div class="sub">' + esc(s.product || "") + '</div><h1>' + esc(s.name) + '</h1>' +
      (s.listPrice ? '<div class="sub"><s>' + won(s.listPrice) + "</s></div>" : "") + '<div class="price">' + won(s.price) + '</div>' +
      '<div id="clock" class="sub"></div><div id="stock" class="kpi"></div>' +
      '<button class="big" id="enter-button">' + t("enter") + '</button><div id="result" class="sub"></div></div>';
    var btn = document.getElementById("enter-button"), result = document.getElementById("result"), state = {};
    function tick() {
      var now = Date.now(), start = Date.parse(s.startDate), end = Date.parse(s.endDate), left = (now < start ? start : end) - now;
      var h = Math.floor(left / 3600000), m = Math.floor(left % 3600000 / 60000), sec = Math.floor(left % 60000 / 1000);
      document.getElementById("clock").textContent = (now < start ? (lang == "ko" ? "오픈까지 " : "Opens in ") : (lang == "ko" ? "마감까지 " : "Ends in ")) + h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    }
    function stock() {
      fetch("/api/v1/activities/" + s.activityId + "/stock").then(function (r) { return r.json(); }).then(function (j) {
        state = j;
        document.getElementById("stock").innerHTML = '<span class="label">' + t("stock") + '</span> <span class="value" id="remaining">' + (j.remaining == null ? "∞" : num(j.remaining)) + "</span>" + (j.limitCount != null ? " / " + num(j.limitCount) : "");
        if (j.soldOut) { btn.disabled = true; btn.textContent = t("soldout"); }
        else if (!j.open) { btn.disabled = true; }
      }).catch(function () {});
    }
    function session() {
      var tok = sessionStorage.getItem("axon_demo_token");
      if (tok) return Promise.resolve(tok);
      return fetch("/demo/api/session", { method: "POST" }).then(function (r) { if (!r.ok) throw new Error(lang == "ko" ? "데모 모드에서만 응모할 수 있습니다" : "entries need demo mode"); return r.json(); })
        .then(function (j) { sessionStorage.setItem("axon_demo_token", j.token); sessionStorage.setItem("axon_demo_user", j.userId); if (window.axon) axon.identify(j.userId); return j.token; });
    }
    function call(path, tok, payload) {
      return fetch(path, { method: "POST", headers: { Authorization: "Bearer " + tok, "Content-Type": "application/json" }, body: JSON.stringify(payload) })
        .then(function (r) { return r.json().then(function (j) { j.httpStatus = r.status; return j; }); });
    }
    function pay(tok, entry) {
      var modal = el('<div class="modal"><div class="card"><h2>' + t("pay") + '</h2><p>' + esc(s.name) + " · " + won(s.price) + '</p><p class="sub" id="ttl"></p><button id="pay-button">' + t("pay") + '</button> <button class="ghost" id="pay-cancel">✕</button><div id="payres" class="sub"></div></div></div>');
      document.body.appendChild(modal);
      var exp = Date.parse(entry.expiresAt);
      var iv = setInterval(function () { var l = Math.max(0, exp - Date.now()); document.getElementById("ttl").textContent = (lang == "ko" ? "결제 가능 시간 " : "Pay within ") + Math.floor(l / 60000) + ":" + String(Math.floor(l % 60000 / 1000)).padStart(2, "0"); }, 500);
      modal.querySelector("#pay-cancel").onclick = function () { clearInterval(iv); modal.remove(); };
      modal.querySelector("#pay-button").onclick = function () {
        call("/api/v1/payments/prepare", tok, { reservationToken: entry.reservationToken }).then(function (p) {
          if (!p.approvalToken) throw new Error(p.message || p.error);
          return call("/api/v1/payments/confirm", tok, { approvalToken: p.approvalToken });
        }).then(function (c) {
          if (c.status != "SUCCESS") throw new Error(c.message || c.error);
          clearInterval(iv); modal.remove(); result.textContent = (lang == "ko" ? "결제 완료! 주문 번호 " : "Paid! purchase ") + c.purchaseId; stock();
        }).catch(function (e) { modal.querySelector("#payres").textContent = e.message; });
      };
    }
    btn.onclick = function () {
      btn.disabled = true;
      session().then(function (tok) {
        return call("/api/v1/activities/" + s.activityId + "/entries", tok, { quantity: 1 }).then(function (r) {
          btn.disabled = false;
          if (r.status == "SUCCESS") {
            result.textContent = (lang == "ko" ? "당첨! 선착순 " : "You're in! #") + r.order + (lang == "ko" ? "번" : "");
            if (r.reservationToken) pay(tok, r);
          } else { result.textContent = r.message || r.error; }
          stock();
        });
      }).catch(function (e) { btn.disabled = false; result.textContent = e.message; });
    };
    tick(); stock(); timer = setInterval(tick, 1000); setInterval(stock, 2000);
    return timer;
  }

  document.querySelectorAll("[data-lang]").forEach(function (b) { b.onclick = function () { localStorage.setItem("axon_lang", b.dataset.lang); location.reload(); }; });
  document.documentElement.lang = lang;
  ({ activity: activityPage, campaign: campaignPage, overview: overviewPage, cohort: cohortPage, campaigns: campaignsPage, shop: shopPage }[page] || function () {})();
})();
