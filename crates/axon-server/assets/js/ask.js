  // The question box (POST /api/v1/dashboard/{scope}/query), with suggestions per scope.
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
