/* Axon dashboards: renders each page from the JSON API (the same numbers the API returns),
   Korean by default with an English toggle, live updates over SSE.
   Served as /assets/app.js: the files of assets/js/ concatenated in the order pages/mod.rs lists
   them, inside this one function scope (prelude.js opens it, main.js closes it and starts the page). */
(function () {
  "use strict";
  var body = document.body, page = body.dataset.page, id = body.dataset.id, app = document.getElementById("app");
  var lang = localStorage.getItem("axon_lang") || "ko";
