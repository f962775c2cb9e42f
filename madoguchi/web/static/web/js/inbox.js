// Console: inbox area. Loaded on every console page after console.js.
// Select all / bulk bar state / merge target choices. The bulk form also works without this.
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("input[data-row-select]")); }

  function sync() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var boxes = rows();
    var checked = boxes.filter(function (b) { return b.checked; });
    var count = document.getElementById("bulk-count");
    if (count) {
      count.textContent = checked.length === 0 ? form.dataset.selectedNone
        : checked.length === 1 ? form.dataset.selectedOne
        : form.dataset.selectedMany.replace("{n}", String(checked.length));
    }
    form.classList.toggle("is-idle", checked.length === 0);
    var all = document.querySelector("input[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    boxes.forEach(function (b) { b.closest("tr").classList.toggle("is-selected", b.checked); });
    var target = document.getElementById("bulk-target");
    if (target) {
      var keep = target.value;
      while (target.options.length > 1) target.remove(1);
      checked.forEach(function (b) {
        var option = document.createElement("option");
        option.value = b.value;
        option.textContent = b.closest("tr").dataset.ticketLabel;
        target.appendChild(option);
      });
      target.value = checked.some(function (b) { return b.value === keep; }) ? keep : "";
    }
  }

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches("input[data-select-all]")) {
      rows().forEach(function (b) { b.checked = t.checked; });
      sync();
    } else if (t.matches("input[data-row-select]")) {
      sync();
    }
  });
  // The bulk form's controls must not trigger the filter form's change handler.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "inbox-results") sync();
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
