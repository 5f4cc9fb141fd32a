  // Start-up: the language toggle, then the page named by <body data-page>.
  document.querySelectorAll("[data-lang]").forEach(function (b) { b.onclick = function () { localStorage.setItem("axon_lang", b.dataset.lang); location.reload(); }; });
  document.documentElement.lang = lang;
  chrome();
  // A shared page opens on its link's period unless the reader picked another.
  if (SHARE && !params.get("period") && body.dataset.period) params.set("period", body.dataset.period);
  ({ activity: activityPage, campaign: campaignPage, overview: overviewPage, cohort: cohortPage, campaigns: campaignsPage, shop: shopPage, operations: operationsPage }[page] || function () {})();
})();
