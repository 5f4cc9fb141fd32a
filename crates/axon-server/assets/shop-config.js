/* The demo shop page's settings, read from its JSON block (no inline script, so the page's
   Content-Security-Policy can forbid inline scripts): the activity for app.js, the tracker's
   attribution and the demo shopper's id for axon.js. Loaded before both. */
(function () {
  "use strict";
  var c = JSON.parse(document.getElementById("axon-shop").textContent);
  window.axonShop = c;
  window.axonConfig = { properties: { activityId: c.activityId }, userId: function () { return sessionStorage.getItem("axon_demo_user") || undefined; } };
})();
