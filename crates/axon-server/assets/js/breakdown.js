  // Breakdowns (SPEC §5.2 `breakdown=`): the funnel and overview figures split by one property
  // — utm_source, referrer domain, device, browser, grade or region — chosen in a selector kept
  // in the URL (?breakdown=…) and shown as the API's rows (top 10 by visits, then "other").
  var DIMENSIONS = ["utm_source", "referrerDomain", "device", "browser", "grade", "region"];
  function breakdownChoice() { var b = params.get("breakdown"); return DIMENSIONS.indexOf(b) >= 0 ? b : ""; }
  function breakdownQuery() { var b = breakdownChoice(); return b ? "&breakdown=" + b : ""; }
  function breakdownSelect() {
    var b = breakdownChoice();
    return '<label class="control">' + esc(t("splitBy")) + ' <select id="bd"><option value="">' + esc(t("bdNone")) + "</option>" +
      DIMENSIONS.map(function (d) { return '<option value="' + d + '"' + (d == b ? " selected" : "") + ">" + esc(t("dims")[d] || d) + "</option>"; }).join("") + "</select></label>";
  }
  function bindBreakdown(reload) {
    var s = document.getElementById("bd");
    if (s) s.onchange = function () { setParam("breakdown", s.value); reload(); };
  }
  // The split as a card: one row per value with the funnel steps and the overview's figures.
  function breakdownCard(b, withSelect) {
    var head = "<h2>" + esc(t("breakdown")) + (b ? " · " + esc(t("dims")[b.dimension] || b.dimension) : "") + "</h2>" + (withSelect ? '<div class="controls">' + breakdownSelect() + "</div>" : "");
    if (!b) return el('<div class="card" id="breakdown-card">' + head + '<div class="def">' + esc(t("bdHint")) + "</div></div>");
    var cols = [["value", function (r) { return esc(r.value); }], ["visits", function (r) { return num(r.totalVisits); }], ["unique", function (r) { return num(r.uniqueVisitors); }],
      ["participants", function (r) { return num(r.totalParticipants); }], ["approved", function (r) { return num(r.approvedCount); }], ["purchases", function (r) { return num(r.purchaseCount); }],
      ["gmv", function (r) { return won(r.gmv); }], ["eng", function (r) { return pct(r.engagementRate); }], ["conv", function (r) { return pct(r.conversionRate); }]];
    var rows = b.rows.length ? b.rows.map(function (r) { return "<tr>" + cols.map(function (c) { return '<td data-col="' + c[0] + '">' + c[1](r) + "</td>"; }).join("") + "</tr>"; }).join("")
      : '<tr><td colspan="' + cols.length + '">' + esc(t("noData")) + "</td></tr>";
    return el('<div class="card" id="breakdown-card">' + head + '<div class="tablewrap"><table id="breakdown"><tr>' + cols.map(function (c) { return "<th>" + esc(t(c[0])) + "</th>"; }).join("") + "</tr>" + rows + '</table></div><div class="def">' + esc(def("breakdown")) + "</div></div>");
  }
  // The split card of a page in its slot (`slotId`), with the selector when `withSelect`: a hint
  // until a split is chosen and answered.
  function splitSlot(slotId, reload, b, withSelect) {
    var slot = document.getElementById(slotId);
    if (!slot) return;
    slot.innerHTML = "";
    slot.appendChild(breakdownCard(b, withSelect));
    if (withSelect) bindBreakdown(reload);
  }
  // The board widget of a chosen split (none when no split is chosen): answered by `widget`'s
  // request with the breakdown, drawn from those answers only (`live: false`).
  function splitWidgets(slotId, reload, withSelect) {
    return breakdownChoice() ? [{ name: "breakdown", live: false, cards: [slotId], pick: function (d) { return d.data && d.data.breakdown; },
      draw: function (b) { splitSlot(slotId, reload, b, withSelect); } }] : [];
  }
  // A board's widget names as the API's: the split is asked of `widget` with the breakdown.
  function splitPath(names, widget) {
    var split = names.indexOf("breakdown") >= 0;
    var api = names.map(function (n) { return n == "breakdown" ? widget : n; }).filter(function (n, i, all) { return all.indexOf(n) == i; });
    return "widgets=" + api.join(",") + (split ? breakdownQuery() : "");
  }
