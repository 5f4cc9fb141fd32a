  // An activity nothing was collected for yet (hasData false): how to install the tracker
  // (docs/integration.md §1, served at /docs/integration) instead of charts of zeros.
  function trackerSnippet(activityId) {
    return "<script>\n  window.axonConfig = {\n    // writeKey: \"…\",              // when the server sets AXON_WRITE_KEY\n" +
      "    properties: { activityId: " + activityId + " } // every event of this page counts for activity " + activityId + "\n  };\n</script>\n" +
      '<script async src="' + location.origin + '/axon.js"></script>';
  }
  function emptyState(activityId) {
    var box = el('<div class="card empty" id="empty"><h2>' + esc(t("emptyTitle")) + "</h2><p>" + esc(t("emptyHelp")) + "</p>" +
      '<div class="snippet"><pre><code>' + esc(trackerSnippet(activityId)) + '</code></pre><button class="ghost" type="button" data-copy>' + esc(t("copy")) + "</button></div>" +
      '<p class="def">' + esc(t("emptyDefs")) + '</p><p><a href="/docs/integration#1-the-tracker" target="_blank" rel="noopener">' + esc(t("guide")) + " →</a></p></div>");
    var copy = box.querySelector("[data-copy]");
    copy.onclick = function () {
      var done = function () { copy.textContent = t("copied"); };
      if (navigator.clipboard) navigator.clipboard.writeText(trackerSnippet(activityId)).then(done, function () {});
    };
    return box;
  }
