  // Start-up: the language toggle, then the page named by <body data-page>.
  document.querySelectorAll("[data-lang]").forEach(function (b) { b.onclick = function () { localStorage.setItem("axon_lang", b.dataset.lang); location.reload(); }; });
  document.documentElement.lang = lang;
  chrome();
  ({ activity: activityPage, campaign: campaignPage, overview: overviewPage, cohort: cohortPage, campaigns: campaignsPage, shop: shopPage, operations: operationsPage }[page] || function () {})();
})();
