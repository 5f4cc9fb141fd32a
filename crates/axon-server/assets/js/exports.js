  // Export links: every widget's card gets a "CSV" and a "Parquet" download of that widget's
  // numbers (the API's format=csv|parquet&part=…; CSV in UTF-8 with a BOM for Excel, Parquet with
  // typed columns for DuckDB, pandas or Spark), and the activity and campaign pages both
  // downloads of the window's raw events.
  Object.assign(T.ko, { csvExport: "CSV", csvTitle: "이 위젯의 숫자를 CSV로 내려받기", parquetExport: "Parquet", parquetTitle: "이 위젯의 숫자를 Parquet으로 내려받기", rawCsv: "원시 이벤트 CSV", rawParquet: "원시 이벤트 Parquet" });
  Object.assign(T.en, { csvExport: "CSV", csvTitle: "Download this widget's numbers as CSV", parquetExport: "Parquet", parquetTitle: "Download this widget's numbers as Parquet", rawCsv: "Raw events (CSV)", rawParquet: "Raw events (Parquet)" });
  var EXPORT_FORMATS = ["csv", "parquet"];
  // The same download in another format: the href's format=csv becomes format=<format>.
  function inFormat(href, format) { return href.replace(/([?&])format=csv(?=&|$)/, "$1format=" + format); }
  function exportLink(card, name, href) {
    if (!card || !href) return;
    var h = card.querySelector("h2");
    EXPORT_FORMATS.forEach(function (f) {
      var a = card.querySelector('a[data-export="' + name + '"][data-format="' + f + '"]');
      if (!a) {
        a = el('<a class="export" data-export="' + esc(name) + '" data-format="' + f + '" download title="' + esc(t(f + "Title")) + '">' + esc(t(f + "Export")) + "</a>");
        if (h) h.appendChild(a); else card.appendChild(a);
      }
      a.href = inFormat(href, f);
    });
  }
  function rawEventsLink(path) {
    return '<a class="export raw" data-export="events" data-format="csv" download href="' + esc(path + "&format=csv") + '">' + esc(t("rawCsv")) + "</a>" +
      '<a class="export raw" data-export="events" data-format="parquet" download href="' + esc(path + "&format=parquet") + '">' + esc(t("rawParquet")) + "</a>";
  }
