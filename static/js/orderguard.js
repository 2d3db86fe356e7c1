/* OrderGuard's glue between htmx and App Bridge.
 *
 * htmx 2 sends XMLHttpRequests, which App Bridge does not patch, so every htmx request gets a fresh ID
 * token here: fetched in htmx:confirm (which can wait for a promise), set in htmx:configRequest. A 401
 * carrying X-Shopify-Retry-Invalid-Session-Request is retried once with a new token, as App Bridge does
 * for fetch. Server events named og:toast become App Bridge toasts; <ui-modal> confirmations open as App
 * Bridge modals (an in-page dialog without App Bridge).
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

  // htmx wires up what a swap drew only when the swap settles, a moment later. A click or a submit in
  // that moment (a quick key press, a second click) would follow the plain link or post the plain form
  // and reload the whole frame: wire the element up first, here in the capture phase, before its own
  // listeners run. Processing is idempotent for elements htmx already knows.
  var HTMX_REQUEST = "[hx-get],[hx-post],[hx-put],[hx-patch],[hx-delete]";
  function processBeforeUse(event) {
    var elt = event.target.closest && event.target.closest(HTMX_REQUEST);
    if (elt && window.htmx) htmx.process(elt);
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (form && form !== elt && form.matches(HTMX_REQUEST) && window.htmx) htmx.process(form);
  }
  document.addEventListener("click", processBeforeUse, true);
  document.addEventListener("submit", processBeforeUse, true);

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

  // Our error partials are meant to be shown: swap 4xx/5xx answers too, except 401 (retried above).
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "401", swap: false, error: true },
      { code: "[2345]..", swap: true }
    ];
  }

  // Facebook Login cannot run inside the admin iframe: open it in a popup (a new tab without JS).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-og-popup]");
    if (!link) return;
    var popup = window.open(link.href, "og-meta-login", "popup,width=640,height=760");
    if (popup) event.preventDefault();
  });

  // The popup says when it connected: refresh the connection card in place. If the message cannot
  // arrive (the popup lost its opener), coming back to the app refreshes the card too.
  function refreshConnection() {
    var card = document.getElementById("connection");
    if (card && window.htmx) htmx.ajax("get", window.location.pathname, { target: "#connection", swap: "outerHTML" });
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.og !== "meta-connected") return;
    refreshConnection();
  });
  window.addEventListener("focus", function () {
    if (document.querySelector("#connection a[data-og-popup]")) refreshConnection();
  });

  // The order drawer: opened by htmx swaps into #order-drawer; focus moves into it and back out.
  var drawerOpener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "order-drawer") drawerOpener = event.detail.elt;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "order-drawer") return;
    event.detail.target.classList.add("og-drawer-open");
    var heading = event.detail.target.querySelector("h2[tabindex]");
    if (heading) heading.focus();
  });
  function closeDrawer() {
    var drawer = document.getElementById("order-drawer");
    if (!drawer || !drawer.classList.contains("og-drawer-open")) return;
    drawer.classList.remove("og-drawer-open");
    drawer.innerHTML = "";
    if (drawerOpener && document.body.contains(drawerOpener)) drawerOpener.focus();
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-og-close-drawer]")) closeDrawer();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeDrawer();
  });

  // Row selection, for the bulk actions: a CSV export of the selection, and cancel and send store links.
  function selectionChanged() {
    var boxes = document.querySelectorAll("input[data-og-select]");
    var checked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
    var bar = document.getElementById("orders-selection");
    if (!bar) return;
    bar.hidden = checked.length === 0;
    bar.querySelector("[data-og-selected-count]").textContent = String(checked.length);
    var all = document.querySelector("input[data-og-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-og-select-all]")) {
      document.querySelectorAll("input[data-og-select]").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("input[data-og-select], input[data-og-select-all]")) selectionChanged();
  });
  document.addEventListener("htmx:afterSettle", selectionChanged);
  // The CSV export: the selected rows, or (data-og-export-scope="matching") every order of the current tab
  // and filters; the export form's options (buyer contact, separator) go with either.
  function exportBody(button) {
    var body = new URLSearchParams();
    if (button.dataset.ogExportScope === "matching") {
      var filters = document.getElementById("orders-filters");
      if (filters) new FormData(filters).forEach(function (value, name) { body.append(name, value); });
      body.append("scope", "matching");
    } else {
      document.querySelectorAll("input[data-og-select]:checked").forEach(function (box) { body.append("ids", box.value); });
    }
    var options = document.getElementById("orders-export");
    if (options) new FormData(options).forEach(function (value, name) { body.append(name, value); });
    return body;
  }
  function exportFilename(response) {
    var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : "orderguard-orders.csv";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-og-export]");
    if (!button) return;
    var body = exportBody(button);
    var options = document.getElementById("orders-export");
    var failed = (options && options.dataset.ogExportError) || "Export failed";
    var bridge = appBridge();
    var filename = "orderguard-orders.csv";
    button.disabled = true;
    (bridge ? bridge.idToken() : Promise.resolve("")).then(function (token) {
      var headers = { "Authorization": "Bearer " + token, "X-OrderGuard-Locale": document.documentElement.lang || "en" };
      return fetch(button.dataset.ogExport, { method: "POST", body: body, headers: headers });
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      filename = exportFilename(response);
      return response.blob();
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      link.click();
      URL.revokeObjectURL(link.href);
    }).catch(function () {
      if (bridge && bridge.toast) bridge.toast.show(failed, { isError: true });
    }).then(function () {
      button.disabled = false;
    });
  });

  // The status tabs (role=tablist): arrow keys, Home and End move to a tab and open it, as ARIA's tabs
  // pattern asks; after the list reloads, focus returns to the selected tab and it is scrolled into view.
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
    var index = tabs.indexOf(tab);
    var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    var target = tabs[(next + tabs.length) % tabs.length];
    target.focus();
    target.click();
  });
  // The merchant's latest request for the list wins. A request is issued only after its ID token has
  // arrived, and htmx aims it at the list element that was there when it was clicked: if an earlier
  // request's answer replaced that element meanwhile, the later one would land in a detached element
  // and never show. So an answer is not swapped in while a later request of the merchant's (a tab, a
  // page, the filters; not the list's own refresh) is on its way.
  var listRequests = new WeakMap();
  var listRequestCount = 0;
  var awaitedListRequest = null; // { number, since }: the latest, until its answer (or 15 s)
  function listRequestNumber(detail) {
    var trigger = detail.requestConfig ? detail.requestConfig.triggeringEvent : detail.triggeringEvent;
    return (trigger && listRequests.get(trigger)) || 0;
  }
  document.addEventListener("htmx:confirm", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.target.id !== "orders-list" || detail.elt.id === "orders-list" || !detail.triggeringEvent) return;
    listRequests.set(detail.triggeringEvent, ++listRequestCount);
    awaitedListRequest = { number: listRequestCount, since: Date.now() };
  });
  function answerIsOutdated(detail) {
    if (!awaitedListRequest) return false;
    var number = listRequestNumber(detail);
    if (number === awaitedListRequest.number || Date.now() - awaitedListRequest.since > 15000) awaitedListRequest = null;
    return !!awaitedListRequest && number < awaitedListRequest.number;
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    if (awaitedListRequest && listRequestNumber(event.detail) === awaitedListRequest.number) awaitedListRequest = null;
  });
  // A reload of the list replaces the tabs, and the focus with them. Whether to give it back is decided
  // by where the focus is at the swap, not when the request started (a refresh of the list can be under
  // way while the merchant moves between tabs); the flag stays up until a settle has used it.
  var restoreTabFocus = false;
  function tabsHaveFocus() {
    var active = document.activeElement;
    return !!(active && active.closest && active.closest('#orders-list [role="tablist"]'));
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.target.id !== "orders-list") return;
    if (answerIsOutdated(detail)) detail.shouldSwap = false;
    else if (tabsHaveFocus()) restoreTabFocus = true;
  });
  function showSelectedTab(event) {
    var detail = event && event.detail;
    if (detail && !(detail.target && detail.target.id === "orders-list")) return;
    var selected = document.querySelector('#orders-list [role="tab"][aria-selected="true"]');
    if (!selected) return;
    var bar = selected.parentElement;
    var left = selected.offsetLeft - bar.offsetLeft;
    if (left < bar.scrollLeft || left + selected.offsetWidth > bar.scrollLeft + bar.clientWidth) {
      bar.scrollLeft = left - (bar.clientWidth - selected.offsetWidth) / 2;
    }
    if (detail && restoreTabFocus) selected.focus();
    if (detail) restoreTabFocus = false;
  }
  document.addEventListener("htmx:afterSettle", showSelectedTab);
  document.addEventListener("DOMContentLoaded", showSelectedTab);

  // "Clear filters": empty the search and channel and reload the list in place (a plain link without JS).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-og-clear-filters]");
    var form = document.getElementById("orders-filters");
    if (!link || !form || !window.htmx) return;
    event.preventDefault();
    form.querySelector('[name="q"]').value = "";
    form.querySelector('[name="channel"]').value = "";
    htmx.trigger(form, "submit");
    var search = document.getElementById("orders-search");
    if (search) search.focus();
  });

  // An order's row opens the order, like its link (Polaris' index table), except on the row's own controls.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-og-row-link]");
    if (!row || event.target.closest("a, button, input, label, select")) return;
    var link = row.querySelector("a[data-og-row-primary]");
    if (link && !(window.getSelection && String(window.getSelection()))) link.click();
  });

  // Confirmations: a <ui-modal data-og-modal> swapped in opens as an App Bridge modal (shopify.modal), or,
  // without App Bridge, as an in-page dialog. App Bridge only relays clicks on the modal's title-bar
  // buttons, so its primary button clicks the hidden confirm button of the form it belongs to.
  var openModal = null;
  function modalApi() {
    return window.shopify && window.shopify.modal && typeof window.shopify.modal.show === "function" ? window.shopify.modal : null;
  }
  function showModal(modal) {
    openModal = modal;
    var api = modalApi();
    if (api) { api.show(modal.id); return; }
    var bar = modal.querySelector("ui-title-bar");
    var title = document.createElement("h2");
    title.className = "og-modal-title";
    title.id = modal.id + "-title";
    title.textContent = bar ? bar.getAttribute("title") || "" : "";
    modal.insertBefore(title, modal.firstChild);
    modal.setAttribute("role", "dialog");
    modal.setAttribute("aria-modal", "true");
    modal.setAttribute("aria-labelledby", title.id);
    modal.classList.add("og-modal-open");
    var primary = modal.querySelector('ui-title-bar button[variant="primary"]');
    if (primary) primary.focus();
  }
  function hideModal() {
    var modal = openModal;
    openModal = null;
    if (!modal) return;
    var api = modalApi();
    if (api && document.body.contains(modal)) api.hide(modal.id);
    if (modal.parentNode) modal.parentNode.removeChild(modal);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var modal = target && target.querySelector ? target.querySelector("ui-modal[data-og-modal]") : null;
    if (modal) showModal(modal);
  });
  document.addEventListener("click", function (event) {
    var confirm = event.target.closest && event.target.closest("[data-og-confirm-target]");
    if (confirm) {
      var submit = document.querySelector(confirm.dataset.ogConfirmTarget);
      if (submit && !submit.dataset.ogSent) {
        submit.dataset.ogSent = "1";  // one click, one request (the idempotency key covers the rest)
        submit.click();
      }
      return;
    }
    if (event.target.closest && event.target.closest("[data-og-modal-hide]")) hideModal();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openModal && !modalApi()) {
      event.stopImmediatePropagation();
      hideModal();
    }
  }, true);
  document.addEventListener("og:modal-hide", hideModal);

  document.addEventListener("og:toast", function (event) {
    var detail = event.detail || {};
    var bridge = appBridge();
    if (bridge && bridge.toast) bridge.toast.show(detail.message || "", { isError: !!detail.error });
  });
})();

// Optional scopes (write_discounts for the cart link's code): App Bridge's scopes API opens Shopify's
// grant dialog. On a grant the button's own htmx request (og:scopes-granted) has the server read the
// scopes from Shopify and redraw the notice, keeping the form as the merchant filled it in; without htmx
// the page reloads.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-og-request-scopes]");
  if (!button || !window.shopify || !window.shopify.scopes) return;
  window.shopify.scopes.request(button.dataset.ogRequestScopes.split(",")).then((response) => {
    if (!response || response.result !== "granted-all") return;
    if (window.htmx && document.body.contains(button)) htmx.trigger(button, "og:scopes-granted");
    else window.location.reload();
  });
});
