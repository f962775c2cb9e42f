/* Contact form: help-center articles suggested while the customer writes (deflection).
   Same approach as help.js (debounce, abort the stale request, a polite live region), but the
   suggestions are plain links under the message field: focus stays in the text while typing
   and Tab reaches the links. Each link opens the article in a new tab through the form's
   click endpoint, so the draft stays. Without this file the form works as before. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;
  var MIN_CHARS = 2;
  var MAX_BODY = 400; // the start of the message says what it is about

  function setup(form) {
    var panel = document.getElementById("contact-suggest");
    var list = document.getElementById("contact-suggest-list");
    var status = document.getElementById("contact-suggest-status");
    var subject = form.querySelector('[name="subject"]');
    var body = form.querySelector('[name="body"]');
    var token = form.querySelector('[name="token"]');
    if (!panel || !list || !subject || !body || !token) return;
    var timer = null;
    var controller = null;
    var lastText = "";
    var lastIds = "";
    var opened = {};

    function text() {
      return (subject.value.trim() + "\n" + body.value.trim().slice(0, MAX_BODY)).trim();
    }

    function announce(count) {
      if (!status) return;
      var message = count === 0 ? status.dataset.none
        : count === 1 ? status.dataset.one
        : status.dataset.many.replace("%(count)s", String(count));
      if (status.textContent !== message) status.textContent = message;
    }

    function markOpened(link, id) {
      opened[id] = true;
      link.parentNode.classList.add("is-opened");
      if (!link.parentNode.querySelector(".contact-suggest-opened")) {
        var badge = document.createElement("span");
        badge.className = "contact-suggest-opened";
        badge.textContent = status ? status.dataset.opened : "";
        link.parentNode.appendChild(badge);
      }
    }

    function render(results) {
      var ids = results.map(function (hit) { return hit.id; }).join(",");
      if (ids === lastIds) return; // same articles: leave the list (and the reader) alone
      lastIds = ids;
      list.textContent = "";
      results.forEach(function (hit) {
        var li = document.createElement("li");
        li.className = "contact-suggest-item";
        var a = document.createElement("a");
        a.href = hit.url;
        a.target = "_blank";
        a.rel = "noopener";
        a.dataset.articleId = String(hit.id);
        var title = document.createElement("span");
        title.className = "contact-suggest-article";
        title.textContent = hit.title;
        var hint = document.createElement("span");
        hint.className = "sr-only";
        hint.textContent = " " + (status ? status.dataset.newTab : "");
        a.appendChild(title);
        a.appendChild(hint);
        li.appendChild(a);
        if (hit.snippet) {
          var snippet = document.createElement("span");
          snippet.className = "contact-suggest-snippet";
          snippet.textContent = hit.snippet;
          li.appendChild(snippet);
        }
        a.addEventListener("click", function () { markOpened(a, hit.id); });
        if (opened[hit.id]) markOpened(a, hit.id);
        list.appendChild(li);
      });
      panel.hidden = results.length === 0;
      announce(results.length);
    }

    function suggest() {
      var current = text();
      if (current === lastText) return;
      lastText = current;
      if (controller) controller.abort();
      if (current.length < MIN_CHARS) {
        render([]);
        return;
      }
      controller = new AbortController();
      var params = new URLSearchParams({ token: token.value, q: current });
      fetch(form.dataset.suggestUrl + "?" + params.toString(), {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          // 429 and friends: keep what is shown; the form itself still works.
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && text() === current) render(data.results || []);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") lastText = "";
        });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(suggest, DEBOUNCE_MS);
    }

    subject.addEventListener("input", schedule);
    body.addEventListener("input", schedule);
    // A form shown again after a validation error already holds the customer's text.
    if (text().length >= MIN_CHARS) schedule();
  }

  document.querySelectorAll("form.contact-form[data-suggest-url]").forEach(setup);
})();
