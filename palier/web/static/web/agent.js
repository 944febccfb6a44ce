// The agent workspace by keyboard: Alt+letter on a ticket, single letters on a queue
// (j/k/x/o/r/a/c, as in mail readers), Ctrl+Enter sends. Labels and confirmations come
// from data-* attributes of the templates (translated there). A static file: the CSP
// forbids inline scripts.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function focusField(selector) {
    var field = $(selector);
    if (!field) return false;
    var details = field.closest("details");
    if (details) details.open = true;
    field.scrollIntoView({ block: "nearest" });
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
    var element = $(selector);
    if (element) element.click();
    return !!element;
  }

  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The composer: choose what to write, then put the cursor in the text.
  function compose(kind) {
    var radio = $("input[name=kind][value=" + kind + "]");
    if (!radio) return false;
    radio.checked = true;
    changed(radio);
    return focusField("textarea[data-shortcut=reply]");
  }

  function assignToMe() {
    var button = $("[data-assign-me]");
    var select = $("select[name=assignee]");
    if (!button || !select) return false;
    select.value = button.getAttribute("data-assign-me");
    changed(select);
    return true;
  }

  function submit(form, submitter) {
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
    else form.submit();
  }

  // event.code names the physical key, so Alt+R also works on layouts where Alt changes
  // the character (macOS Option, Swiss and French keyboards).
  var ALT_KEYS = {
    KeyR: function () { return compose("reply"); },
    KeyN: function () { return compose("note"); },
    KeyL: function () { return compose("phone_call"); },
    KeyK: function () { return focusField("#macro-select"); },
    KeyM: assignToMe,
    KeyP: function () { return focusField(".ticket-panel select, .ticket-panel input"); },
    KeyS: function () { return focusField("input[data-shortcut=search]"); },
    KeyQ: function () { return backToQueue(); },
    Slash: function () { toggleDialog("shortcuts"); return true; },
    Digit7: function () { toggleDialog("shortcuts"); return true; } // "/" is Shift+7 on de/ch
  };

  // Back to the queue the ticket was opened from (kept for the browser tab), else /desk/.
  function backToQueue() {
    var link = $("[data-shortcut-link=queues]");
    var stored = null;
    try { stored = window.sessionStorage.getItem("palier.queue"); } catch (e) { /* private mode */ }
    if (stored) { window.location.href = stored; return true; }
    if (link) { link.click(); return true; }
    return false;
  }

  // --- queues: a current row, selection, bulk actions ------------------------------------

  var current = -1;

  function rows() { return $all("tr[data-row]"); }

  function moveTo(index) {
    var all = rows();
    if (!all.length) return false;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    var link = $("a.ticket-link", all[current]);
    if (link) link.focus();
    all[current].scrollIntoView({ block: "nearest" });
    return true;
  }

  function currentRow() {
    var all = rows();
    if (current < 0 || current >= all.length) {
      var focused = document.activeElement && document.activeElement.closest("tr[data-row]");
      current = focused ? all.indexOf(focused) : -1;
    }
    return current >= 0 ? all[current] : null;
  }

  function selectedCount() { return $all("#bulk-form input[name=ticket]:checked").length; }

  function updateBulkBar() {
    var form = $("#bulk-form");
    if (!form) return;
    var count = selectedCount();
    var label = $("[data-bulk-count]", form);
    if (label && count) label.textContent = form.getAttribute("data-selected-label").replace("{count}", count);
    form.classList.toggle("has-selection", count > 0);
    var action = $("#bulk-action", form);
    $all("[data-for-action]", form).forEach(function (field) {
      field.hidden = field.getAttribute("data-for-action") !== action.value;
    });
  }

  function bulk(action) {
    var form = $("#bulk-form");
    if (!form || !selectedCount()) return false;
    $("#bulk-action", form).value = action;
    if (action === "assign") $("#bulk-assignee", form).value = "me";
    updateBulkBar();
    submit(form);
    return true;
  }

  var QUEUE_KEYS = {
    j: function () { return moveTo(current + 1); },
    k: function () { return moveTo(current < 0 ? 0 : current - 1); },
    x: function () {
      var row = currentRow();
      var box = row && $("input[name=ticket]", row);
      if (!box) return false;
      box.checked = !box.checked;
      updateBulkBar();
      return true;
    },
    o: function () {
      var row = currentRow();
      var link = row && $("a.ticket-link", row);
      if (link) window.location.href = link.href;
      return !!link;
    },
    r: function () {
      var row = currentRow();
      var link = row && $("a.ticket-link", row);
      if (link) window.location.href = link.href + "#reply";
      return !!link;
    },
    a: function () { return bulk("assign"); },
    c: function () { return bulk("close"); },
    "/": function () { return focusField("input[data-shortcut=search]"); }
  };

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.form || (event.target.closest && event.target.closest("form"));
      if (!form) return;
      event.preventDefault();
      var pending = event.shiftKey ? $("#send-pending") : null;
      submit(form, pending && pending.form === form ? pending : null);
      return;
    }
    if (event.key === "Enter" && event.target.id === "macro-select" && event.target.value) {
      event.preventDefault();
      click("#macro-insert");
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var action = ALT_KEYS[event.code];
      if (action && action()) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (!$("#bulk-form")) return;
    var key = QUEUE_KEYS[event.key];
    if (key && key()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) toggleDialog(opener.getAttribute("data-open-dialog"));
    if (event.target.closest("[data-shortcut-link=queues]") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      backToQueue();
    }
    if (event.target.closest("[data-assign-me]")) assignToMe();
    if (event.target.closest("[data-toggle-codes]")) {
      var on = document.body.classList.toggle("show-codes");
      try { window.localStorage.setItem("palier.codes", on ? "1" : ""); } catch (e) { /* private mode */ }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#bulk-form")) updateBulkBar();
  });
  // Choosing a macro changes nothing yet: no decision preview for it (its Insert does).
  document.addEventListener("change", function (event) {
    if (event.target.id === "macro-select") event.stopPropagation();
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A saved view keeps the filter shown now: htmx may have changed it since the page loaded.
    if (form.classList && form.classList.contains("save-view__form")) {
      var query = $("input[name=query]", form);
      if (query) query.value = window.location.search.replace(/^\?/, "");
    }
    // Closing or merging cannot be undone: say what it does, with how many, and ask once.
    if (form.id === "bulk-form") {
      var action = $("#bulk-action", form).value;
      var text = form.getAttribute("data-confirm-" + action);
      if (text && !window.confirm(text.replace("{count}", selectedCount()))) event.preventDefault();
    }
  });

  function ready() {
    try {
      if (window.localStorage.getItem("palier.codes")) document.body.classList.add("show-codes");
    } catch (e) { /* private mode */ }
    updateBulkBar();
    if ($("#bulk-form")) {
      try { window.sessionStorage.setItem("palier.queue", window.location.href); } catch (e) { /* private mode */ }
    }
    if (window.location.hash === "#reply") compose("reply");
    var conversation = $("#conversation");
    if (conversation) conversation.scrollTop = conversation.scrollHeight;
  }

  if (document.readyState !== "loading") ready();
  else document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:pushedIntoHistory", function () {
    if ($("#bulk-form")) {
      try { window.sessionStorage.setItem("palier.queue", window.location.href); } catch (e) { /* private mode */ }
    }
  });

  // A macro the composer could not insert answers 400 with the composer saying why (and the
  // typed text kept): htmx swaps no 4xx answer unless told to.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail || {};
    if (detail.xhr && detail.xhr.status === 400 && detail.target && detail.target.id === "composer") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = (event.detail && event.detail.target) || event.target;
    // A filtered list replaced by htmx starts without a current row, at its new address.
    if (target.id === "ticket-list") {
      current = -1;
      updateBulkBar();
    }
    // A macro put into the composer: the cursor goes to the end of its text, ready to send.
    if (target.id === "composer") {
      var box = $("textarea[data-shortcut=reply]");
      if (box) {
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      }
    }
  });
})();
