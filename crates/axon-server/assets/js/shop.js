  // The demo shop page: countdown, stock, the FCFS entry and the payment modal, in the shopper's
  // language. Every error code the entry and payment calls answer has its own words here (the
  // server's `message` is for developers); a refused filter is phrased from its `filter` detail.
  function shopMessage(j) {
    if (j.error == "NOT_ELIGIBLE") return filterRule(j.filter, j.missing);
    var m = T[lang].shopErrors;
    return m[j.error] || m.OTHER;
  }
  function shopPage() {
    var s = window.axonShop, timer;
    document.title = s.name + " · " + t("shopBrand");
    app.innerHTML = '<div class="shop card"><div class="sub">' + esc(s.product || "") + '</div><h1>' + esc(s.name) + '</h1>' +
      (s.listPrice ? '<div class="sub"><s>' + won(s.listPrice) + "</s></div>" : "") + '<div class="price">' + won(s.price) + '</div>' +
      '<div id="clock" class="sub"></div><div id="stock" class="kpi"></div><div id="state" class="sub"></div>' +
      '<button class="big" id="enter-button">' + t("enter") + '</button><div id="result" class="sub" role="status"></div></div>';
    var btn = document.getElementById("enter-button"), result = document.getElementById("result"), state = {};
    function span(ms) {
      var d = Math.floor(ms / 864e5), h = Math.floor(ms % 864e5 / 36e5), m = Math.floor(ms % 36e5 / 6e4), sec = Math.floor(ms % 6e4 / 1000);
      return (d ? d + t("dayUnit") : "") + h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    }
    function tick() {
      var now = Date.now(), start = Date.parse(s.startDate), end = Date.parse(s.endDate);
      document.getElementById("clock").textContent = now > end ? t("ended") : (now < start ? t("opensIn") + span(start - now) : t("endsIn") + span(end - now));
    }
    // Why the button is off, without a click: sold out, not open yet, over, or closed (paused).
    function why(j) {
      var now = Date.now();
      if (j.soldOut) return T[lang].shopErrors.SOLD_OUT;
      if (j.open) return "";
      if (now < Date.parse(s.startDate)) return tf("notOpenYet", { when: localMinute(s.startDate, false) + (TZABBR ? " " + TZABBR : "") });
      if (now > Date.parse(s.endDate)) return t("ended");
      return t("closedNow");
    }
    function stock() {
      fetch("/api/v1/activities/" + s.activityId + "/stock").then(function (r) { return r.json(); }).then(function (j) {
        state = j;
        document.getElementById("stock").innerHTML = '<span class="label">' + t("stock") + '</span> <span class="value" id="remaining">' + (j.remaining == null ? "∞" : num(j.remaining)) + "</span>" + (j.limitCount != null ? " / " + num(j.limitCount) : "");
        document.getElementById("state").textContent = why(j);
        if (j.soldOut) { btn.disabled = true; btn.textContent = t("soldout"); }
        else if (!j.open) { btn.disabled = true; }
      }).catch(function () {});
    }
    function session(fresh) {
      var tok = sessionStorage.getItem("axon_demo_token");
      if (tok && !fresh) return Promise.resolve(tok);
      return fetch("/demo/api/session", { method: "POST" }).then(function (r) { if (!r.ok) throw new Error(T[lang].shopErrors.NOT_DEMO); return r.json(); })
        .then(function (j) { sessionStorage.setItem("axon_demo_token", j.token); sessionStorage.setItem("axon_demo_user", j.userId); if (window.axon) axon.identify(j.userId); return j.token; });
    }
    function call(path, tok, payload) {
      return fetch(path, { method: "POST", headers: { Authorization: "Bearer " + tok, "Content-Type": "application/json" }, body: JSON.stringify(payload) })
        .then(function (r) { return r.json().catch(function () { return { error: "OTHER" }; }).then(function (j) { j.httpStatus = r.status; return j; }); },
          function () { return { error: "NETWORK" }; });
    }
    // A refused call as an Error whose message is the shopper's sentence.
    function refused(j) { return new Error(shopMessage(j)); }
    function pay(tok, entry) {
      var modal = el('<div class="modal"><div class="card"><h2>' + t("pay") + '</h2><p>' + esc(s.name) + " · " + won(s.price) + '</p><p class="sub" id="ttl"></p><button id="pay-button">' + t("pay") + '</button> <button class="ghost" id="pay-cancel" aria-label="' + esc(t("close")) + '" title="' + esc(t("close")) + '">✕</button><div id="payres" class="sub" role="status"></div></div></div>');
      document.body.appendChild(modal);
      var exp = Date.parse(entry.expiresAt);
      var iv = setInterval(function () { var l = Math.max(0, exp - Date.now()); document.getElementById("ttl").textContent = t("payWithin") + Math.floor(l / 60000) + ":" + String(Math.floor(l % 60000 / 1000)).padStart(2, "0"); }, 500);
      modal.querySelector("#pay-cancel").onclick = function () { clearInterval(iv); modal.remove(); };
      modal.querySelector("#pay-button").onclick = function () {
        call("/api/v1/payments/prepare", tok, { reservationToken: entry.reservationToken }).then(function (p) {
          if (!p.approvalToken) throw refused(p);
          return call("/api/v1/payments/confirm", tok, { approvalToken: p.approvalToken });
        }).then(function (c) {
          if (c.status != "SUCCESS") throw refused(c);
          clearInterval(iv); modal.remove(); result.textContent = tf("paid", { n: c.purchaseId }); stock();
        }).catch(function (e) { modal.querySelector("#payres").textContent = e.message; });
      };
    }
    // An entry; an expired or foreign shopper token is renewed once, not shown as an error.
    function enter(retried) {
      return session(retried).then(function (tok) {
        return call("/api/v1/activities/" + s.activityId + "/entries", tok, { quantity: 1 }).then(function (r) {
          if (r.error == "INVALID_TOKEN" && !retried) return enter(true);
          btn.disabled = false;
          if (r.status == "SUCCESS") {
            result.textContent = tf("won", { n: r.order });
            if (r.reservationToken) pay(tok, r);
          } else { result.textContent = shopMessage(r); }
          stock();
        });
      });
    }
    btn.onclick = function () {
      btn.disabled = true;
      enter(false).catch(function (e) { btn.disabled = false; result.textContent = e.message; });
    };
    tick(); stock(); timer = setInterval(tick, 1000); setInterval(stock, 2000);
    return timer;
  }
