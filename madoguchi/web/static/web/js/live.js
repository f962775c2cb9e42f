/* Console: live area. One WebSocket per page (/ws/console/) with reconnect and backoff.
   The socket only says *that* something changed (ids, no content); the page re-fetches
   through the normal permission-checked HTTP views. Strings come from #live (web/_live.html). */
(function () {
  "use strict";

  var config = document.getElementById("live");
  if (!config || !("WebSocket" in window)) return;
  var text = config.dataset;
  var TICKET_KINDS = ["ticket_created", "message_received", "message_added", "ticket_updated", "ticket_merged"];
  var NEW_KINDS = ["ticket_created", "message_received"];
  var TYPING_REPEAT_MS = 3000, TYPING_IDLE_MS = 4000, MAX_BACKOFF_MS = 30000;

  var socket = null, attempts = 0, stopped = false, wasOpen = false;
  var ticketRoot = document.querySelector("[data-ticket-id][data-last-message-id]");
  var ticketId = ticketRoot ? parseInt(ticketRoot.dataset.ticketId, 10) : null;
  var sending = false;

  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  /* ---- connection ---- */
  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + text.socketPath);
    socket.addEventListener("open", function () {
      attempts = 0;
      document.body.dataset.live = "connected";
      setOffline(false);
      if (ticketId) send({ subscribe_ticket: ticketId });
      if (wasOpen) onTicketEvent({ kind: "resync" });  // events may have been missed meanwhile
      wasOpen = true;
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      onMessage(data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      document.body.dataset.live = "disconnected";
      renderPresence([]);
      // 4401: signed out, 4403: no agent profile. Reconnecting would not help.
      if (stopped || event.code === 4401 || event.code === 4403) return;
      attempts += 1;
      if (wasOpen && attempts > 1) setOffline(true);
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempts - 1));
      setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  var offlineNote = null;
  function setOffline(offline) {
    if (!offlineNote) {
      offlineNote = document.createElement("div");
      offlineNote.className = "live-offline";
      offlineNote.setAttribute("role", "status");
      offlineNote.hidden = true;
      offlineNote.textContent = text.offline;
      document.body.appendChild(offlineNote);
    }
    offlineNote.hidden = !offline;
  }

  function onMessage(data) {
    if (data.kind === "presence") {
      if (data.ticket_id === ticketId) renderPresence(data.viewers || []);
    } else if (data.kind === "notification") {
      refreshCounts();
    } else if (TICKET_KINDS.indexOf(data.kind) !== -1) {
      onTicketEvent(data);
    }
  }

  /* ---- counts: side-nav views and the notification badge ---- */
  function fetchCounts() {
    fetch(text.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.views || {}).forEach(function (name) {
          var el = document.getElementById("nav-count-" + name);
          if (el) el.textContent = data.views[name].label;
        });
        // notifications.js owns the bell (text, hidden, spoken label).
        if (data.notifications) {
          document.dispatchEvent(new CustomEvent("live:notifications", { detail: data.notifications }));
        }
      })
      .catch(function () { /* the next event or reconnect refreshes again */ });
  }
  var refreshCounts = debounce(fetchCounts, 250);

  /* ---- inbox page ---- */
  function inboxIsQuiet(results) {
    var params = new URLSearchParams(location.search);
    if (params.get("cursor")) return false;  // not the first page
    if (results.querySelector('input[type="checkbox"]:checked')) return false;  // a selection
    return !results.contains(document.activeElement);  // keyboard focus stays where it is
  }

  var refreshResults = debounce(function () {
    if (!window.htmx) return;
    var banner = document.getElementById("live-new-tickets");
    if (banner) banner.remove();  // the list about to be shown has them
    window.htmx.ajax("GET", location.href, { target: "#inbox-results", headers: { "HX-Target": "inbox-results" } });
  }, 300);

  function showBanner(id, message, linkText, href, before, onFollow) {
    var banner = document.getElementById(id);
    if (banner) return;
    banner = document.createElement("div");
    banner.id = id;
    banner.className = "alert alert-info live-banner";
    banner.setAttribute("role", "status");
    var strong = document.createElement("span");
    strong.textContent = message + " — ";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    if (onFollow) link.addEventListener("click", onFollow);
    banner.appendChild(strong);
    banner.appendChild(link);
    before.parentNode.insertBefore(banner, before);
  }

  function onTicketEvent(data) {
    refreshCounts();
    var results = document.getElementById("inbox-results");
    if (results) {
      if (inboxIsQuiet(results)) {
        refreshResults();
      } else if (NEW_KINDS.indexOf(data.kind) !== -1) {
        var params = new URLSearchParams(location.search);
        params.delete("cursor");
        showBanner("live-new-tickets", text.newTickets, text.showNew, location.pathname + "?" + params.toString(), results);
      }
    }
    if (ticketRoot && data.ticket_id === ticketId && data.message_id && !sending) {
      var last = parseInt(ticketRoot.dataset.lastMessageId || "0", 10);
      if (data.message_id > last) {
        var anchor = document.querySelector(".conversation") || ticketRoot.firstElementChild;
        showBanner("live-new-messages", text.newMessages, text.reload, location.pathname, anchor, keepDraft);
      }
    }
  }

  /* ---- ticket page: a reply being written survives "reload to read them" ---- */
  var DRAFT_KEY = "madoguchi.live-draft." + ticketId;
  function keepDraft() {
    var textarea = document.getElementById("reply-body");
    try {
      if (textarea && textarea.value.trim()) sessionStorage.setItem(DRAFT_KEY, textarea.value);
    } catch (e) { /* storage disabled: the reload simply loses nothing more than before */ }
  }
  function restoreDraft() {
    var textarea = document.getElementById("reply-body");
    var saved = null;
    try {
      saved = sessionStorage.getItem(DRAFT_KEY);
      sessionStorage.removeItem(DRAFT_KEY);
    } catch (e) { return; }
    if (textarea && saved && !textarea.value.trim()) {
      textarea.value = saved;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /* ---- ticket page: presence and typing ---- */
  var presenceBar = null;
  function renderPresence(viewers) {
    if (!ticketRoot) return;
    if (!presenceBar) {
      presenceBar = document.createElement("div");
      presenceBar.className = "presence-bar";
      presenceBar.setAttribute("role", "status");
      presenceBar.setAttribute("aria-live", "polite");
      presenceBar.setAttribute("aria-label", text.presenceLabel);
      var head = ticketRoot.querySelector(".ticket-head");
      if (head) head.appendChild(presenceBar);
      else ticketRoot.insertBefore(presenceBar, ticketRoot.firstChild);
    }
    presenceBar.textContent = "";
    viewers.forEach(function (viewer) {
      var chip = document.createElement("span");
      chip.className = "presence-chip" + (viewer.typing ? " is-typing" : "");
      chip.dataset.agentId = String(viewer.agent_id);
      chip.textContent = (viewer.typing ? text.typing : text.viewing).replace("{name}", viewer.name);
      presenceBar.appendChild(chip);
    });
    presenceBar.hidden = viewers.length === 0;
  }

  function watchTyping() {
    var textarea = document.getElementById("reply-body");
    if (!textarea) return;
    var typing = false, lastSent = 0, idle = null;
    function stop() {
      clearTimeout(idle);
      if (typing) { typing = false; send({ typing: false }); }
    }
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (!typing || now - lastSent > TYPING_REPEAT_MS) {
        typing = true;
        lastSent = now;
        send({ typing: true });
      }
      clearTimeout(idle);
      idle = setTimeout(stop, TYPING_IDLE_MS);
    });
    textarea.addEventListener("blur", stop);
    var form = textarea.closest("form");
    if (form) form.addEventListener("submit", function () { sending = true; stop(); });
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close();
  });
  window.addEventListener("pageshow", function (event) {
    // Back/forward cache: the page comes back without reloading; so does its socket.
    if (event.persisted && stopped) {
      stopped = false;
      connect();
    }
  });
  if (ticketRoot) {
    restoreDraft();
    watchTyping();
  }
  // The side-nav counts are not part of the page (they cost more than the page itself for a
  // scoped agent at 1M tickets): they arrive right after it, then follow the live events.
  fetchCounts();
  connect();
})();
