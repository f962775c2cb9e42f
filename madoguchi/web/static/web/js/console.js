/* Madoguchi console: small progressive enhancements. Every page also works without this file.
   All user-visible text comes from data attributes rendered (and translated) by the server. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  /* ---- reply box: public reply / internal note ---- */
  function syncReplyMode(form) {
    var checked = form.querySelector('input[name="mode"]:checked');
    var mode = checked ? checked.value : "public";
    form.dataset.mode = mode;
    var button = form.querySelector('button[type="submit"][data-label-public]');
    if (button) {
      button.textContent = mode === "internal" ? button.dataset.labelInternal : button.dataset.labelPublic;
    }
    var textarea = form.querySelector("textarea[name=body]");
    if (textarea) {
      if (!textarea.dataset.publicPlaceholder) textarea.dataset.publicPlaceholder = textarea.placeholder;
      textarea.placeholder = mode === "internal" ? textarea.dataset.notePlaceholder : textarea.dataset.publicPlaceholder;
    }
  }

  /* ---- toasts for failed htmx requests ---- */
  function toast(message) {
    var box = $("#toast");
    if (!box) return;
    box.textContent = message || box.dataset.generic;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = doc.querySelector("[data-error-message]");
      if (node) message = node.textContent.trim();
    } catch (e) { message = ""; }
    toast(message);
  });
  document.addEventListener("htmx:sendError", function () { toast(""); });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches('#reply input[name="mode"]')) syncReplyMode(target.form);
    if (target.matches("#reply-files")) {
      var list = $("#reply-files-list");
      var names = Array.prototype.map.call(target.files, function (f) { return f.name; });
      if (list) {
        if (!list.dataset.hint) list.dataset.hint = list.textContent;
        list.textContent = names.length ? names.join(", ") : list.dataset.hint;
      }
    }
  });

  /* ---- confirmations, double-submit guard ---- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var pick = event.target.closest("[data-pick-customer]");
    if (pick) {
      var input = $("#id_customer_id");
      if (input) {
        input.value = pick.dataset.pickCustomer;
        var note = $("#picked-customer");
        if (note) note.textContent = pick.dataset.pickName + " (ID " + pick.dataset.pickCustomer + ")";
        input.focus();
      }
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = $(copy.dataset.copy);
      if (field && navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(function () {
          copy.textContent = copy.dataset.copiedLabel;
        });
      } else if (field) {
        field.select();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.id === "reply") {
      if (form.dataset.sending === "1") { event.preventDefault(); return; }
      form.dataset.sending = "1";
      var submit = form.querySelector('button[type="submit"]');
      if (submit) submit.setAttribute("aria-disabled", "true");
    }
  });

  /* ---- keyboard: Ctrl/Cmd + Enter sends the reply ---- */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("#reply textarea")) {
      event.preventDefault();
      var form = event.target.form;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var reply = $("#reply");
    if (reply) syncReplyMode(reply);
    // The stale-reply guard: scroll to the first new message so the agent reads it.
    var firstNew = $(".msg-new");
    if (firstNew) firstNew.scrollIntoView({ block: "center" });
  });
})();
