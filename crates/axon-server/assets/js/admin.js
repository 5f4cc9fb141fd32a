  // Campaign management: create and edit campaigns and activities (labelled fields, the product
  // picker, the filter editor), status changes the state machine allows, entries.
  // The status changes allowed from each status (SPEC §1), as [target, the button's words].
  var MOVES = { DRAFT: [["ACTIVE", "ACTIVE"]], ACTIVE: [["PAUSED", "PAUSED"], ["ENDED", "ENDED"]], PAUSED: [["ACTIVE", "RESUME"], ["ENDED", "ENDED"]], ENDED: [] };
  function field(text, control) { return "<label>" + esc(text) + control + "</label>"; }
  function campaignsPage() {
    app.innerHTML = '<div class="loading">' + t("loading") + "</div>";
    Promise.all([api("/api/v1/campaigns"), api("/api/v1/activities"), api("/api/v1/products")]).then(function (r) {
      var cs = r[0].campaigns, acts = r[1].activities, products = r[2].products, campaignName = {}, productById = {};
      cs.forEach(function (c) { campaignName[c.id] = c.name; });
      products.forEach(function (p) { productById[p.id] = p; });
      var num0 = function (name, extra) { return '<input name="' + name + '" type="number" min="0" ' + (extra || "") + ">"; };
      app.innerHTML = heading(t("campaigns")) + '<div class="row"><div class="card panel"><h2>' + t("newCampaign") + '</h2><form class="stack" id="nc">' +
        field(t("campaignName"), '<input name="name" maxlength="200" required>') + field(t("budgetWon"), num0("budget", 'step="any"')) + "<button>" + t("create") + "</button></form></div>" +
        '<div class="card panel"><h2 id="natitle">' + t("newActivity") + '</h2><form class="stack" id="na">' +
        field(t("campaign"), '<select name="campaign">' + cs.map(function (c) { return '<option value="' + c.id + '">' + esc(c.name) + "</option>"; }).join("") + "</select>") +
        field(t("activityName"), '<input name="name" maxlength="200" required>') +
        field(t("type"), '<select name="activityType">' + ["FIRST_COME_FIRST_SERVE", "COUPON", "GIVEAWAY"].map(function (k) { return '<option value="' + k + '">' + esc(label("types", k)) + "</option>"; }).join("") + "</select>") +
        field(t("product"), '<select name="productId"><option value="">' + esc(t("noProduct")) + "</option>" + products.map(function (p) { return '<option value="' + p.id + '">' + esc(p.name) + " · " + won(p.price) + "</option>"; }).join("") + "</select>") +
        '<div class="pair">' + field(t("priceWon"), num0("price", 'step="any"')) + field(t("limit"), num0("limitCount", 'step="1" placeholder="' + esc(t("limitHint")) + '"')) + "</div>" +
        field(t("budgetWon"), num0("budget", 'step="any"')) +
        '<div class="pair">' + field(tf("startDay", { tz: TZABBR }), '<input name="startDate" type="date" required>') + field(tf("endDay", { tz: TZABBR }), '<input name="endDate" type="date" required>') + "</div>" +
        '<fieldset class="filters"><legend>' + t("filters") + '</legend><div id="filters"></div><div class="none">' + esc(t("filtersNone")) + '</div><input type="button" class="ghost" id="filter-add" value="' + esc(t("filterAdd")) + '"></fieldset>' +
        "<button>" + t("create") + '</button><input type="button" class="ghost" id="na-cancel" value="' + esc(t("cancel")) + '" hidden><div class="error" id="naerr" role="alert"></div></form></div></div>' +
        '<div class="card"><div class="tablewrap"><table><tr><th>' + t("name") + "</th><th>" + t("campaign") + "</th><th>" + t("type") + "</th><th>" + t("status") + "</th><th>" + t("limit") + "</th><th>" + t("start") + "</th><th>" + t("end") + "</th><th>" + t("actions") + "</th></tr>" +
        acts.map(function (a) { return "<tr><td><a href=\"/admin/dashboard/" + a.id + '">' + esc(a.name) + "</a></td><td>" + esc(campaignName[a.campaignId] || "#" + a.campaignId) + "</td><td>" + esc(label("types", a.activityType)) + "</td><td>" + esc(label("statuses", a.status)) + "</td><td>" + (a.limitCount == null ? "∞" : num(a.limitCount)) + "</td><td>" + esc(localDay(a.startDate)) + "</td><td>" + esc(localDay(a.endDate)) + "</td><td>" +
          (MOVES[a.status] || []).map(function (m) { return '<button class="ghost" data-act="' + a.id + '" data-status="' + m[0] + '">' + esc(label("moves", m[1])) + "</button>"; }).join(" ") +
          ' <button class="ghost" data-edit="' + a.id + '" title="' + esc(t("edit")) + '" aria-label="' + esc(t("edit")) + '">✎</button> <button class="ghost" data-entries="' + a.id + '">' + t("entries") + "</button></td></tr>"; }).join("") + '</table></div></div><div class="card" id="entries" hidden></div>';
      app.appendChild(alertsAdmin(cs, acts));
      app.appendChild(sharesAdmin(cs, acts));
      app.appendChild(notesAdmin(cs, acts));
      var json = function (path, method, payload) { return api(path, { method: method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) }); };
      var f = document.getElementById("na"), err = document.getElementById("naerr"), box = document.getElementById("filters");
      var readFilters = filterEditor(box, document.getElementById("filter-add"), []);
      document.getElementById("nc").onsubmit = function (e) { e.preventDefault(); json("/api/v1/campaigns", "POST", { name: this.name.value, budget: +this.budget.value || 0 }).then(campaignsPage).catch(function (x) { alert(apiError(x)); }); };
      // Picking a product fills the price when none is typed yet.
      f.productId.onchange = function () { var p = productById[f.productId.value]; if (p && f.price.value === "") f.price.value = p.price; };
      f.onsubmit = function (e) {
        e.preventDefault(); err.textContent = "";
        var read = readFilters();
        if (read.error) { err.textContent = read.error; return; }
        var body = { name: f.name.value, activityType: f.activityType.value, productId: f.productId.value === "" ? null : +f.productId.value, limitCount: f.limitCount.value === "" ? null : +f.limitCount.value,
          price: +f.price.value || 0, budget: +f.budget.value || 0, startDate: f.startDate.value, endDate: f.endDate.value, filters: read.filters };
        if (f.dataset.edit) {
          // A date the user did not change is not sent: the stored instant stays as it is.
          var old = byId[f.dataset.edit];
          if (body.startDate === localDay(old.startDate)) delete body.startDate;
          if (body.endDate === localDay(old.endDate)) delete body.endDate;
        }
        (f.dataset.edit ? json("/api/v1/activities/" + f.dataset.edit, "PUT", body) : json("/api/v1/campaigns/" + f.campaign.value + "/activities", "POST", body))
          .then(campaignsPage).catch(function (x) { err.textContent = apiError(x); });
      };
      document.getElementById("na-cancel").onclick = campaignsPage;
      var byId = {}; acts.forEach(function (a) { byId[a.id] = a; });
      app.querySelectorAll("[data-edit]").forEach(function (b) { b.onclick = function () {
        var a = byId[b.dataset.edit];
        f.dataset.edit = a.id; f.campaign.value = a.campaignId; f.campaign.disabled = true; f.name.value = a.name; f.activityType.value = a.activityType;
        f.productId.value = a.productId == null ? "" : String(a.productId);
        f.limitCount.value = a.limitCount == null ? "" : a.limitCount; f.price.value = a.price; f.budget.value = a.budget;
        f.startDate.value = localDay(a.startDate); f.endDate.value = localDay(a.endDate);
        readFilters = filterEditor(box, document.getElementById("filter-add"), a.filters);
        document.getElementById("natitle").textContent = tf("editing", { name: a.name });
        f.querySelector("button").textContent = t("save"); document.getElementById("na-cancel").hidden = false; err.textContent = ""; f.scrollIntoView();
      }; });
      app.querySelectorAll("[data-entries]").forEach(function (b) { b.onclick = function () {
        showEntries(document.getElementById("entries"), b.dataset.entries, byId[b.dataset.entries].name, 0);
      }; });
      app.querySelectorAll("[data-act]").forEach(function (b) { b.onclick = function () { json("/api/v1/activities/" + b.dataset.act + "/status", "PATCH", { status: b.dataset.status }).then(campaignsPage).catch(function (x) { alert(apiError(x)); }); }; });
    }).catch(fail);
  }
