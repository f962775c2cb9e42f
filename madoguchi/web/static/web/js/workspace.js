/* Console: the ticket workspace. Loaded on every console page after console.js.
   Keyboard shortcuts (and their `?` help), the macro picker, the character counter of
   plain-text channels and the `@` agent autocomplete of internal notes. All text shown
   comes from data attributes rendered (and translated) by the server. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function norm(text) { return (text || "").normalize("NFKC").toLowerCase(); }

  /* Typing in a field: single-key shortcuts must not fire. */
  function isTyping(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable) return true;
    var field = target.closest("input, textarea, select");
    if (!field) return false;
    return !(field.tagName === "INPUT" && /^(checkbox|radio|button|submit|reset|file)$/.test(field.type));
  }

  function replyForm() { return $("#reply"); }
  function replyBody() { return $("#reply-body"); }

  function insertAtCaret(textarea, text) {
    if (!textarea.value.trim()) {
      textarea.value = text;
      textarea.selectionStart = textarea.selectionEnd = text.length;
    } else {
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var before = textarea.value.slice(0, start), after = textarea.value.slice(end);
      var glue = before && !before.endsWith("\n") ? "\n" : "";
      textarea.value = before + glue + text + after;
      textarea.selectionStart = textarea.selectionEnd = (before + glue + text).length;
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  /* ---------- reply mode (r / n) ---------- */
  function setMode(mode) {
    var form = replyForm();
    if (!form) return;
    var radio = form.querySelector('input[name="mode"][value="' + mode + '"]');
    if (radio && !radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    form.dataset.mode = mode;
    var body = replyBody();
    if (body) { body.focus(); body.scrollIntoView({ block: "nearest" }); }
  }

  /* ---------- character counter of plain-text channels ---------- */
  function updateCounter() {
    var body = replyBody(), counter = $("#reply-counter");
    if (!body || !counter || !body.dataset.limit) return;
    var limit = parseInt(body.dataset.limit, 10);
    var count = Array.from(body.value).length;
    var over = count > limit && (replyForm().dataset.mode !== "internal");
    $("[data-count]", counter).textContent = String(count);
    counter.classList.toggle("is-over", over);
    var note = $("[data-over]", counter);
    note.hidden = !over;
    note.textContent = over ? counter.dataset.overLabel + " (+" + (count - limit) + ")" : "";
    if (over) body.setAttribute("aria-invalid", "true"); else body.removeAttribute("aria-invalid");
  }

  /* ---------- macro picker: type to filter, arrows, Enter ---------- */
  var picker = {
    menu: function () { return $("[data-macro-menu]"); },
    popover: function () { return $("#macro-popover"); },
    isOpen: function () { var p = this.popover(); return !!p && !p.hidden; },
    visible: function () { return $all('#macro-list [role="option"]').filter(function (o) { return !o.hidden; }); },
    open: function () {
      var pop = this.popover();
      if (!pop) return;
      pop.hidden = false;
      $("#macro-open").setAttribute("aria-expanded", "true");
      var search = $("#macro-search");
      search.value = "";
      this.filter("");
      search.focus();
    },
    close: function (refocus) {
      var pop = this.popover();
      if (!pop || pop.hidden) return;
      pop.hidden = true;
      $("#macro-open").setAttribute("aria-expanded", "false");
      if (refocus) $("#macro-open").focus();
    },
    filter: function (query) {
      var words = norm(query).split(/\s+/).filter(Boolean);
      $all('#macro-list [role="option"]').forEach(function (option) {
        var hay = norm(option.dataset.search);
        option.hidden = !words.every(function (w) { return hay.indexOf(w) !== -1; });
      });
      var shown = this.visible();
      $(".macro-none", this.popover()).hidden = shown.length > 0;
      this.activate(shown[0] || null);
    },
    activate: function (option) {
      $all('#macro-list [role="option"]').forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
      var search = $("#macro-search");
      if (option) {
        search.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        search.removeAttribute("aria-activedescendant");
      }
    },
    move: function (step) {
      var shown = this.visible();
      if (!shown.length) return;
      var current = shown.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
      var next = current === -1 ? 0 : (current + step + shown.length) % shown.length;
      this.activate(shown[next]);
    },
    pick: function (option) {
      if (!option) return;
      var form = replyForm(), status = $("#macro-status");
      this.close(false);
      fetch(option.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          insertAtCaret(replyBody(), data.text);
          form.querySelector('input[name="macro"]').value = String(data.id);
          var select = $("#reply-status");
          if (select && data.changes && data.changes.status && form.dataset.mode !== "internal") select.value = data.changes.status;
          if (status) {
            var text = status.dataset.insertedLabel + " " + data.name;
            if (data.changes_text) text += " — " + status.dataset.changesLabel + " " + data.changes_text;
            status.textContent = text;
          }
        })
        .catch(function () {
          form.querySelector('input[name="macro"]').value = "";
          if (status) status.textContent = status.dataset.failedLabel;
          replyBody().focus();
        });
    }
  };

  /* ---------- @ mentions in internal notes ---------- */
  var mention = {
    timer: 0, seq: 0, token: null,
    list: function () { return $("#mention-list"); },
    isOpen: function () { var l = this.list(); return !!l && !l.hidden; },
    close: function () {
      var list = this.list();
      if (list) { list.hidden = true; list.textContent = ""; }
      var body = replyBody();
      if (body) body.removeAttribute("aria-activedescendant");
      this.token = null;
    },
    /* The `@word` right before the caret, or null. */
    current: function (body) {
      var before = body.value.slice(0, body.selectionStart);
      var found = /(^|[\s(（「、。,，])[@＠]([^\s@＠]{0,30})$/.exec(before);
      return found ? { text: found[2], start: before.length - found[2].length - 1 } : null;
    },
    update: function () {
      var body = replyBody(), form = replyForm();
      if (!body || form.dataset.mode !== "internal") { this.close(); return; }
      var token = this.current(body);
      if (!token) { this.close(); return; }
      this.token = token;
      clearTimeout(this.timer);
      var self = this, seq = ++this.seq;
      this.timer = setTimeout(function () {
        var url = form.dataset.mentionUrl + "?q=" + encodeURIComponent(token.text);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
          .then(function (data) { if (seq === self.seq && self.token) self.render(data.agents || []); })
          .catch(function () { self.close(); });
      }, 120);
    },
    render: function (agents) {
      var list = this.list();
      list.textContent = "";
      if (!agents.length) { list.hidden = true; return; }
      agents.forEach(function (agent, index) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "mention-option-" + agent.id;
        li.dataset.name = agent.name;
        li.setAttribute("aria-selected", index === 0 ? "true" : "false");
        var name = document.createElement("span");
        name.textContent = agent.name;
        var login = document.createElement("span");
        login.className = "muted small";
        login.textContent = " @" + agent.username;
        li.appendChild(name);
        li.appendChild(login);
        list.appendChild(li);
      });
      list.hidden = false;
      replyBody().setAttribute("aria-activedescendant", list.firstChild.id);
    },
    move: function (step) {
      var options = $all('[role="option"]', this.list());
      var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
      var next = (current + step + options.length) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
      replyBody().setAttribute("aria-activedescendant", options[next].id);
    },
    pick: function (option) {
      var body = replyBody(), token = this.token;
      if (!option || !token) { this.close(); return; }
      var caret = body.selectionStart;
      var inserted = "@" + option.dataset.name + " ";
      body.value = body.value.slice(0, token.start) + inserted + body.value.slice(caret);
      body.selectionStart = body.selectionEnd = token.start + inserted.length;
      this.close();
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    },
    selected: function () { return $('[role="option"][aria-selected="true"]', this.list()); }
  };

  /* ---------- s: solved through the side panel, with undo ---------- */
  function statusSelect() { return $('#ticket-properties select[name="status"]'); }

  function submitProperties(value) {
    var select = statusSelect();
    if (!select) return false;
    select.value = value;
    var form = select.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  function undoBar(message, undo) {
    var dialog = $("#shortcuts");
    var bar = $("#undo-bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "undo-bar";
      bar.className = "undo-bar";
      bar.setAttribute("role", "status");
      document.body.appendChild(bar);
    }
    bar.textContent = "";
    var text = document.createElement("span");
    text.textContent = message;
    bar.appendChild(text);
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.textContent = dialog.dataset.undoLabel;
      button.addEventListener("click", function () {
        undo();
        undoBar(dialog.dataset.undoneLabel, null);
      });
      bar.appendChild(button);
    }
    bar.hidden = false;
    clearTimeout(bar._timer);
    bar._timer = setTimeout(function () { bar.hidden = true; }, 8000);
  }

  function solve() {
    var select = statusSelect();
    if (!select || select.disabled || select.closest("fieldset[disabled]") || select.value === "solved") return;
    var previous = select.value;
    if (submitProperties("solved")) {
      undoBar($("#shortcuts").dataset.solvedLabel, function () { submitProperties(previous); });
    }
  }

  /* ---------- the ? help ---------- */
  function showHelp() {
    var dialog = $("#shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  /* ---------- keys ---------- */
  var pendingG = 0;

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    // Ctrl/⌘ + Enter in the reply's header fields sends too (console.js covers the textarea).
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.matches && target.matches("#reply input")) {
      event.preventDefault();
      var form = target.form;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (event.isComposing || event.keyCode === 229) return;

    // The open widgets first: mention list, macro picker.
    if (target === replyBody() && mention.isOpen()) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); mention.move(event.key === "ArrowDown" ? 1 : -1); return; }
      if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") { event.preventDefault(); mention.pick(mention.selected()); return; }
      if (event.key === "Escape") { event.preventDefault(); mention.close(); return; }
    }
    if (target.id === "macro-search") {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); picker.move(event.key === "ArrowDown" ? 1 : -1); return; }
      if (event.key === "Enter") { event.preventDefault(); picker.pick($('#macro-list [aria-selected="true"]')); return; }
      if (event.key === "Escape") { event.preventDefault(); picker.close(true); return; }
      if (event.key === "Tab") { picker.close(false); return; }
    }
    if (event.key === "Escape") {
      if (picker.isOpen()) { picker.close(true); return; }
      if (isTyping(target) && target.closest("#reply")) { target.blur(); return; }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(target)) return;
    if ($("#shortcuts") && $("#shortcuts").open) return;

    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500 && (key === "i" || key === "c")) {
      pendingG = 0;
      var link = $('#shortcuts [data-go="' + key + '"]');
      if (link) { event.preventDefault(); window.location.href = link.href; }
      return;
    }
    pendingG = 0;
    if (key === "?") { event.preventDefault(); showHelp(); return; }
    if (key === "g") { pendingG = Date.now(); return; }
    if (key === "/") {
      var search = $("#global-q");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    var page = $(".ticket-layout[data-ticket-id]");
    if (!page) return;
    if (key === "r" && replyForm()) { event.preventDefault(); setMode("public"); }
    else if (key === "n" && replyForm()) { event.preventDefault(); setMode("internal"); }
    else if (key === "m" && $("#macro-open")) { event.preventDefault(); picker.open(); }
    else if (key === "s") { event.preventDefault(); solve(); }
    else if ((key === "j" || key === "]") && page.dataset.nextUrl) { event.preventDefault(); window.location.href = page.dataset.nextUrl; }
    else if ((key === "k" || key === "[") && page.dataset.prevUrl) { event.preventDefault(); window.location.href = page.dataset.prevUrl; }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id === "macro-search") picker.filter(event.target.value);
    if (event.target === replyBody()) { updateCounter(); mention.update(); }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches('#reply input[name="mode"]')) { updateCounter(); mention.close(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("#macro-open")) {
      if (picker.isOpen()) picker.close(true); else picker.open();
      return;
    }
    var option = target.closest('#macro-list [role="option"]');
    if (option) { picker.pick(option); return; }
    var person = target.closest('#mention-list [role="option"]');
    if (person) { mention.pick(person); return; }
    if (picker.isOpen() && !target.closest("[data-macro-menu]")) picker.close(false);
    if (mention.isOpen() && !target.closest("#mention-list")) mention.close();
  });

  document.addEventListener("mousedown", function (event) {
    // Keep the caret in the note while choosing an agent with the mouse.
    if (event.target.closest("#mention-list")) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", updateCounter);
})();
