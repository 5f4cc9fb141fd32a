  /* Annotations (issue 17 §5) on the time charts: a dashed vertical marker with the note's
     text at the bucket (day or hour) that holds its moment, and the list of the window's notes
     under the heading. The answer's `annotations` carry them (an activity's own and its
     campaign's; a campaign's own and its activities'). Each chart's canvas lists the texts it
     marks in data-notes (what a browser check reads: a canvas has no DOM). */
  var NOTE_COLOR = "#c2255c";
  if (window.Chart) Chart.register({ id: "axonNotes", afterDatasetsDraw: function (c) {
    var o = c.options.plugins && c.options.plugins.axonNotes;
    if (!o || !o.marks || !o.marks.length || !c.scales.x) return;
    var x = c.scales.x, area = c.chartArea, g = c.ctx;
    g.save();
    g.font = "11px sans-serif";
    o.marks.forEach(function (m, i) {
      var px = x.getPixelForValue(m.index);
      g.strokeStyle = NOTE_COLOR; g.lineWidth = 1.5; g.setLineDash([4, 3]);
      g.beginPath(); g.moveTo(px, area.top); g.lineTo(px, area.bottom); g.stroke();
      g.setLineDash([]); g.fillStyle = NOTE_COLOR;
      var w = g.measureText(m.text).width;
      g.fillText(m.text, Math.max(area.left, Math.min(px + 3, area.right - w)), area.top + 11 + (i % 3) * 12);
    });
    g.restore();
  } });
  // Markers on a chart of business days (labels YYYY-MM-DD).
  function dayMarks(notes, days) {
    return (notes || []).map(function (n) { return { index: days.indexOf(localDay(n.at)), text: n.text }; }).filter(function (m) { return m.index >= 0; });
  }
  // Markers on a chart of buckets starting at `starts` (ms), `len` ms long.
  function bucketMarks(notes, starts, len) {
    return (notes || []).map(function (n) {
      var at = Date.parse(n.at), i = -1;
      starts.forEach(function (s, k) { if (at >= s && at < s + len) i = k; });
      return { index: i, text: n.text };
    }).filter(function (m) { return m.index >= 0; });
  }
  function withNotes(cfg, canvas, marks) {
    cfg.options = cfg.options || {};
    cfg.options.plugins = Object.assign({}, cfg.options.plugins, { axonNotes: { marks: marks } });
    if (canvas) canvas.dataset.notes = JSON.stringify(marks.map(function (m) { return m.text; }));
    return cfg;
  }
  // The window's notes as a line of chips after the page's range line.
  function notesStrip(d) {
    var box = document.getElementById("notes");
    if (!box) { box = el('<div class="notes" id="notes" aria-label="' + esc(t("notes")) + '"></div>'); var sub = app.querySelector(".sub"); if (sub) sub.after(box); else return; }
    var notes = d && d.annotations || [];
    box.hidden = !notes.length;
    box.innerHTML = notes.length ? '<span class="def">' + esc(t("notes")) + "</span> " + notes.map(function (n) {
      return '<span class="note" data-note="' + n.id + '" title="' + esc(n.scope === "CAMPAIGN" ? t("campaignTag") : t("activityTag")) + " #" + n.scopeId + '">' + esc(localMinute(n.at)) + " · " + esc(n.text) + "</span>";
    }).join(" ") : "";
  }
