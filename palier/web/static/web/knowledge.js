// Knowledge base in the agent's ticket page: a button with data-insert-text puts its text
// into the reply at the cursor (no inline script: CSP script-src 'self').
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-text]");
    if (!button) return;
    var box = document.querySelector("#ticket-form textarea[name=body]");
    if (!box) return;
    event.preventDefault();
    var text = button.getAttribute("data-insert-text");
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    var before = box.value.slice(0, start);
    var glue = before && !/\n$/.test(before) ? "\n\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    var caret = (before + glue + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
