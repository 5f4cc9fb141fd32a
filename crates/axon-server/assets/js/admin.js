  // Campaign management: create and edit campaigns and activities, status, entries.
  function campaignsPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    Promise.all([api("/api/v1/campaigns"), api("/api/v1/activities")]).then(function (r) {
      var cs = r[0].campaigns, acts = r[1].activities;
      app.innerHTML = "<h1>" + t("campaigns") + '</h1><div class="row"><div class="card panel"><h2>' + t("create") + ' · campaign</h2><form class="stack" id="nc"><input name="name" placeholder="' + t("name") + '" required><input name="budget" type="number" min="0" placeholder="' + t("budget") + '"><button>' + t("create") + "</button></form></div>" +
        '<div class="card panel"><h2>' + t("create") + ' · activity</h2><form class="stack" id="na"><select name="campaign">' + cs.map(function (c) { return '<option value="' + c.id + '">' + esc(c.name) + "</option>"; }).join("") + '</select><input name="name" placeholder="' + t("name") + '" required><select name="activityType"><option>FIRST_COME_FIRST_SERVE</option><option>COUPON</option><option>GIVEAWAY</option></select><input name="limitCount" type="number" min="0" placeholder="limitCount"><input name="price" type="number" min="0" placeholder="price"><input name="budget" type="number" min="0" placeholder="' + t("budget") + '"><input name="startDate" type="date" required><input name="endDate" type="date" required><textarea name="filters" rows="3" placeholder=\'[{"type":"AGE","operator":"BETWEEN","values":[20,39]}]\'></textarea><button>' + t("create") + '</button><div class="error" id="naerr"></div></form></div></div>' +
        '<div class="card"><div class="tablewrap"><table><tr><th>' + t("name") + "</th><th>campaign</th><th>type</th><th>" + t("status") + "</th><th>limit</th><th>" + t("start") + "</th><th>" + t("end") + "</th><th></th></tr>" +
        acts.map(function (a) { return "<tr><td><a href=\"/admin/dashboard/" + a.id + '">' + esc(a.name) + "</a></td><td>" + a.campaignId + "</td><td>" + a.activityType + "</td><td>" + a.status + "</td><td>" + (a.limitCount == null ? "∞" : a.limitCount) + "</td><td>" + esc(localDay(a.startDate)) + "</td><td>" + esc(localDay(a.endDate)) + "</td><td>" +
          ["ACTIVE", "PAUSED", "ENDED"].map(function (s) { return '<button class="ghost" data-act="' + a.id + '" data-status="' + s + '">' + s + "</button>"; }).join(" ") +
          ' <button class="ghost" data-edit="' + a.id + '">✎</button> <button class="ghost" data-entries="' + a.id + '">' + t("entries") + "</button></td></tr>"; }).join("") + '</table></div></div><div class="card" id="entries" hidden></div>';
      var json = function (path, method, payload) { return api(path, { method: method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) }); };
      document.getElementById("nc").onsubmit = function (e) { e.preventDefault(); json("/api/v1/campaigns", "POST", { name: this.name.value, budget: +this.budget.value || 0 }).then(campaignsPage).catch(function (err) { alert(err.message); }); };
      document.getElementById("na").onsubmit = function (e) {
        e.preventDefault(); var f = this, filters;
        try { filters = f.filters.value.trim() ? JSON.parse(f.filters.value) : []; } catch (x) { document.getElementById("naerr").textContent = "filters: " + x.message; return; }
        var body = { name: f.name.value, activityType: f.activityType.value, limitCount: f.limitCount.value === "" ? null : +f.limitCount.value,
          price: +f.price.value || 0, budget: +f.budget.value || 0, startDate: f.startDate.value, endDate: f.endDate.value, filters: filters };
        if (f.dataset.edit) {
          // A date the user did not change is not sent: the stored instant stays as it is.
          var old = byId[f.dataset.edit];
          if (body.startDate === localDay(old.startDate)) delete body.startDate;
          if (body.endDate === localDay(old.endDate)) delete body.endDate;
        }
        (f.dataset.edit ? json("/api/v1/activities/" + f.dataset.edit, "PUT", body) : json("/api/v1/campaigns/" + f.campaign.value + "/activities", "POST", body))
          .then(campaignsPage).catch(function (err) { document.getElementById("naerr").textContent = err.message; });
      };
      var byId = {}; acts.forEach(function (a) { byId[a.id] = a; });
      app.querySelectorAll("[data-edit]").forEach(function (b) { b.onclick = function () {
        var a = byId[b.dataset.edit], f = document.getElementById("na");
        f.dataset.edit = a.id; f.campaign.value = a.campaignId; f.campaign.disabled = true; f.name.value = a.name; f.activityType.value = a.activityType;
        f.limitCount.value = a.limitCount == null ? "" : a.limitCount; f.price.value = a.price; f.budget.value = a.budget;
        f.startDate.value = localDay(a.startDate); f.endDate.value = localDay(a.endDate); f.filters.value = JSON.stringify(a.filters);
        f.querySelector("button").textContent = "✎ " + a.name; f.scrollIntoView();
      }; });
      app.querySelectorAll("[data-entries]").forEach(function (b) { b.onclick = function () {
        showEntries(document.getElementById("entries"), b.dataset.entries, byId[b.dataset.entries].name, 0);
      }; });
      app.querySelectorAll("[data-act]").forEach(function (b) { b.onclick = function () { json("/api/v1/activities/" + b.dataset.act + "/status", "PATCH", { status: b.dataset.status }).then(campaignsPage).catch(function (err) { alert(err.message); }); }; });
    }).catch(fail);
  }

