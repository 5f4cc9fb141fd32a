  // Entry filters (SPEC §3.3), for people: the editor of the activity form (a row per filter: its
  // type, its comparison and the inputs that type takes — grade checkboxes, a region list, age
  // numbers, purchase date-times in the business zone), which reads and writes exactly the
  // API's filter JSON; and a failed filter as the shopper reads it.
  var FILTER_OPS = { GRADE: ["IN", "NOT_IN"], AGE: ["GTE", "LTE", "BETWEEN", "NOT_GTE", "NOT_LTE", "NOT_BETWEEN"], REGION: ["IN", "NOT_IN"], RECENT_PURCHASE: ["GTE", "LTE", "BETWEEN", "NOT_BETWEEN"] };
  var GRADES = ["BRONZE", "SILVER", "GOLD", "PLATINUM", "DIAMOND", "VIP", "VVIP", "VVVIP"];
  // Suggestions for the region list (profiles' regions are "시도" or "시도-시군구").
  var REGIONS = ["서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시", "세종특별자치시", "경기도", "강원특별자치도",
    "충청북도", "충청남도", "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도"];
  function twoValues(op) { return op == "BETWEEN" || op == "NOT_BETWEEN"; }
  function opLabel(type, op) { return type == "RECENT_PURCHASE" ? label("dateOps", op) : label("filterOps", op); }
  // A stored purchase time as a datetime-local value in the business zone: an instant with an
  // offset is converted, a bare date is its midnight, a civil time is kept as written.
  function civilInput(v) {
    v = String(v || "").trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v + "T00:00";
    if (/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) { var p = parts(v); return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute; }
    return v.replace(" ", "T");
  }
  // The same time as people read it: "2026-09-01" at midnight, else "2026-09-01 10:30".
  function civilText(v) { var c = civilInput(v).replace("T", " ").slice(0, 16); return / 00:00$/.test(c) ? c.slice(0, 10) : c; }

  function filterRow(f) {
    var row = el('<div class="filter-row"><select name="ftype" aria-label="' + esc(t("filterType")) + '">' +
      Object.keys(FILTER_OPS).map(function (k) { return '<option value="' + k + '">' + esc(label("filterTypes", k)) + "</option>"; }).join("") +
      '</select><select name="fop" aria-label="' + esc(t("filterOp")) + '"></select><span class="fvals"></span>' +
      '<input type="button" class="ghost filter-remove" value="✕" aria-label="' + esc(t("filterRemove")) + '" title="' + esc(t("filterRemove")) + '"></div>');
    var type = row.querySelector("[name=ftype]"), op = row.querySelector("[name=fop]"), vals = row.querySelector(".fvals");
    function ops(keep) {
      op.innerHTML = FILTER_OPS[type.value].map(function (o) { return '<option value="' + o + '">' + esc(opLabel(type.value, o)) + "</option>"; }).join("");
      if (FILTER_OPS[type.value].indexOf(keep) >= 0) op.value = keep;
    }
    // The inputs of the row's type; values already typed survive a change of comparison.
    function inputs(values) {
      var k = type.value, two = twoValues(op.value), a = values[0] == null ? "" : values[0], b = values[1] == null ? "" : values[1];
      if (k == "GRADE") {
        vals.innerHTML = '<span class="grades">' + GRADES.map(function (g) { return '<label><input type="checkbox" value="' + g + '"' + (values.indexOf(g) >= 0 ? " checked" : "") + ">" + g + "</label>"; }).join("") + "</span>";
      } else if (k == "REGION") {
        vals.innerHTML = '<input name="fregion" list="regions" aria-label="' + esc(t("regionList")) + '" placeholder="' + esc(t("regionPh")) + '" value="' + esc(values.join(", ")) + '">';
      } else if (k == "AGE") {
        var n = function (name, v, l) { return '<input type="number" name="' + name + '" min="0" max="150" step="1" aria-label="' + esc(t(l)) + '" value="' + esc(v) + '">'; };
        vals.innerHTML = n("fa", a, "ageFrom") + (two ? " ~ " + n("fb", b, "ageTo") : "") + " " + esc(t("years"));
      } else {
        var d = function (name, v, l) { v = v === "" ? "" : civilInput(v); return '<input type="datetime-local" name="' + name + '"' + (v.length > 16 ? ' step="1"' : "") + ' aria-label="' + esc(t(l) + " (" + TZABBR + ")") + '" value="' + esc(v) + '">'; };
        vals.innerHTML = d("fa", a, "whenFrom") + (two ? " ~ " + d("fb", b, "whenTo") : "") + " " + esc(TZABBR);
      }
    }
    function current() { var f = readRow(row); return f.values; }
    type.value = f.type; ops(f.operator); inputs(f.values || []);
    type.onchange = function () { ops(op.value); inputs([]); };
    op.onchange = function () { inputs(current()); };
    row.querySelector(".filter-remove").onclick = function () { row.remove(); };
    return row;
  }
  // One row as the API's filter, with `error` when it cannot be one yet (said in words).
  function readRow(row) {
    var type = row.querySelector("[name=ftype]").value, op = row.querySelector("[name=fop]").value, f = { type: type, operator: op, values: [] };
    var v = function (n) { var i = row.querySelector("[name=" + n + "]"); return i ? i.value.trim() : ""; };
    if (type == "GRADE") {
      row.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) { f.values.push(c.value); });
      if (!f.values.length) f.error = t("needGrade");
    } else if (type == "REGION") {
      f.values = v("fregion").split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean);
      if (!f.values.length) f.error = t("needRegion");
    } else {
      var raw = twoValues(op) ? [v("fa"), v("fb")] : [v("fa")];
      if (type == "AGE") {
        if (raw.some(function (x) { return !/^\d+$/.test(x); })) f.error = t("needAge");
        f.values = raw.map(function (x) { return /^\d+$/.test(x) ? +x : x; });
      } else {
        if (raw.some(function (x) { return !x; })) f.error = t("needWhen");
        f.values = raw;
      }
      if (!f.error && raw.length == 2 && (type == "AGE" ? f.values[0] > f.values[1] : raw[0] > raw[1])) f.error = t("needOrder");
    }
    return f;
  }
  // The editor: rows for `filters` (the API's JSON), an add button, and a reader.
  function filterEditor(box, add, filters) {
    box.innerHTML = "";
    (filters || []).forEach(function (f) { box.appendChild(filterRow(f)); });
    add.onclick = function () { box.appendChild(filterRow({ type: "GRADE", operator: "IN", values: [] })); };
    if (!document.getElementById("regions")) document.body.appendChild(el('<datalist id="regions">' + REGIONS.map(function (r) { return "<option>" + esc(r) + "</option>"; }).join("") + "</datalist>"));
    return function read() {
      var out = [], error = null;
      box.querySelectorAll(".filter-row").forEach(function (row, i) {
        var f = readRow(row);
        if (f.error && !error) error = tf("filterErr", { n: i + 1, what: f.error });
        out.push({ type: f.type, operator: f.operator, values: f.values });
      });
      return { filters: out, error: error };
    };
  }
  // A failed filter as the shopper reads it: "GOLD, VIP 등급 고객만 참여할 수 있습니다." and what
  // the profile lacked, if anything.
  function filterRule(f, missing) {
    if (!f || !f.type) return t("shopErrors").NOT_ELIGIBLE;
    var v = (f.values || []).map(function (x) { return f.type == "RECENT_PURCHASE" ? civilText(x) : String(x); });
    var rule = T[lang].rules[f.type + "_" + f.operator];
    var text = rule ? rule.replace("{list}", v.join(", ")).replace("{a}", v[0] || "").replace("{b}", v[1] || "") : t("shopErrors").NOT_ELIGIBLE;
    var lack = missing && T[lang].missing[missing];
    return lack ? text + " " + lack : text;
  }
