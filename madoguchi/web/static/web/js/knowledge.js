// Console: help-center editor. Loaded on every console page after console.js.
(function () {
  "use strict";

  /* Markdown toolbar: each button wraps the selection (or inserts a sample) in the body
     textarea; the input event makes htmx refresh the live preview. */
  var SNIPPETS = {
    bold: ["**", "**"],
    heading: ["\n## ", "\n"],
    list: ["\n- ", "\n"],
    numbered: ["\n1. ", "\n"],
    link: ["[", "](https://)"],
    image: ["![", "](https://)"]
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var body = document.querySelector("[data-kb-body]");
    var pair = SNIPPETS[button.dataset.kbInsert];
    if (!body || !pair) return;
    var start = body.selectionStart, end = body.selectionEnd;
    var picked = body.value.slice(start, end);
    body.value = body.value.slice(0, start) + pair[0] + picked + pair[1] + body.value.slice(end);
    body.focus();
    body.selectionStart = start + pair[0].length;
    body.selectionEnd = body.selectionStart + picked.length;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });

  /* Leaving the editor with unsaved changes asks first. */
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form[data-kb-editor]")) dirty = true;
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("form[data-kb-editor]")) dirty = true;
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-kb-editor]")) dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && document.querySelector("form[data-kb-editor]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
