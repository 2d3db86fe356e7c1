/* The host side of App Bridge in the sandbox admin: answers the app frame's requests for ID tokens,
 * shows its toasts and draws its navigation menu and title bar. Messages are accepted only from the app's origin. */
(function () {
  "use strict";
  var frame = document.getElementById("app-frame");
  if (!frame) return;
  var appOrigin = frame.dataset.appOrigin;
  var tokenUrl = frame.dataset.idTokenUrl;
  var scopesUrl = frame.dataset.scopesRequestUrl;

  function reply(id, payload) {
    frame.contentWindow.postMessage(Object.assign({ id: id }, payload), appOrigin);
  }

  function showToast(message, isError, duration) {
    var container = document.getElementById("sb-toasts");
    var toast = document.createElement("div");
    toast.className = "sb-toast" + (isError ? " sb-toast-error" : "");
    toast.textContent = message;
    container.appendChild(toast);
    setTimeout(function () { toast.remove(); }, duration || 5000);
  }

  function renderNav(items) {
    var list = document.getElementById("sb-app-nav");
    var base = list.dataset.appBase;
    list.innerHTML = "";
    items.forEach(function (item) {
      if (item.home || !item.href) return;
      var path = item.href.replace(/^\/app\/?/, "");
      var link = document.createElement("a");
      link.href = base + (path ? "/" + path : "") + "?locale=" + encodeURIComponent(list.dataset.locale);
      link.textContent = item.label;
      var entry = document.createElement("li");
      entry.appendChild(link);
      list.appendChild(entry);
    });
  }

  // The app's paths (/app/...) live under the admin's app URL, as in Shopify admin.
  function adminUrl(href) {
    var list = document.getElementById("sb-app-nav");
    var url = new URL(href, appOrigin);
    if (url.origin !== appOrigin || !/^\/app(\/|$)/.test(url.pathname)) return url.toString();
    var path = url.pathname.replace(/^\/app\/?/, "").replace(/\/$/, "");
    return list.dataset.appBase + (path ? "/" + path : "") + "?locale=" + encodeURIComponent(list.dataset.locale);
  }

  function renderTitleBar(data) {
    var title = document.getElementById("sb-title-bar-title");
    var crumb = document.getElementById("sb-title-bar-breadcrumb");
    var actions = document.getElementById("sb-title-bar-actions");
    title.textContent = data.title || "OrderGuard";
    crumb.innerHTML = "";
    if (data.breadcrumb) {
      var back = document.createElement("a");
      back.href = data.breadcrumb.href ? adminUrl(data.breadcrumb.href) : "#";
      back.textContent = data.breadcrumb.label;
      crumb.appendChild(back);
      crumb.appendChild(document.createTextNode(" › "));
    }
    actions.innerHTML = "";
    (data.actions || []).forEach(function (action) {
      var control;
      if (action.href) {
        control = document.createElement("a");
        control.href = action.target === "_blank" ? action.href : adminUrl(action.href);
        if (action.target === "_blank") { control.target = "_blank"; control.rel = "noopener"; }
      } else {
        control = document.createElement("button");
        control.type = "button";
        control.disabled = !!action.disabled;
        control.addEventListener("click", function () {
          frame.contentWindow.postMessage({ og: "titleBarAction", index: action.index }, appOrigin);
        });
      }
      control.className = "sb-title-action sb-title-action-" + action.variant + (action.tone === "critical" ? " sb-title-action-critical" : "");
      control.textContent = action.label;
      actions.appendChild(control);
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.og === "idToken") {
      fetch(tokenUrl, { method: "POST" })
        .then(function (response) { return response.json(); })
        .then(function (body) { reply(data.id, body.idToken ? { result: body.idToken } : { error: body.error || "no token" }); })
        .catch(function (error) { reply(data.id, { error: String(error) }); });
    } else if (data.og === "scopesRequest") {
      // Shopify admin shows its grant dialog; the sandbox asks with the browser's own confirm().
      var scopes = Array.isArray(data.scopes) ? data.scopes.map(String) : [];
      if (!window.confirm("Allow OrderGuard these additional permissions: " + scopes.join(", ") + "?")) {
        reply(data.id, { result: { result: "declined-all", detail: { granted: [], declined: scopes } } });
        return;
      }
      fetch(scopesUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scopes: scopes }) })
        .then(function (response) { return response.json(); })
        .then(function (body) { reply(data.id, body.error ? { error: body.error } : { result: body }); })
        .catch(function (error) { reply(data.id, { error: String(error) }); });
    } else if (data.og === "toast") {
      showToast(data.message, data.isError, data.duration);
    } else if (data.og === "modal") {
      // App Bridge dims the whole admin while a modal is open.
      document.body.classList.toggle("sb-modal-open", !!data.open);
    } else if (data.og === "navMenu") {
      renderNav(data.items || []);
    } else if (data.og === "titleBar") {
      renderTitleBar(data);
    }
  });
})();
