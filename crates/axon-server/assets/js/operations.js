  // The operations page (/admin/operations): ingestion, rejections, duplicates and bots, the FCFS
  // gate's counters, the projection's lag and the process's memory — the figures of /metrics
  // (GET /api/v1/operations), read every 2 s; rates are the change between two readings.
  Object.assign(T.ko, {
    operations: "운영 현황", opsIngest: "수집", opsRate: "수집 속도 (이벤트/초)", opsAccepted: "저장된 이벤트", opsDup: "중복 (저장 안 함)",
    opsRejected: "거부 (잘못된 이벤트)", opsBots: "봇 (저장, 지표 제외)", opsBatches: "수집 요청", opsLimited: "속도 제한으로 거부",
    opsGate: "선착순 게이트", opsApproved: "승인", opsSoldOut: "품절로 거부", opsGateDup: "중복 응모 거부", opsPaid: "결제 완료", opsExpired: "만료로 반환된 홀드",
    opsEngine: "분석 엔진", opsLag: "반영 대기 커밋 (lag)", opsCommitted: "저장된 커밋", opsApplied: "대시보드에 반영된 커밋", opsLastSeq: "마지막 이벤트 번호",
    opsRenders: "대시보드 계산 횟수", opsProcess: "프로세스", opsMemory: "메모리 (RSS)", opsUptime: "가동 시간", opsHttp: "HTTP 요청", opsHttp4: "4xx 응답", opsHttp5: "5xx 응답",
    opsUpdated: "{at} 기준 · 2초마다 갱신", opsWaiting: "두 번째 측정 후 표시"
  });
  Object.assign(T.en, {
    operations: "Operations", opsIngest: "Collection", opsRate: "Ingestion (events/s)", opsAccepted: "Events stored", opsDup: "Duplicates (not stored)",
    opsRejected: "Rejected (invalid)", opsBots: "Bots (stored, not counted)", opsBatches: "Collection requests", opsLimited: "Refused by the rate limit",
    opsGate: "FCFS gate", opsApproved: "Approved", opsSoldOut: "Refused: sold out", opsGateDup: "Refused: duplicate entry", opsPaid: "Paid", opsExpired: "Holds returned on expiry",
    opsEngine: "Analytics engine", opsLag: "Commits waiting (lag)", opsCommitted: "Durable commits", opsApplied: "Commits in the dashboards", opsLastSeq: "Newest event number",
    opsRenders: "Dashboard renders", opsProcess: "Process", opsMemory: "Memory (RSS)", opsUptime: "Uptime", opsHttp: "HTTP requests", opsHttp4: "4xx answers", opsHttp5: "5xx answers",
    opsUpdated: "as of {at} · refreshed every 2 s", opsWaiting: "after the second reading"
  });
  function bytesText(b) { return b == null ? "–" : nf2.format(Math.round(b / 1048576 * 10) / 10) + " MiB"; }
  function uptimeText(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), ko = lang == "ko";
    return (d ? d + (ko ? "일 " : " d ") : "") + (d || h ? h + (ko ? "시간 " : " h ") : "") + m + (ko ? "분" : " min");
  }
  function operationsPage() {
    var last = null, timer;
    app.innerHTML = heading(t("operations")) + '<div class="sub" id="ops-at"></div><div id="ops"><div class="loading">' + t("loading") + "</div></div>";
    function section(title, cards) { return '<div class="card"><h2>' + esc(title) + '</h2><div class="grid">' + cards.join("") + "</div></div>"; }
    function card(key, value) { return '<div class="card kpi"><div class="label">' + esc(t(key)) + '</div><div class="value" data-ops="' + key + '">' + value + "</div></div>"; }
    function draw(r) {
      var secs = last ? (Date.parse(r.at) - Date.parse(last.at)) / 1000 : 0;
      var rate = last && secs > 0 ? nf2.format(Math.round((r.events.accepted - last.events.accepted) / secs * 10) / 10) : '<span class="flat">' + esc(t("opsWaiting")) + "</span>";
      var e = r.events, g = r.gate, p = r.projection, h = r.http;
      document.getElementById("ops-at").textContent = tf("opsUpdated", { at: localMinute(r.at, true) + ":" + new Date(r.at).toISOString().slice(17, 19) });
      document.getElementById("ops").innerHTML =
        section(t("opsIngest"), [card("opsRate", rate), card("opsAccepted", num(e.accepted)), card("opsDup", num(e.duplicates)), card("opsRejected", num(e.rejected)),
          card("opsBots", num(e.bots)), card("opsBatches", num(e.batches)), card("opsLimited", num(e.rateLimited))]) +
        section(t("opsGate"), [card("opsApproved", num(g.approved)), card("opsSoldOut", num(g.soldOut)), card("opsGateDup", num(g.duplicates)), card("opsPaid", num(g.paid)), card("opsExpired", num(g.holdsExpired))]) +
        section(t("opsEngine"), [card("opsLag", num(p.lag)), card("opsCommitted", num(p.committed)), card("opsApplied", num(p.applied)), card("opsLastSeq", num(p.lastSeq)), card("opsRenders", num(r.dashboardRenders))]) +
        section(t("opsProcess"), [card("opsMemory", bytesText(r.residentBytes)), card("opsUptime", uptimeText(r.uptimeSeconds)), card("opsHttp", num(h.requests)), card("opsHttp4", num(h.clientErrors)), card("opsHttp5", num(h.serverErrors))]);
      last = r;
    }
    function poll() {
      api("/api/v1/operations").then(draw).catch(function (e) { if (!last) fail(e); })
        .then(function () { timer = setTimeout(poll, 2000); });
    }
    poll();
    return timer;
  }
