// Console: customers area. Loaded on every console page after console.js.
// The phone desk's caller pop-up, Ctrl+Enter on intake forms, the custom-field editor.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  // Choosing "add to #N" / "new ticket" in the caller pop-up fills the form's own fields,
  // so what is submitted is visible (and editable) in the form.
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches('input[name="call_target"]')) return;
    var ticket = $("#id_ticket_number");
    var customer = $("#id_customer_id");
    if (ticket) ticket.value = radio.dataset.ticketNumber ? "#" + radio.dataset.ticketNumber : "";
    if (customer) customer.value = radio.dataset.customerId || "";
  });

  // Enter in a customer search box never submits the form around it: it moves to the
  // first match, where Enter picks it (the picker's buttons fill the customer ID field).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-picker-search]")) return;
    event.preventDefault();
    var first = document.querySelector("#customer-matches [data-pick-customer]");
    if (first) first.focus();
  });

  // Ctrl/Cmd + Enter in a textarea of the phone or FAX form saves it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var area = event.target;
    if (!area.matches(".intake-form textarea, .inline-edit textarea")) return;
    event.preventDefault();
    var form = area.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // Custom fields editor: "add a field" clones the empty template row.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-custom-field]");
    if (add) {
      var list = $(add.dataset.addCustomField);
      var template = list && list.querySelector("template");
      if (template) {
        var row = template.content.firstElementChild.cloneNode(true);
        list.insertBefore(row, template);
        var input = row.querySelector("input");
        if (input) input.focus();
      }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var item = remove.closest("[data-custom-row]");
      if (item) item.remove();
    }
  });
})();
