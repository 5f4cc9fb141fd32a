  // The question box (POST /api/v1/dashboard/{scope}/query). Its suggestions come from the
  // server for this page's scope (GET …/query/suggestions), so the global page never offers
  // "this activity" and every suggestion is a question this page answers in full.
  function askBox(scope) {
    var box = el('<div class="card qa"><h2>' + t("ask") + '</h2><div class="suggest"></div><div class="log"></div><form><input name="q" placeholder="' + esc(t("askph")) + '" maxlength="500"><button>' + t("send") + "</button></form></div>");
    var log = box.querySelector(".log"), form = box.querySelector("form"), key = "axon_qa_" + scope;
    var history = JSON.parse(sessionStorage.getItem(key) || "[]");
    function show(h) { log.insertAdjacentHTML("beforeend", '<div class="q">Q. ' + esc(h.q) + '</div><div class="a' + (h.error ? " error" : "") + '">A. ' + esc(h.a) + "</div>"); log.scrollTop = log.scrollHeight; }
    history.forEach(show);
    api("/api/v1/dashboard/" + scope + "/query/suggestions?language=" + lang)
      .then(function (r) {
        (r.suggestions || []).forEach(function (q) {
          var b = el('<button class="ghost" type="button">' + esc(q) + "</button>");
          b.onclick = function () { form.q.value = q; form.requestSubmit(); };
          box.querySelector(".suggest").appendChild(b);
        });
      })
      .catch(function () { /* no suggestions: the box still takes questions */ });
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
