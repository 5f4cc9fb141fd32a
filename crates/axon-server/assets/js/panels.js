  // A dashboard as widgets, each drawn into its own cards. A widget whose request or drawing
  // fails shows the error and a retry button in its cards; the rest of the page keeps working.
  // Live pushes redraw every widget they carry (which also heals a failed one) in place: charts
  // update, nothing else on the page is re-created.
  //   board({ path: function (names) → the REST path for these API widgets,
  //           together: true when one request answers every widget (the overview),
  //           answer: function (d) → false to draw nothing from this answer,
  //           widgets: [{ name: API widget, cards: [element ids], pick?: function (d) → part,
  //                       draw: function (part, d) }] })
  // returns { push: function (d) } for the live stream and { reload } to load every widget again.
  function board(b) {
    function part(w, d) { return w.pick ? w.pick(d) : d && d.data && d.data[w.name]; }
    function cards(w) { return w.cards.map(function (c) { return document.getElementById(c); }).filter(Boolean); }
    function draw(w, d) {
      try {
        var p = part(w, d);
        if (p == null) throw new Error(t("noPart") + " (" + w.name + ")");
        w.draw(p, d);
        w.shown = (w.shown || 0) + 1;
        if (b.csv) exportLink(cards(w)[0], w.name, b.csv(w.name));
        cards(w).forEach(function (c) { c.classList.remove("failed"); var e = c.querySelector(":scope > .werr"); if (e) e.remove(); });
      } catch (e) { fail(w, e); }
    }
    function fail(w, e) {
      cards(w).forEach(function (c) {
        c.classList.add("failed");
        var box = c.querySelector(":scope > .werr");
        if (!box) { box = el('<div class="werr" role="alert"></div>'); c.appendChild(box); }
        box.innerHTML = '<span class="error">' + esc(t("error")) + ": " + esc(e && e.message || e) + '</span> <button class="ghost" type="button" data-retry="' + esc(w.name) + '">' + esc(t("retry")) + "</button>";
        box.querySelector("button").onclick = function () { this.disabled = true; this.textContent = t("loading"); load(b.together ? b.widgets : [w]); };
      });
    }
    // An answer (or failure) that comes back after a live push drew the widget is older news:
    // it is dropped rather than drawn over the newer state.
    function load(ws) {
      var seen = ws.map(function (w) { return w.shown || 0; });
      var fresh = function (w, i) { return (w.shown || 0) === seen[i]; };
      api(b.path(ws.map(function (w) { return w.name; }))).then(function (d) {
        var now = ws.filter(fresh);
        if (!now.length || (b.answer && b.answer(d) === false)) return;
        now.forEach(function (w) { draw(w, d); });
      }).catch(function (e) {
        if (e && e.message == "login") return;
        ws.filter(fresh).forEach(function (w) { fail(w, e); });
      });
    }
    function start() { if (b.together) load(b.widgets); else b.widgets.forEach(function (w) { load([w]); }); }
    start();
    // A widget with `live: false` (a breakdown: the stream does not compute splits) is drawn
    // from its own answers only, so pushes neither redraw it nor make its answer stale.
    return { reload: start, push: function (d) { if (b.answer && b.answer(d) === false) return; b.widgets.forEach(function (w) { if (w.live !== false) draw(w, d); }); } };
  }
