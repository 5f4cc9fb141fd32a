/* Axon tracker (SPEC §2.3). No dependencies. Config: window.axonConfig = {endpoint, writeKey,
   userId: value or function, requireConsent, respectDnt, cookieless} or data-endpoint /
   data-write-key / data-user-id / data-require-consent / data-respect-dnt / data-cookieless on
   the script tag.
   - requireConsent: nothing is stored in the browser and nothing is sent (not even the event
     definitions are fetched) before axon.consent(true); axon.consent(false) withdraws it and
     removes what the tracker stored. The decision itself is remembered (axon_consent).
   - respectDnt: with Do-Not-Track or Global Privacy Control on, the tracker does nothing.
   - cookieless: no persistent identifiers: the anonymous and session ids live for one page load
     and nothing is written to localStorage (returning visitors count again; see docs). */
(function (w, d) {
  "use strict";
  if (w.axon && w.axon.__loaded) return;
  var me = d.currentScript || {};
  var ds = me.dataset || {};
  var cfg = w.axonConfig || {};
  var base = cfg.endpoint || ds.endpoint || (me.src ? new URL(me.src).origin : location.origin);
  var key = cfg.writeKey || ds.writeKey || "";
  function flag(name, attr) { var v = cfg[name] != null ? cfg[name] : ds[attr]; return v === true || v === "" || v === "true" || v === "1"; }
  var requireConsent = flag("requireConsent", "requireConsent"), cookieless = flag("cookieless", "cookieless");
  var dnt = flag("respectDnt", "respectDnt") && (navigator.doNotTrack == "1" || w.doNotTrack == "1" || navigator.globalPrivacyControl === true);
  var C = "axon_consent", memory = {};
  var LS = w.localStorage, Q = "axon_queue", A = "axon_anon", S = "axon_session", U = "axon_user";
  var defs = [], queue = [], last = {}, timer = 0, backoff = 1000, sending = false;
  function rawGet(k) { try { return LS.getItem(k); } catch (e) { return null; } }
  var consented = requireConsent ? (cookieless ? false : rawGet(C) === "1") : true;
  // May the tracker record at all (consent, DNT/GPC), and may it keep anything in the browser?
  function allowed() { return !dnt && consented; }
  function storing() { return allowed() && !cookieless; }
  function get(k) { if (!storing()) return memory[k] == null ? null : memory[k]; return rawGet(k); }
  function set(k, v) { if (!storing()) { if (allowed()) memory[k] = v; return; } try { LS.setItem(k, v); } catch (e) {} }
  function forget() { [A, S, U, Q].forEach(function (k) { try { LS.removeItem(k); } catch (e) {} }); memory = {}; queue = []; }
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
    if (!allowed()) return;
    var e = { eventId: rid(), eventName: name, triggerType: trigger, userId: user(), anonymousId: anon(), sessionId: session(),
      pageUrl: location.href, referrer: d.referrer || undefined, userAgent: navigator.userAgent, occurredAt: new Date().toISOString(),
      properties: Object.assign({}, cfg.properties || (ds.properties ? JSON.parse(ds.properties) : {}), props || {}) };
    queue.push(e);
    if (queue.length >= 20) flush(); else if (!timer) timer = setTimeout(flush, 1000);
  }
  function url() { return base + "/api/v1/behavior/events" + (key ? "?key=" + encodeURIComponent(key) : ""); }
  function persist() { if (!storing()) return; var q = JSON.parse(get(Q) || "[]").concat(queue.splice(0)); set(Q, JSON.stringify(q.slice(-500))); }
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
    if (!allowed()) return;
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
    reload: load,
    // The visitor's decision (requireConsent): true starts tracking with this page's view;
    // false stops it and removes the identifiers and queue the tracker kept.
    consent: function (yes) {
      if (!yes) { consented = false; forget(); if (!cookieless) try { LS.setItem(C, "0"); } catch (e) {} return; }
      consented = true;
      if (!cookieless) try { LS.setItem(C, "1"); } catch (e) {}
      if (defs.length) pageViews(); else load();
    }
  };
  load();
  setInterval(load, 300000);
  if (get(Q) && get(Q) != "[]") setTimeout(flush, 500);
})(window, document);
