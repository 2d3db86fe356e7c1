/* The apology draft (templates/remediation/_apology_draft.html): "Copy" puts the subject and the message
 * on the clipboard, and the mailto link follows the merchant's edits. Loaded with each draft partial;
 * it installs its listeners once. */
(function () {
  "use strict";
  if (window.ogApologyReady) return;
  window.ogApologyReady = true;

  // The single draft names its fields subject and body; the bulk form o<id>-subject and o<id>-body.
  function field(scope, name) {
    return scope.querySelector("[name='" + name + "'], [name$='-" + name + "']");
  }

  function copyText(text, scope) {
    var done = function () {
      var note = scope.querySelector("[data-og-copied]");
      if (note) { note.hidden = false; setTimeout(function () { note.hidden = true; }, 3000); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (error) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-og-copy]");
    if (!button) return;
    var scope = button.closest("[data-og-apology]");
    if (!scope) return;
    copyText(field(scope, "subject").value + "\n\n" + field(scope, "body").value, scope);
  });

  document.addEventListener("input", function (event) {
    var scope = event.target.closest && event.target.closest("[data-og-apology]");
    if (!scope) return;
    var link = scope.querySelector("a[data-og-mailto]");
    if (!link) return;
    link.href = "mailto:" + encodeURIComponent(link.dataset.to).replace("%40", "@") +
      "?subject=" + encodeURIComponent(field(scope, "subject").value.replace(/[\r\n]+/g, " ")) +
      "&body=" + encodeURIComponent(field(scope, "body").value.replace(/\r/g, ""));
  });
})();
