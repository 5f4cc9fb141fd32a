  // An activity's entries on the campaigns board, a page of 20 at a time with previous / next
  // and "page x of y" (GET /api/v1/activities/{id}/entries?page=&size=).
  var ENTRIES_SIZE = 20;
  function showEntries(box, activityId, name, page) {
    api("/api/v1/activities/" + activityId + "/entries?page=" + page + "&size=" + ENTRIES_SIZE).then(function (r) {
      box.hidden = false;
      box.innerHTML = "<h2>" + t("entries") + " · " + esc(name) + " (" + num(r.totalElements) + ')</h2><div class="tablewrap"><table id="entries-table"><tr><th>' + t("user") + "</th><th>" + t("status") + "</th><th>" + t("order") + "</th><th>" + t("qty") + "</th><th>" + t("requested") + "</th></tr>" +
        r.entries.map(function (e) { return "<tr><td>" + esc(e.userId) + "</td><td>" + esc(label("entryStatuses", e.status)) + "</td><td>" + num(e.order) + "</td><td>" + num(e.quantity) + "</td><td>" + esc(localMinute(e.requestedAt, true)) + "</td></tr>"; }).join("") + "</table></div>";
      box.appendChild(pager(r.page, r.totalPages, function (p) { showEntries(box, activityId, name, p); }));
    }).catch(function (x) { box.hidden = false; box.textContent = apiError(x); });
  }
