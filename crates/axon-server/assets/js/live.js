  // The live stream (SPEC §5.6): one SSE stream per page for all its widgets. It reconnects with
  // our own exponential backoff (1 s, 2 s, 4 s … at most 30 s, back to 1 s once data flows
  // again) instead of EventSource's built-in retry, which retries at a fixed pace and never
  // says so; the first push after a (re)connect is the current answer, so a reconnect refreshes
  // every widget. The badge and every .live dot say whether the page is live right now.
  var LIVE_FIRST_MS = 1000, LIVE_CAP_MS = 30000;
  var stream = { es: null, timer: 0, delay: LIVE_FIRST_MS, gen: 0, now: null };
  function liveBadge() { return '<span class="livestat" role="status"><span class="live"></span><span class="livetext">' + esc(t("liveWait")) + "</span></span>"; }
  // A page heading with the badge after the name.
  function badged(h1) { return h1.replace(/<\/h1>$/, liveBadge() + "</h1>"); }
  function liveState(s) {
    body.dataset.live = s;
    document.querySelectorAll(".livetext").forEach(function (e) { e.textContent = t(s == "on" ? "live" : "liveLost"); });
  }
  function live(path, onUpdate) {
    // A new page (or period) replaces the stream; callbacks of an older one are ignored.
    var gen = ++stream.gen;
    clearTimeout(stream.timer);
    stream.delay = LIVE_FIRST_MS;
    function connect() {
      if (gen != stream.gen) return;
      clearTimeout(stream.timer);
      if (stream.es) stream.es.close();
      var es = stream.es = new EventSource(SHARE ? path + "&share=" + encodeURIComponent(SHARE) : path);
      es.addEventListener("dashboard-update", function (e) {
        if (es != stream.es) return;
        stream.delay = LIVE_FIRST_MS;
        liveState("on");
        var d;
        try { d = JSON.parse(e.data); } catch (err) { return; }
        onUpdate(d);
      });
      es.onerror = function () {
        if (gen != stream.gen || es != stream.es) return;
        es.close();
        liveState("off");
        // A shared page asks why: a revoked or expired link replaces the page with the reason.
        if (SHARE) shareContext().catch(function () {});
        stream.timer = setTimeout(connect, stream.delay);
        stream.delay = Math.min(stream.delay * 2, LIVE_CAP_MS);
      };
    }
    // Back online: try at once rather than after the rest of the wait.
    stream.now = function () { if (gen == stream.gen && body.dataset.live == "off") connect(); };
    connect();
  }
  window.addEventListener("online", function () { if (stream.now) stream.now(); });
