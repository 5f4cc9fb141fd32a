  /* Alerts (issue 17 §4): the banner of firing alerts on an activity or campaign dashboard
     (refreshed every 15 s, any key), and the admin section on /admin/campaigns that adds and
     removes rules and shows each rule's webhook delivery log. */
  function alertText(a) {
    var n = a.kind === "NO_EVENTS" ? tf("alertMinutes", { n: a.threshold }) : a.threshold + "%";
    return label("alertKinds", a.kind) + (a.kind === "SOLD_OUT" ? "" : " · " + n);
  }
  function alertBanner(scope, sid) {
    var box = document.createElement("div");
    box.className = "alerts-banner";
    box.id = "alerts-banner";
    box.setAttribute("role", "status");
    box.hidden = true;
    function load() {
      if (!box.isConnected && box.dataset.loaded) return;
      api("/api/v1/dashboard/" + scope + "/" + sid + "/alerts").then(function (r) {
        box.dataset.loaded = "1";
        box.hidden = !r.alerts.length;
        box.innerHTML = r.alerts.length ? "<strong>⚠ " + esc(tf("alertsFiring", { n: r.alerts.length })) + "</strong><ul>" + r.alerts.map(function (a) {
          return '<li data-rule="' + a.ruleId + '">' + esc(alertText(a)) + ' <span class="def">' + esc(a.detail) + (a.since ? " · " + esc(localMinute(a.since)) : "") + "</span></li>";
        }).join("") + "</ul>" : "";
        if (box.isConnected) setTimeout(load, 15000);
      }).catch(function () { /* a banner never breaks the dashboard */ });
    }
    setTimeout(load, 0);
    return box;
  }
  function alertsAdmin(cs, acts) {
    var card = document.createElement("div");
    card.className = "card panel";
    card.id = "alerts-admin";
    var option = function (v, text) { return '<option value="' + esc(v) + '">' + esc(text) + "</option>"; };
    var targets = cs.map(function (c) { return option("CAMPAIGN:" + c.id, t("campaignTag") + " · " + c.name); })
      .concat(acts.map(function (a) { return option("ACTIVITY:" + a.id, t("activityTag") + " · " + a.name); })).join("");
    card.innerHTML = "<h2>" + t("alerts") + '</h2><form class="stack" id="alert-new">' +
      field(t("alertTarget"), '<select name="target">' + targets + "</select>") +
      field(t("alertKind"), '<select name="kind">' + ["SOLD_OUT", "STOCK_BELOW", "CONVERSION_DROP", "NO_EVENTS"].map(function (k) { return option(k, label("alertKinds", k)); }).join("") + "</select>") +
      '<div class="pair">' + field(t("alertThreshold"), '<input name="threshold" type="number" min="1" step="1">') + field(t("alertWindow"), '<input name="windowMinutes" type="number" min="1" step="1" placeholder="1440">') + "</div>" +
      field(t("alertUrl"), '<input name="webhookUrl" type="url" required placeholder="' + esc(t("alertUrlHint")) + '">') +
      "<button>" + t("create") + '</button><div class="error" id="alert-err" role="alert"></div><div class="def" id="alert-secret"></div></form>' +
      '<div class="tablewrap"><table id="alert-rules"></table></div><div id="alert-log"></div>';
    var f = card.querySelector("form"), err = card.querySelector("#alert-err");
    var names = {};
    cs.forEach(function (c) { names["CAMPAIGN:" + c.id] = c.name; });
    acts.forEach(function (a) { names["ACTIVITY:" + a.id] = a.name; });
    function list() {
      api("/api/v1/alerts").then(function (r) {
        card.querySelector("#alert-rules").innerHTML = "<tr><th>" + t("alertTarget") + "</th><th>" + t("alertKind") + "</th><th>" + t("alertUrl") + "</th><th>" + t("status") + "</th><th>" + t("actions") + "</th></tr>" +
          r.rules.map(function (a) {
            return '<tr data-rule="' + a.id + '"><td>' + esc(names[a.scope + ":" + a.scopeId] || a.scope + " #" + a.scopeId) + "</td><td>" + esc(alertText(a)) + "</td><td>" + esc(a.webhookUrl) + "</td><td>" + (a.firing ? '<span class="bad">' + t("alertFiring") + "</span>" : t("alertOk")) + "</td><td>" +
              '<button class="ghost" data-log="' + a.id + '">' + t("alertLog") + '</button> <button class="ghost" data-del="' + a.id + '">' + t("delete") + "</button></td></tr>";
          }).join("");
      }).catch(function (x) { err.textContent = apiError(x); });
    }
    card.onclick = function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      if (b.dataset.del) {
        fetch("/api/v1/alerts/" + b.dataset.del, { method: "DELETE", credentials: "same-origin" }).then(function () { card.querySelector("#alert-log").innerHTML = ""; list(); });
      } else if (b.dataset.log) {
        api("/api/v1/alerts/" + b.dataset.log + "/deliveries").then(function (r) {
          card.querySelector("#alert-log").innerHTML = "<h3>" + t("alertLog") + " #" + esc(b.dataset.log) + "</h3>" + (r.deliveries.length ? '<div class="tablewrap"><table><tr><th>' + t("alertWhen") + "</th><th>" + t("alertEvent") + "</th><th>" + t("alertAttempt") + "</th><th>HTTP</th></tr>" +
            r.deliveries.map(function (d) { return "<tr><td>" + esc(localMinute(d.at)) + "</td><td>" + esc(d.transition) + "</td><td>" + d.attempt + '</td><td class="' + (d.status >= 200 && d.status < 300 ? "" : "bad") + '">' + esc(d.status == null ? d.error : d.status) + "</td></tr>"; }).join("") + "</table></div>" : '<div class="def">' + t("alertNoLog") + "</div>");
        }).catch(function (x) { err.textContent = apiError(x); });
      }
    };
    f.onsubmit = function (e) {
      e.preventDefault(); err.textContent = "";
      var target = f.target.value.split(":");
      var body = { scope: target[0], scopeId: +target[1], kind: f.kind.value, webhookUrl: f.webhookUrl.value };
      if (f.threshold.value !== "") body.threshold = +f.threshold.value;
      if (f.windowMinutes.value !== "") body.windowMinutes = +f.windowMinutes.value;
      api("/api/v1/alerts", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then(function (r) {
        card.querySelector("#alert-secret").textContent = tf("alertSecret", { secret: r.secret });
        f.reset();
        list();
      }).catch(function (x) { err.textContent = apiError(x); });
    };
    list();
    return card;
  }
