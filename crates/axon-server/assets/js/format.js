  // Formatting (business time zone, ko-KR numbers), escaping, the API call and charts.
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
    opts = Object.assign({ credentials: "same-origin" }, opts || {});
    // A shared page's calls carry its token (share.js).
    if (SHARE) opts.headers = Object.assign({ "X-Axon-Share": SHARE }, opts.headers || {});
    return fetch(path, opts).then(function (r) {
      if (r.status == 401 && !SHARE) { location.href = "/admin/login?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("login"); }
      // A failure keeps the API's stable `error` code, for words in the reader's language.
      return r.json().then(function (j) { if (SHARE && /^SHARE_(REVOKED|EXPIRED|NOT_FOUND)$/.test(j.error)) shareClosed(j.error); if (!r.ok) { var e = new Error(j.message || r.status); e.code = j.error; throw e; } return j; });
    });
  }
  function fail(e) { app.innerHTML = '<div class="error">' + esc(t("error")) + ": " + esc(e.message) + "</div>"; }
  var charts = {};
  // Numbers, not motion: charts draw their final state at once (and screenshots show it).
  if (window.Chart) Chart.defaults.animation = false;
  // The same canvas again (a live push, a retry) updates the chart in place; a new canvas gets
  // a new chart.
  function chart(key, canvas, cfg) {
    var c = charts[key];
    if (c && c.canvas === canvas && c.config.type === cfg.type) { c.data = cfg.data; c.options = cfg.options || {}; c.update(); return c; }
    if (c) c.destroy();
    charts[key] = new Chart(canvas, cfg);
    return charts[key];
  }
