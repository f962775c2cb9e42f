// Console: notifications area. Loaded on every console page after console.js.
// The bell's count: live.js fetches it after the page and on realtime events and hands it to us
// ("live:notifications", detail.count); a tab shown again refreshes it itself.
(function () {
  "use strict";

  function setCount(count) {
    var el = document.getElementById("notification-count");
    if (!el || typeof count !== "number" || count < 0) return;
    var cap = parseInt(el.getAttribute("data-cap") || "99", 10);
    var label = count > cap ? cap + "+" : String(count);
    el.textContent = label;
    el.hidden = count === 0;
    el.setAttribute("aria-label", (el.getAttribute("data-label-pattern") || "{count}").replace("{count}", label));
  }

  function refresh() {
    var bell = document.querySelector(".notif-bell[data-count-url]");
    if (!bell || !window.fetch) return;
    fetch(bell.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) setCount(data.count); })
      .catch(function () {});
  }

  document.addEventListener("live:notifications", function (event) {
    if (event.detail && typeof event.detail.count === "number") setCount(event.detail.count);
    else refresh();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refresh();
  });

  // The email toggle on /notifications/ saves as soon as it changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  });

  window.madoguchiNotifications = { setCount: setCount, refresh: refresh };
})();
