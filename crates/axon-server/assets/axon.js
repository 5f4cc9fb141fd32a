/* Axon tracker (SPEC §2.3). No dependencies. Config: window.axonConfig = {endpoint, writeKey,
   userId: value or function} or data-endpoint / data-write-key / data-user-id on the script tag. */
(function (w, d) {
  "use strict";
  if (w.axon && w.axon.__loaded) return;
  var me = d.currentScript || {};
  var ds = me.dataset || {};
  var cfg = w.axonConfig || {};
  var base = cfg.endpoint || ds.endpoint || (me.src ? new URL(me.src).origin : location.origin);
  var key = cfg.writeKey || ds.writeKey || "";
  var LS = w.localStorage, Q = "axon_queue", A = "axon_anon", S = "axon_session", U = "axon_user";
  var defs = [], queue = [], last = {}, timer = 0, backoff = 1000, sending = false;
  function get(k) { try { return LS.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { LS.setItem(k, v); } catch (e) {} }
  function rid() { return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) { var r = Math.random() * 16 | 0; return (c == "x" ? r : (r & 3 | 8)).toString(16); }); }
  function anon() { var a = get(A); if (!a) { a = "a-" + rid(); set(A, a); } return a; }
  function session() {
    var now = Date.now(), s = (get(S) || "").split("|");
    var id = s[0] && now - (+s[1] || 0) < 1800000 ? s[0] : "s-" + rid();
    set(S, id + "|" + now); return id;
  }
  function user() {
    var u = typeof cfg.userId == "function" ? cfg.userId() : (cfg.userId || ds.userId || get(U));
    return u == null || u === "" ? undefined : String(u);
  }
  function glob(p, s) { return new RegExp("^" + p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$").test(s); }
  function cool(id) { var n = Date.now(); if (last[id] && n - last[id] < 1500) return false; last[id] = n; return true; }
  function event(trigger, name, props) {
    var e = { eventId: rid(), eventName: name, triggerType: trigger, userId: user(), anonymousId: anon(), sessionId: session(),
      pageUrl: location.href, referrer: d.referrer || undefined, userAgent: navigator.userAgent, occurredAt: new Date().toISOString(),
      properties: Object.assign({}, cfg.properties || (ds.properties ? JSON.parse(ds.properties) : {}), props || {}) };
    queue.push(e);
    if (queue.length >= 20) flush(); else if (!timer) timer = setTimeout(flush, 1000);
  }
  function url() { return base + "/api/v1/behavior/events" + (key ? "?key=" + encodeURIComponent(key) : ""); }
  function persist() { var q = JSON.parse(get(Q) || "[]").concat(queue.splice(0)); set(Q, JSON.stringify(q.slice(-500))); }
  function flush(beacon) {
    clearTimeout(timer); timer = 0;
    var batch = JSON.parse(get(Q) || "[]").concat(queue.splice(0));
    set(Q, "[]");
    if (!batch.length) return;
    batch = batch.slice(0, 1000);
    var body = JSON.stringify(batch);
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(url(), new Blob([body], { type: "text/plain" }))) return;
    if (sending && !beacon) { queue = batch.concat(queue); persist(); return; }
    sending = true;
    fetch(url(), { method: "POST", body: body, headers: { "Content-Type": "text/plain" }, keepalive: body.length < 60000 })
      .then(function (r) {
        sending = false;
        if (r.status >= 500 || r.status == 429) throw 0;
        backoff = 1000;
      })
      .catch(function () {
        sending = false; queue = batch.concat(queue); persist();
        setTimeout(flush, backoff); backoff = Math.min(backoff * 2, 60000);
      });
  }
  function pageViews() {
    var path = location.pathname, pq = path + location.search;
    defs.forEach(function (x) {
      var p = x.triggerType == "PAGE_VIEW" && x.triggerPayload && x.triggerPayload.urlPattern;
      if (p && (glob(p, pq) || glob(p, path)) && cool(x.id)) event("PAGE_VIEW", x.name, { definitionId: x.id });
    });
  }
  function load() {
    fetch(base + "/api/v1/event-definitions/active").then(function (r) { return r.json(); })
      .then(function (j) { var first = !defs.length; defs = j.definitions || []; if (first) pageViews(); }).catch(function () {});
  }
  d.addEventListener("click", function (ev) {
    var t = ev.target;
    defs.forEach(function (x) {
      var sel = x.triggerType == "CLICK" && x.triggerPayload && x.triggerPayload.selector;
      if (sel && t && t.closest && t.closest(sel) && cool(x.id)) event("CLICK", x.name, { definitionId: x.id, selector: sel });
    });
  }, true);
  ["pushState", "replaceState"].forEach(function (m) {
    var orig = history[m];
    history[m] = function () { var r = orig.apply(this, arguments); setTimeout(pageViews, 0); return r; };
  });
  w.addEventListener("popstate", pageViews);
  d.addEventListener("visibilitychange", function () { if (d.visibilityState == "hidden") flush(true); });
  w.addEventListener("pagehide", function () { flush(true); });
  w.addEventListener("online", function () { flush(); });
  w.axon = {
    __loaded: true,
    track: function (name, props, trigger) { event(trigger || "CLICK", name, props); },
    identify: function (id) { set(U, String(id)); cfg.userId = String(id); },
    flush: function () { flush(); },
    reload: load
  };
  load();
  setInterval(load, 300000);
  if (get(Q) && get(Q) != "[]") setTimeout(flush, 500);
})(window, document);
