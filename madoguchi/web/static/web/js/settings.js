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

// Email inbox connection tests: a refusal (429 too many tests) is shown in the result slot
// like any other result, instead of htmx dropping the error response.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!elt || !elt.closest || !elt.closest("[data-connection-test]")) return;
    if (event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
