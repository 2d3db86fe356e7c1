/* App Bridge, played by the OrderGuard sandbox. Loaded by the app's pages in place of
 * https://cdn.shopify.com/shopifycloud/app-bridge.js when the sandbox is enabled. It speaks to the sandbox
 * admin (the parent frame) with postMessage, as the real one speaks to Shopify admin:
 * shopify.idToken(), shopify.toast.show(), shopify.scopes.request(), shopify.modal with <ui-modal>, fetch() with the ID token, the bounce page, the nav menu and the
 * title bar (ui-title-bar). Like the real one, it defines its custom elements (s-app-nav, ui-nav-menu,
 * ui-title-bar) only when the admin draws them, i.e. inside the admin's frame; a page opened on its own
 * keeps them undefined, which is what the app's CSS tests to show its in-page header instead. */
(function () {
  "use strict";
  var ADMIN_ORIGIN = "{{ admin_origin|escapejs }}";
  var script = document.currentScript;
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var apiKey = (script && script.dataset.apiKey) || (meta && meta.content) || "";
  var params = new URLSearchParams(window.location.search);
  var inFrame = window.parent !== window;
  var pending = {};
  var sequence = 0;

  function send(type, payload) {
    if (inFrame) window.parent.postMessage(Object.assign({ og: type }, payload || {}), ADMIN_ORIGIN);
  }

  function ask(type, payload, waitMs) {
    return new Promise(function (resolve, reject) {
      if (!inFrame) { reject(new Error("App Bridge: the app is not inside Shopify admin")); return; }
      var id = ++sequence;
      pending[id] = { resolve: resolve, reject: reject };
      send(type, Object.assign({ id: id }, payload || {}));
      setTimeout(function () {
        if (pending[id]) { delete pending[id]; reject(new Error("App Bridge: Shopify admin did not answer")); }
      }, waitMs || 10000);
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ADMIN_ORIGIN || event.source !== window.parent) return;
    var data = event.data || {};
    var waiting = pending[data.id];
    if (!waiting) return;
    delete pending[data.id];
    if (data.error) waiting.reject(new Error(data.error)); else waiting.resolve(data.result);
  });

  var shopify = {
    config: {
      apiKey: apiKey,
      shop: params.get("shop") || "",
      host: params.get("host") || "",
      locale: params.get("locale") || document.documentElement.lang || "en"
    },
    environment: { embedded: inFrame, mobile: false, pos: false },
    idToken: function () { return ask("idToken"); },
    toast: {
      show: function (message, options) {
        options = options || {};
        send("toast", { message: String(message), isError: !!options.isError, duration: options.duration || 5000 });
        return String(++sequence);
      },
      hide: function () {}
    },
    loading: function (on) { send("loading", { on: on !== false }); },
    // shopify.scopes.request(["write_discounts"]): the admin's grant dialog for optional scopes.
    scopes: {
      request: function (scopes) { return ask("scopesRequest", { scopes: [].concat(scopes || []) }, 600000); }
    }
  };
  window.shopify = shopify;

  // <ui-modal> and shopify.modal: App Bridge draws a modal's content in the admin, outside the app's
  // frame, and relays clicks on the buttons of its <ui-title-bar> to those buttons in the app. The stand-in
  // draws a copy in a <dialog> over the app and relays the clicks the same way, so the app can rely on
  // nothing but what the real one gives: static content, and clicks on its own title-bar buttons.
  function drawModal(element) {
    var dialog = document.createElement("dialog");
    dialog.className = "sb-modal";
    dialog.setAttribute("data-sandbox-modal", element.id || "");
    dialog.style.cssText = "max-width:min(640px,92vw);width:100%;border:0;border-radius:12px;padding:0;box-shadow:0 20px 60px rgba(0,0,0,.35);font:14px/1.45 -apple-system,BlinkMacSystemFont,'Segoe UI',sans-serif";
    var bar = element.querySelector("ui-title-bar");
    var header = document.createElement("header");
    header.style.cssText = "display:flex;justify-content:space-between;align-items:center;padding:14px 18px;border-bottom:1px solid #e3e3e3;background:#f7f7f7";
    var title = document.createElement("h2");
    title.style.cssText = "margin:0;font-size:15px";
    title.textContent = (bar && bar.getAttribute("title")) || "";
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u2715";
    close.style.cssText = "border:0;background:none;font-size:16px;cursor:pointer";
    close.addEventListener("click", function () { element.hide(); });
    header.appendChild(title);
    header.appendChild(close);
    dialog.appendChild(header);
    var body = document.createElement("div");
    body.style.cssText = "padding:16px 18px;max-height:60vh;overflow:auto";
    Array.prototype.forEach.call(element.children, function (child) {
      if (child.tagName !== "UI-TITLE-BAR") body.appendChild(child.cloneNode(true));
    });
    dialog.appendChild(body);
    var footer = document.createElement("footer");
    footer.style.cssText = "display:flex;justify-content:flex-end;gap:8px;padding:12px 18px;border-top:1px solid #e3e3e3";
    var buttons = bar ? Array.prototype.slice.call(bar.querySelectorAll("button")) : [];
    buttons.reverse().forEach(function (original) {
      var proxy = document.createElement("button");
      proxy.type = "button";
      proxy.textContent = original.textContent;
      var primary = original.getAttribute("variant") === "primary";
      var critical = original.getAttribute("tone") === "critical";
      proxy.style.cssText = "padding:6px 14px;border-radius:8px;cursor:pointer;border:1px solid " + (primary ? (critical ? "#8e1f0b" : "#303030") : "#c9c9c9") +
        ";background:" + (primary ? (critical ? "#c70a24" : "#303030") : "#fff") + ";color:" + (primary ? "#fff" : "#303030");
      if (original.disabled) proxy.disabled = true;
      proxy.addEventListener("click", function () { original.click(); });
      footer.appendChild(proxy);
    });
    dialog.appendChild(footer);
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); element.hide(); });
    document.body.appendChild(dialog);
    dialog.showModal();
    return dialog;
  }

  if (window.customElements && !window.customElements.get("ui-modal")) {
    var UIModal = function () { return Reflect.construct(HTMLElement, [], UIModal); };
    UIModal.prototype = Object.create(HTMLElement.prototype);
    UIModal.prototype.constructor = UIModal;
    Object.setPrototypeOf(UIModal, HTMLElement);
    UIModal.prototype.show = function () {
      if (!this._dialog) {
        this._dialog = drawModal(this);
        send("modal", { open: true });
        this.dispatchEvent(new CustomEvent("show"));
      }
      return Promise.resolve();
    };
    UIModal.prototype.hide = function () {
      if (this._dialog) {
        this._dialog.close();
        this._dialog.remove();
        this._dialog = null;
        send("modal", { open: false });
        this.dispatchEvent(new CustomEvent("hide"));
      }
      return Promise.resolve();
    };
    UIModal.prototype.toggle = function () { return this._dialog ? this.hide() : this.show(); };
    UIModal.prototype.disconnectedCallback = function () { this.hide(); };
    Object.defineProperty(UIModal.prototype, "open", { get: function () { return !!this._dialog; } });
    window.customElements.define("ui-modal", UIModal);
    // ui-title-bar (the page's, and a modal's own) is defined below, with the page title bar it publishes.
  }

  function modalById(id) {
    var element = document.getElementById(id);
    if (!element || element.tagName !== "UI-MODAL") return Promise.reject(new Error("App Bridge: no ui-modal with id " + id));
    return element;
  }
  shopify.modal = {
    show: function (id) { var el = modalById(id); return el.show ? el.show() : el; },
    hide: function (id) { var el = modalById(id); return el.hide ? el.hide() : el; },
    toggle: function (id) { var el = modalById(id); return el.toggle ? el.toggle() : el; }
  };

  // Like App Bridge: fetch() to the app's own origin carries a fresh ID token.
  var nativeFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = new URL(typeof input === "string" ? input : input.url, window.location.href);
    if (url.origin !== window.location.origin) return nativeFetch(input, init);
    return shopify.idToken().then(function (token) {
      init = Object.assign({}, init || {});
      var headers = new Headers(init.headers || (typeof input === "string" ? undefined : input.headers));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      init.headers = headers;
      return nativeFetch(input, init);
    });
  };

  // The bounce page: fetch a fresh ID token and load the page the app asked for with it.
  var reload = params.get("shopify-reload");
  if (reload) {
    var target = new URL(reload, window.location.href);
    if (target.origin === window.location.origin) {
      shopify.idToken().then(function (token) {
        target.searchParams.set("id_token", token);
        window.location.replace(target.toString());
      });
    }
  }

  // The app's navigation menu (s-app-nav, or the legacy ui-nav-menu) is drawn by the admin.
  function publishNavMenu() {
    var menu = document.querySelector("s-app-nav, ui-nav-menu");
    if (!menu) return;
    var items = Array.prototype.map.call(menu.querySelectorAll("a, s-link"), function (link) {
      return { label: link.textContent.trim(), href: link.getAttribute("href"), home: link.getAttribute("rel") === "home" };
    });
    send("navMenu", { items: items, path: window.location.pathname });
  }

  // The title bar (ui-title-bar): its title (or document.title), a breadcrumb and actions, drawn by the admin.
  // Children are <a> or <button>, variant="breadcrumb" | "primary" (else secondary), as App Bridge reads them.
  // A click on an action in the admin comes back here and clicks the element, so its handlers run.
  var titleBarActions = [];
  function publishTitleBar() {
    // The page's title bar, not a modal's (the modal draws its own title and buttons).
    var bar = document.querySelector("ui-title-bar:not(ui-modal ui-title-bar)");
    var breadcrumb = null;
    var actions = [];
    titleBarActions = [];
    if (bar) {
      Array.prototype.forEach.call(bar.querySelectorAll("a, button"), function (element) {
        var entry = { label: element.textContent.trim(), href: element.getAttribute("href") || "", target: element.getAttribute("target") || "",
                      tone: element.getAttribute("tone") || "", disabled: element.hasAttribute("disabled") };
        if (entry.href) entry.href = new URL(entry.href, window.location.href).toString();
        if (element.getAttribute("variant") === "breadcrumb") { breadcrumb = entry; return; }
        entry.variant = element.getAttribute("variant") === "primary" ? "primary" : "secondary";
        entry.index = titleBarActions.push(element) - 1;
        actions.push(entry);
      });
    }
    var title = (bar && bar.getAttribute("title")) || document.title;
    send("titleBar", { title: title, breadcrumb: breadcrumb, actions: actions });
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== ADMIN_ORIGIN || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.og !== "titleBarAction") return;
    var element = titleBarActions[data.index];
    if (element && !element.hasAttribute("href")) element.click();
  });

  if (inFrame && window.customElements) {
    ["s-app-nav", "ui-nav-menu"].forEach(function (name) {
      if (!customElements.get(name)) customElements.define(name, class extends HTMLElement {});
    });
    if (!customElements.get("ui-title-bar")) {
      customElements.define("ui-title-bar", class extends HTMLElement {
        connectedCallback() {
          var element = this;
          this._observer = new MutationObserver(function () { publishTitleBar(); });
          this._observer.observe(this, { attributes: true, childList: true, subtree: true, characterData: true });
          setTimeout(function () { if (element.isConnected) publishTitleBar(); });
        }
        disconnectedCallback() { if (this._observer) this._observer.disconnect(); }
      });
    }
  }
  function publishAll() { publishNavMenu(); publishTitleBar(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", publishAll);
  else publishAll();
})();
