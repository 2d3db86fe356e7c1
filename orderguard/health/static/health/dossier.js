// The support dossier downloads through fetch with a fresh ID token (the app's frame has no cookies),
// like the orders export in static/js/orderguard.js.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-og-dossier]");
    if (!button) return;
    event.preventDefault();
    var bridge = window.shopify;
    (bridge && bridge.idToken ? bridge.idToken() : Promise.resolve("")).then(function (token) {
      return fetch(button.dataset.ogDossier, { headers: { "Authorization": "Bearer " + token } });
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.blob();
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "orderguard-dossier.zip";
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(link.href);
    }).catch(function () {
      if (bridge && bridge.toast) bridge.toast.show("Download failed", { isError: true });
    });
  });
})();
