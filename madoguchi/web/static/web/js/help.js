/* Help center: search-as-you-type suggestions (ARIA combobox + listbox), no dependencies.
   The page works without this file: the search box is a plain GET form.
   Analytics: each focus of the box starts a random session key sent with every request, so
   the keystrokes of one question are logged as one search; suggestion links carry the
   search's log id (?sl=) so the article page can record the click. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var LIMIT = 6;

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.dataset.status);
    var timer = null;
    var controller = null;
    var active = -1;
    var lastQuery = "";
    var session = newSession();
    var searchId = null;

    // The API answers absolute public URLs; on the help center itself stay on this host.
    function samePath(url) {
      try {
        var parsed = new URL(url, window.location.href);
        return parsed.pathname + parsed.search + parsed.hash;
      } catch (e) {
        return url;
      }
    }

    function withSearchId(path) {
      if (!searchId) return path;
      var parsed = new URL(path, window.location.href);
      parsed.searchParams.set("sl", String(searchId));
      return parsed.pathname + parsed.search + parsed.hash;
    }

    function options() {
      return list.querySelectorAll('[role="option"]');
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function announce(count) {
      if (!status) return;
      var text = count === 0 ? status.dataset.none
        : count === 1 ? status.dataset.one
        : status.dataset.many.replace("%(count)s", String(count));
      status.textContent = text;
    }

    function render(results) {
      list.textContent = "";
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = "help-suggestion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = withSearchId(samePath(hit.url));
        a.tabIndex = -1;
        var title = document.createElement("span");
        title.className = "help-suggest-title";
        title.textContent = hit.title;
        var snippet = document.createElement("span");
        snippet.className = "help-suggest-snippet";
        snippet.textContent = hit.snippet;
        a.appendChild(title);
        a.appendChild(snippet);
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      announce(results.length);
    }

    function fetchResults(query, language) {
      var params = new URLSearchParams({
        q: query, limit: String(LIMIT), brand: input.dataset.brand,
        session: session, source: "help_center",
      });
      if (language) params.set("language", language);
      return fetch(input.dataset.api + "?" + params.toString(), {
        signal: controller.signal,
        credentials: "omit",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      });
    }

    function suggest() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (controller) controller.abort();
      if (!query || query.length > 200) {
        close();
        return;
      }
      controller = new AbortController();
      var language = input.dataset.language;
      // The engine ranks the page's language first and still answers from other languages.
      fetchResults(query, language)
        .then(function (data) {
          if (input.value.trim() !== query) return;
          searchId = data.search_id || null;
          render(data.results || []);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") close();
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open && options().length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          window.location.href = options()[active].querySelector("a").href;
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      // Let a click on a suggestion land before the list closes.
      setTimeout(close, 150);
    });

    // The full search page (Enter) continues this box's search instead of logging another.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        var field = input.form.querySelector('input[name="s"]');
        if (!field) {
          field = document.createElement("input");
          field.type = "hidden";
          field.name = "s";
          input.form.appendChild(field);
        }
        field.value = session;
      });
    }

    input.addEventListener("focus", function () {
      session = newSession();
      if (options().length && input.value.trim() === lastQuery && lastQuery) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
  }

  function newSession() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  document.querySelectorAll('input[role="combobox"][data-api]').forEach(setup);
})();
