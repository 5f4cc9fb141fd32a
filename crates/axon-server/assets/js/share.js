  /* Share links (issue 17 §3). On a shared page (/share/{token}: <body data-share>) every API
     call carries the token (X-Axon-Share; the live stream's ?share=), the page shows no admin
     links or controls, and when the link is revoked or expires the page says so. On
     /admin/campaigns: the section that creates links (the URL is shown once, to copy), lists
     them with their state, and revokes them; and the section that adds and removes notes. */
  var SHARE = body.dataset.share || "";
  function shareClosed(code) {
    stream.gen++;
    clearTimeout(stream.timer);
    if (stream.es) stream.es.close();
    app.innerHTML = '<div class="card share-refused" role="alert" data-code="' + esc(code) + '"><h1>' + esc(t(code == "SHARE_EXPIRED" ? "shareExpired" : code == "SHARE_REVOKED" ? "shareRevoked" : "shareUnknown")) + "</h1></div>";
  }
  // A shared page's heading: the scope's name and run, from the link's context.
  function shareContext() { return api("/api/v1/share/context"); }
  function sharesAdmin(cs, acts) {
    var card = el('<div class="card panel" id="shares-admin"></div>');
    var option = function (v, text) { return '<option value="' + esc(v) + '">' + esc(text) + "</option>"; };
    var targets = cs.map(function (c) { return option("CAMPAIGN:" + c.id, t("campaignTag") + " · " + c.name); })
      .concat(acts.map(function (a) { return option("ACTIVITY:" + a.id, t("activityTag") + " · " + a.name); })).join("");
    var names = {};
    cs.forEach(function (c) { names["CAMPAIGN:" + c.id] = c.name; });
    acts.forEach(function (a) { names["ACTIVITY:" + a.id] = a.name; });
    card.innerHTML = "<h2>" + t("shares") + '</h2><form class="stack" id="share-new">' +
      field(t("alertTarget"), '<select name="target">' + targets + "</select>") +
      '<div class="pair">' + field(t("period"), '<select name="period">' + ["1d", "7d", "30d"].map(function (p) { return '<option value="' + p + '"' + (p == "7d" ? " selected" : "") + ">" + p + "</option>"; }).join("") + "</select>") +
      field(t("shareHours"), '<input name="expiresInHours" type="number" min="1" max="2160" step="1" value="168" required>') + "</div>" +
      field(t("shareLabel"), '<input name="label" maxlength="100">') +
      "<button>" + t("create") + '</button><div class="error" id="share-err" role="alert"></div></form>' +
      '<div id="share-created" hidden><div class="def">' + esc(t("shareOnce")) + '</div><input id="share-url" readonly> <button type="button" class="ghost" id="share-copy">' + t("copy") + "</button></div>" +
      '<div class="tablewrap"><table id="share-list"></table></div>';
    var f = card.querySelector("form"), err = card.querySelector("#share-err");
    function list() {
      api("/api/v1/admin/shares").then(function (r) {
        card.querySelector("#share-list").innerHTML = "<tr><th>" + t("shareLabel") + "</th><th>" + t("alertTarget") + "</th><th>" + t("period") + "</th><th>" + t("shareCreated") + "</th><th>" + t("shareExpires") + "</th><th>" + t("status") + "</th><th>" + t("actions") + "</th></tr>" +
          r.shares.map(function (s) {
            return '<tr data-share-id="' + s.id + '"><td>' + esc(s.label || "–") + "</td><td>" + esc(s.scopeName || names[s.scope + ":" + s.scopeId] || s.scope + " #" + s.scopeId) + "</td><td>" + esc(s.period) + "</td><td>" + esc(localMinute(s.createdAt)) + "</td><td>" + esc(localMinute(s.expiresAt)) + '</td><td class="' + (s.status == "ACTIVE" ? "" : "bad") + '" data-status="' + s.status + '">' + esc(label("shareStatuses", s.status)) + "</td><td>" +
              (s.status == "ACTIVE" ? '<button class="ghost" data-revoke="' + s.id + '">' + t("revoke") + "</button>" : "") + "</td></tr>";
          }).join("");
      }).catch(function (x) { err.textContent = apiError(x); });
    }
    card.onclick = function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      if (b.dataset.revoke) api("/api/v1/admin/shares/" + b.dataset.revoke, { method: "DELETE" }).then(list).catch(function (x) { err.textContent = apiError(x); });
      else if (b.id == "share-copy") { var u = card.querySelector("#share-url"); u.select(); if (navigator.clipboard) navigator.clipboard.writeText(u.value).catch(function () {}); b.textContent = t("copied"); }
    };
    f.onsubmit = function (e) {
      e.preventDefault(); err.textContent = "";
      var target = f.target.value.split(":");
      var payload = { scope: target[0], scopeId: +target[1], period: f.period.value, expiresInHours: +f.expiresInHours.value };
      if (f.label.value.trim()) payload.label = f.label.value;
      api("/api/v1/admin/shares", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) }).then(function (r) {
        card.querySelector("#share-created").hidden = false;
        card.querySelector("#share-url").value = location.origin + r.path;
        card.querySelector("#share-copy").textContent = t("copy");
        f.label.value = "";
        list();
      }).catch(function (x) { err.textContent = apiError(x); });
    };
    list();
    return card;
  }
  // Notes on moments of a campaign or activity: add (the moment in the business zone) and remove.
  function notesAdmin(cs, acts) {
    var card = el('<div class="card panel" id="notes-admin"></div>');
    var option = function (v, text) { return '<option value="' + esc(v) + '">' + esc(text) + "</option>"; };
    var targets = cs.map(function (c) { return option("CAMPAIGN:" + c.id, t("campaignTag") + " · " + c.name); })
      .concat(acts.map(function (a) { return option("ACTIVITY:" + a.id, t("activityTag") + " · " + a.name); })).join("");
    card.innerHTML = "<h2>" + t("notes") + '</h2><form class="stack" id="note-new">' +
      field(t("alertTarget"), '<select name="target">' + targets + "</select>") +
      field(tf("noteAt", { tz: TZABBR }), '<input name="at" type="datetime-local" required>') +
      field(t("noteText"), '<input name="text" maxlength="200" required placeholder="' + esc(t("noteHint")) + '">') +
      "<button>" + t("create") + '</button><div class="error" id="note-err" role="alert"></div></form><div class="tablewrap"><table id="note-list"></table></div>';
    var f = card.querySelector("form"), err = card.querySelector("#note-err");
    function list() {
      var target = f.target.value.split(":");
      if (target.length < 2) return;
      api("/api/v1/annotations?scope=" + target[0] + "&id=" + target[1]).then(function (r) {
        card.querySelector("#note-list").innerHTML = "<tr><th>" + t("noteAt").replace(" ({tz})", "") + "</th><th>" + t("noteText") + "</th><th>" + t("actions") + "</th></tr>" +
          r.annotations.map(function (n) { return '<tr data-note="' + n.id + '"><td>' + esc(localMinute(n.at, true)) + "</td><td>" + esc(n.text) + '</td><td><button class="ghost" data-del-note="' + n.id + '">' + t("delete") + "</button></td></tr>"; }).join("");
      }).catch(function (x) { err.textContent = apiError(x); });
    }
    f.target.onchange = list;
    card.onclick = function (e) {
      var b = e.target.closest("button[data-del-note]");
      if (b) api("/api/v1/annotations/" + b.dataset.delNote, { method: "DELETE" }).then(list, list);
    };
    f.onsubmit = function (e) {
      e.preventDefault(); err.textContent = "";
      var target = f.target.value.split(":");
      var payload = { scope: target[0], scopeId: +target[1], at: f.at.value, text: f.text.value };
      api("/api/v1/annotations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) }).then(function () { f.text.value = ""; list(); }).catch(function (x) { err.textContent = apiError(x); });
    };
    list();
    return card;
  }
