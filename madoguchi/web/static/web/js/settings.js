// Console: settings area. Loaded on every console page after console.js.
(function () {
  "use strict";

  /* Macro editor: a variable button inserts its text at the caret in the reply text; the
     input event makes htmx refresh the live preview. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-variable]");
    if (!button) return;
    var body = document.getElementById("id_body");
    if (!body) return;
    var text = button.dataset.insertVariable;
    var start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
