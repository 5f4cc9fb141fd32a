  // The ordered funnel (SPEC §5.2 `ordered`): persons who did the steps in order, optionally each
  // step within a conversion window of their first visit (?conversionWindowHours=…, a control
  // beside the breakdown selector), with the time between steps and who dropped off where.
  var WINDOWS = [1, 24, 168, 720];
  function windowChoice() { var h = +params.get("conversionWindowHours"); return WINDOWS.indexOf(h) >= 0 ? h : null; }
  function windowQuery() { var h = windowChoice(); return h ? "&conversionWindowHours=" + h : ""; }
  // What the activity page adds to its call: the breakdown and the conversion window.
  function funnelQuery() { return breakdownQuery() + windowQuery(); }
  function hoursText(h) { return h % 24 ? h + (lang == "ko" ? "시간" : " h") : h / 24 + (lang == "ko" ? "일" : h == 24 ? " day" : " days"); }
  function windowSelect() {
    var h = windowChoice();
    return '<label class="control">' + esc(t("convWindow")) + ' <select id="cw"><option value="">' + esc(t("cwNone")) + "</option>" +
      WINDOWS.map(function (x) { return '<option value="' + x + '"' + (x == h ? " selected" : "") + ">" + hoursText(x) + "</option>"; }).join("") + "</select></label>";
  }
  // Seconds as people say them: "45초", "12분", "3시간 5분", "2일 4시간".
  function duration(s) {
    if (s == null) return "–";
    var ko = lang == "ko", d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (s < 60) return s + (ko ? "초" : " s");
    if (s < 3600) return m + (ko ? "분" : " min");
    if (s < 86400) return h + (ko ? "시간" : " h") + (m ? " " + m + (ko ? "분" : " min") : "");
    return d + (ko ? "일" : " d") + (h ? " " + h + (ko ? "시간" : " h") : "");
  }
  function stepName(s) { return lang == "ko" ? s.name : s.step; }
  function orderedCard(f) {
    var u = f.ordered.users, steps = f.steps, ttc = f.timeToConvert || [];
    var rows = steps.map(function (s, i) {
      var tm = i ? ttc[i - 1] : null;
      return '<tr data-step="' + s.step + '"><td>' + esc(stepName(s)) + '</td><td data-col="ordered">' + num(u[i]) + "</td><td>" + pct(u[0] ? Math.round(u[i] / u[0] * 10000) / 100 : 0) + "</td><td>" +
        (i ? pct(u[i - 1] ? Math.round(u[i] / u[i - 1] * 10000) / 100 : 0) : "–") + '</td><td data-col="dropped">' + (i < 3 ? num(u[i] - u[i + 1]) : "–") + "</td><td>" +
        (tm ? duration(tm.medianSeconds) + " / " + duration(tm.p90Seconds) : "–") + "</td></tr>";
    }).join("");
    var h = f.ordered.conversionWindowHours;
    return el('<div class="card panel" id="ordered-card"><h2>' + esc(t("ordered")) + (h ? " · " + esc(t("convWindow")) + " " + hoursText(h) : "") + '</h2><div class="tablewrap"><table id="ordered"><tr><th>' + esc(t("step")) + "</th><th>" + esc(t("orderedUsers")) + "</th><th>" + esc(t("fromFirst")) + "</th><th>" + esc(t("fromPrev")) + "</th><th>" + esc(t("dropoff")) + "</th><th>" + esc(t("ttc")) + "</th></tr>" + rows +
      '</table></div><div class="def">' + esc(h ? t("orderedDefWindow").replace("{h}", hoursText(h)) : t("orderedDef")) + "</div></div>");
  }
  // The activity page's funnel additions: the controls on the funnel card, then the ordered
  // table, the drop-off list and the split. Drawn again on every live push: the ordered table is
  // replaced, the drop-off list keeps its page, the split stays until an answer carries one.
  function funnelExtras(d, reload) {
    var f = d && d.data && d.data.funnel, canvas = document.getElementById("funnel");
    if (!f || !canvas) return;
    var card = canvas.closest(".card"), row = card.closest(".row");
    if (!card.querySelector(".controls")) {
      card.querySelector("h2").insertAdjacentHTML("afterend", '<div class="controls">' + breakdownSelect() + windowSelect() + "</div>");
      bindBreakdown(reload);
      var cw = document.getElementById("cw");
      cw.onchange = function () { setParam("conversionWindowHours", cw.value); reload(); };
    }
    var old = document.getElementById("ordered-card"), more;
    if (old) { more = old.closest(".row"); old.replaceWith(orderedCard(f)); }
    else {
      more = el('<div class="row"></div>');
      more.appendChild(orderedCard(f));
      // The drop-off lists name persons: not on a shared page (its link grants the dashboard only).
      if (!SHARE) more.appendChild(dropoffCard(d, f));
      row.after(more);
    }
    // The split's slot follows the ordered table and the drop-off list.
    var slot = document.getElementById("bdc");
    if (slot && slot.previousElementSibling !== more) more.after(slot);
  }
