  // The date range and "compare with previous period", beside the period buttons of toolbar():
  // the chosen range and the comparison switch live in the URL (?period=custom&startDate=…&
  // endDate=…&compare=off), so a reload or a shared link shows the same view.
  function setParam(k, v) {
    if (v == null || v === "") params.delete(k); else params.set(k, v);
    history.replaceState(null, "", "?" + params);
  }
  function comparing() { return params.get("compare") != "off"; }
  function rangeControls() {
    return '<label class="compare"><input type="checkbox" id="compare"' + (comparing() ? " checked" : "") + "> " + esc(t("comparePrev")) + '</label><span class="def" id="prevrange"></span><span class="error inline" id="rangeerr" role="alert"></span>';
  }
  // `d` (the answer shown) fills the date inputs with the window on screen and names the
  // previous window the change badges compare with.
  // The answer's window in the date inputs (whole business days; the end is exclusive) and the
  // previous period it is compared with; called again with each answer of a live page.
  function showRange(d) {
    var sd = document.getElementById("sd"), ed = document.getElementById("ed");
    if (!sd || !ed || !d || !d.startDate || !d.endDate) return;
    var s = Date.parse(d.startDate), e = Date.parse(d.endDate);
    if (!sd.value) sd.value = localDay(d.startDate);
    if (!ed.value) ed.value = localDay(new Date(Math.max(s, e - 1)).toISOString());
    var pr = document.getElementById("prevrange");
    if (pr && comparing()) pr.textContent = t("prevRange") + " " + localRange(new Date(s - (e - s)).toISOString(), d.startDate);
  }
  function bindRange(reload, d) {
    var sd = document.getElementById("sd"), ed = document.getElementById("ed"), a = document.getElementById("apply");
    if (!sd || !ed || !a) return;
    showRange(d);
    var apply = a.onclick;
    a.onclick = function () {
      // A range the API would refuse is said here, beside the inputs, not as a failed page.
      if (!sd.value || !ed.value || sd.value > ed.value) { document.getElementById("rangeerr").textContent = t("rangeBad"); return; }
      apply();
    };
    var c = document.getElementById("compare");
    c.onchange = function () { setParam("compare", c.checked ? null : "off"); reload(); };
  }
