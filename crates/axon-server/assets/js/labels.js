  // Words for codes and names for pages: templates, enum labels, the page heading (the thing's
  // name, its id as a tag), the page's own definitions, the header in the chosen language.
  function tf(k, v) { return String(t(k)).replace(/\{(\w+)\}/g, function (_, n) { return v && v[n] != null ? v[n] : ""; }); }
  // A code's label from a group of T (weekdays, statuses, …); an unknown code stays as it is.
  function label(group, code) { var g = T[lang][group]; return (g && g[code]) || code; }
  function def(k) { return T[lang].defs[k] || ""; }
  // "<h1>OLED TV 55″ 선착순 <span class="tag">활동 #1</span></h1>", and the tab says the name too.
  function heading(name, tag, what) {
    document.title = "Axon · " + name + (what ? " · " + what : "");
    return "<h1>" + esc(name) + (tag ? ' <span class="tag">' + esc(tag) + "</span>" : "") + "</h1>";
  }
  // An activity with its campaign's name (for titles and links), or the activity alone.
  function activityMeta(aid) {
    if (SHARE) return shareContext().then(function (c) { return { id: c.scopeId, name: c.name, startDate: c.startDate, endDate: c.endDate }; });
    return api("/api/v1/activities/" + aid).then(function (a) {
      return api("/api/v1/campaigns/" + a.campaignId).then(function (c) { a.campaignName = c.name; return a; }, function () { return a; });
    });
  }
  // An API failure in the reader's language: the code's words, then the server's detail.
  function apiError(e) { var w = e && e.code && T[lang].apiErrors[e.code]; return w ? w + " (" + e.message + ")" : (e && e.message) || String(e); }
  // What the server rendered in Korean (the header, the login form) in the chosen language.
  function chrome() {
    document.querySelectorAll("[data-t]").forEach(function (e) { e.textContent = t(e.dataset.t); });
    if (page == "login") document.title = "Axon · " + t("signIn");
    document.querySelectorAll("[data-lang]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.lang == lang)); });
  }
