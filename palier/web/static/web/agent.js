// Keyboard shortcuts of the agent workspace (Alt+letter; Ctrl+Enter sends), the cheat
// sheet dialog, and small helpers. A static file: the CSP forbids inline scripts.
(function () {
  "use strict";

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    var details = field.closest("details");
    if (details) details.open = true;
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  }

  function toggleDialog(id) {
    var dialog = document.getElementById(id);
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  function click(selector) {
    var element = document.querySelector(selector);
    if (element) element.click();
    return !!element;
  }

  // event.code names the physical key, so Alt+R also works on layouts where Alt changes
  // the character (macOS Option, Swiss and French keyboards).
  var ALT_KEYS = {
    KeyR: function () { return focusField("textarea[data-shortcut=reply]"); },
    KeyN: function () { return focusField("textarea[data-shortcut=note]"); },
    KeyL: function () { return focusField("#activity-form textarea"); },
    KeyM: function () { return click("#assign-to-me"); },
    KeyS: function () { return focusField("input[data-shortcut=search]"); },
    KeyQ: function () { return click("[data-shortcut-link=queues]"); },
    Slash: function () { toggleDialog("shortcuts"); return true; },
    Digit7: function () { toggleDialog("shortcuts"); return true; } // "/" is Shift+7 on de/ch
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.form || (event.target.closest && event.target.closest("form"));
      if (form) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      }
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var action = ALT_KEYS[event.code];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) toggleDialog(opener.getAttribute("data-open-dialog"));
  });

  // A saved view keeps the filter shown now: htmx may have changed it since the page loaded.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("save-view__form")) return;
    var query = form.querySelector("input[name=query]");
    if (query) query.value = window.location.search.replace(/^\?/, "");
  });
})();
