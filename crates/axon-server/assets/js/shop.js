  // The demo shop page: countdown, stock, the FCFS entry and the payment modal.
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

