/* Ticket page: help-center articles in the reply box. The "Help center" panel (button or
   the `h` key) searches the ticket brand's articles as the agent types; "Insert text" and
   "Insert link" (also in the suggested-articles panel) put the article at the caret of the
   reply and remember its id in a hidden `kb_articles` input, so the reply records the use.
   All text shown comes from the server (translated fragments and data attributes). */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var timer = 0, seq = 0;
  var session = (function () {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  })();

  function $(id) { return document.getElementById(id); }
  function panel() { return $("kb-panel"); }
  function field() { return $("kb-search"); }
  function isOpen() { var p = panel(); return !!p && !p.hidden; }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable) return true;
    var el = target.closest("input, textarea, select");
    return !!el && !(el.tagName === "INPUT" && /^(checkbox|radio|button|submit|reset|file)$/.test(el.type));
  }

  function open() {
    var p = panel();
    if (!p) return;
    p.hidden = false;
    $("kb-open").setAttribute("aria-expanded", "true");
    field().focus();
    field().select();
  }

  function close(refocus) {
    var p = panel();
    if (!p || p.hidden) return;
    p.hidden = true;
    $("kb-open").setAttribute("aria-expanded", "false");
    if (refocus) { var body = $("reply-body"); if (body) body.focus(); }
  }

  function search() {
    var p = panel(), results = $("kb-results"), query = field().value;
    clearTimeout(timer);
    var mine = ++seq;
    if (!query.trim()) { results.textContent = ""; return; }
    timer = setTimeout(function () {
      var url = p.dataset.searchUrl + "?q=" + encodeURIComponent(query) + "&session=" + session;
      p.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) {
          // a signed-out session is redirected to the login page: never show that page here
          if (!r.ok || r.redirected) throw new Error(String(r.status));
          return r.text();
        })
        .then(function (html) { if (mine === seq) results.innerHTML = html; })
        .catch(function () { if (mine === seq) results.textContent = $("kb-status").dataset.failedLabel; })
        .then(function () { if (mine === seq) p.removeAttribute("aria-busy"); });
    }, DEBOUNCE_MS);
  }

  function insertAtCaret(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start), after = textarea.value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var tail = after && !/^\n/.test(after) ? "\n" : "";
    textarea.value = before + lead + text + tail + after;
    textarea.selectionStart = textarea.selectionEnd = (before + lead + text).length;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  function remember(id) {
    var holder = $("kb-articles");
    if (!holder) return;
    var present = Array.prototype.some.call(holder.querySelectorAll('input[name="kb_articles"]'), function (i) { return i.value === String(id); });
    if (present) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "kb_articles";
    input.value = String(id);
    holder.appendChild(input);
  }

  function insert(button) {
    var body = $("reply-body"), status = $("kb-status");
    if (!body) return;
    button.disabled = true;
    fetch(button.dataset.kbInsert, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok || r.redirected || typeof data.text !== "string") throw new Error(data.error || "");
          return data;
        });
      })
      .then(function (data) {
        insertAtCaret(body, data.text);
        remember(data.id);
        if (status) status.textContent = status.dataset.insertedLabel + " " + data.title;
      })
      .catch(function (error) {
        if (status) status.textContent = error.message || status.dataset.failedLabel;
      })
      .then(function () { button.disabled = false; });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("#kb-open")) { if (isOpen()) close(true); else open(); return; }
    if (target.closest("#kb-close")) { close(true); return; }
    var button = target.closest("[data-kb-insert]");
    if (button) { event.preventDefault(); insert(button); }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id === "kb-search") search();
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.id === "kb-search") {
      // Enter must not send the reply the search field sits in; Esc closes the panel
      // (before workspace.js would only leave the field).
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) { event.preventDefault(); search(); return; }
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(true); return; }
      return;
    }
    if (event.isComposing || event.keyCode === 229) return;
    if (event.key !== "h" || event.ctrlKey || event.metaKey || event.altKey || isTyping(target)) return;
    var help = $("shortcuts");
    if (help && help.open) return;
    if (!$("kb-open")) return;
    event.preventDefault();
    open();
  }, true);
})();
