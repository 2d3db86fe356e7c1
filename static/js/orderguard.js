/* OrderGuard's glue between htmx and App Bridge.
 *
 * htmx 2 sends XMLHttpRequests, which App Bridge does not patch, so every htmx request gets a fresh ID
 * token here: fetched in htmx:confirm (which can wait for a promise), set in htmx:configRequest. A 401
 * carrying X-Shopify-Retry-Invalid-Session-Request is retried once with a new token, as App Bridge does
 * for fetch. Server events named og:toast become App Bridge toasts.
 */
(function () {
  "use strict";
  var RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request";
  var tokens = new WeakMap();

  function appBridge() {
    return window.shopify && typeof window.shopify.idToken === "function" ? window.shopify : null;
  }

  document.addEventListener("htmx:confirm", function (event) {
    var bridge = appBridge();
    if (!bridge || event.detail.elt.hasAttribute("data-og-no-token")) return;
    event.preventDefault();
    bridge.idToken().then(function (token) {
      tokens.set(event.detail.elt, token);
      event.detail.issueRequest(true);
    }, function () {
      event.detail.issueRequest(true);
    });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var token = tokens.get(event.detail.elt);
    if (token) {
      event.detail.headers["Authorization"] = "Bearer " + token;
      tokens.delete(event.detail.elt);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var elt = event.detail.elt;
    if (!xhr || xhr.status !== 401 || xhr.getResponseHeader(RETRY_HEADER) !== "1") {
      if (elt) delete elt.dataset.ogRetried;
      return;
    }
    if (elt.dataset.ogRetried) return;
    elt.dataset.ogRetried = "1";
    var config = event.detail.requestConfig || {};
    htmx.ajax(config.verb || "get", config.path, { source: elt, target: config.target, values: config.parameters });
  });

  document.addEventListener("og:toast", function (event) {
    var detail = event.detail || {};
    var bridge = appBridge();
    if (bridge && bridge.toast) bridge.toast.show(detail.message || "", { isError: !!detail.error });
  });
})();
