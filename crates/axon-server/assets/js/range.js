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
  function bindRange(reload, d) {
    var sd = document.getElementById("sd"), ed = document.getElementById("ed"), a = document.getElementById("apply");
    if (!sd || !ed || !a) return;
    if (d && d.startDate && d.endDate) {
      var s = Date.parse(d.startDate), e = Date.parse(d.endDate);
      // The inputs are whole business days; the window's end is exclusive.
      if (!sd.value) sd.value = localDay(d.startDate);
      if (!ed.value) ed.value = localDay(new Date(Math.max(s, e - 1)).toISOString());
      var pr = document.getElementById("prevrange");
      if (pr && comparing()) pr.textContent = t("prevRange") + " " + localRange(new Date(s - (e - s)).toISOString(), d.startDate);
    }
    var apply = a.onclick;
    a.onclick = function () {
      // A range the API would refuse is said here, beside the inputs, not as a failed page.
      if (!sd.value || !ed.value || sd.value > ed.value) { document.getElementById("rangeerr").textContent = t("rangeBad"); return; }
      apply();
    };
    var c = document.getElementById("compare");
    c.onchange = function () { setParam("compare", c.checked ? null : "off"); reload(); };
  }
