  // Colour cells (heat map, retention matrix): a share 0…1 as a shade from near-white to deep
  // blue, and the text colour that reads best on it — white or black, whichever contrasts more
  // (one of the two always reaches WCAG's 4.5:1), so every number stays legible.
  var HEAT_LO = [240, 243, 255], HEAT_HI = [28, 52, 160];
  function luminance(rgb) {
    return rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
      .reduce(function (s, v, i) { return s + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }
  function heatStyle(share) {
    var f = Math.max(0, Math.min(1, share || 0));
    var rgb = HEAT_LO.map(function (lo, i) { return Math.round(lo + (HEAT_HI[i] - lo) * f); });
    var l = luminance(rgb), onWhite = 1.05 / (l + 0.05), onBlack = (l + 0.05) / 0.05;
    return "background:rgb(" + rgb.join(",") + ");color:" + (onWhite >= onBlack ? "#fff" : "#000");
  }
