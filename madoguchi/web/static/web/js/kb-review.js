/* Madoguchi console: the review queue's "select all" box. The queue works without this file
   (every row has its own buttons); it only shows and runs the header checkbox. */
(function () {
  "use strict";

  function picks() { return document.querySelectorAll("input[data-kb-pick]"); }

  function sync() {
    var all = document.querySelector("input[data-kb-select-all]");
    if (!all) return;
    var boxes = picks();
    var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    all.checked = boxes.length > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  function init() {
    var all = document.querySelector("input[data-kb-select-all]");
    if (!all) return;
    all.hidden = false;
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(picks(), function (b) { b.checked = all.checked; });
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches("input[data-kb-pick]")) sync();
    });
    // A row decided in place loses its checkbox.
    document.body.addEventListener("htmx:afterSwap", sync);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
