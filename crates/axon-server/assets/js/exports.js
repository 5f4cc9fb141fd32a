  // Export links: every widget's card gets a "CSV" download of that widget's numbers (the API's
  // format=csv&part=…, UTF-8 with a BOM for Excel), and the activity and campaign pages a
  // download of the window's raw events.
  Object.assign(T.ko, { csvExport: "CSV", csvTitle: "이 위젯의 숫자를 CSV로 내려받기", rawCsv: "원시 이벤트 CSV" });
  Object.assign(T.en, { csvExport: "CSV", csvTitle: "Download this widget's numbers as CSV", rawCsv: "Raw events (CSV)" });
  function exportLink(card, name, href) {
    if (!card || !href) return;
    var a = card.querySelector('a[data-export="' + name + '"]');
    if (!a) {
      a = el('<a class="export" data-export="' + esc(name) + '" download title="' + esc(t("csvTitle")) + '">' + esc(t("csvExport")) + "</a>");
      var h = card.querySelector("h2");
      if (h) h.appendChild(a); else card.appendChild(a);
    }
    a.href = href;
  }
  function rawEventsLink(path) {
    return '<a class="export raw" data-export="events" download href="' + esc(path) + '">' + esc(t("rawCsv")) + "</a>";
  }
