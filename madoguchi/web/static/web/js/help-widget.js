/* Help-center search widget for a shop's own site. Served by /help/<brand>/widget.js, which
   wraps this file in a function with `config` (brand, language, api, home, labels) in scope.
   Renders into every element with [data-madoguchi-help], or right before its own script tag,
   inside a shadow root so the shop's CSS and ours never meet.
   Analytics: each focus of the box starts a random session key (one logged search per
   question, not per keystroke); result links carry the search's log id (?sl=). */
"use strict";

var script = document.currentScript;

function newSession() {
  var bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) {
    return ("0" + b.toString(16)).slice(-2);
  }).join("");
}

function withSearchId(url, searchId) {
  if (!searchId) return url;
  try {
    var parsed = new URL(url);
    parsed.searchParams.set("sl", String(searchId));
    return parsed.toString();
  } catch (e) {
    return url;
  }
}

var STYLE = [
  ":host{all:initial;display:block;font-family:'Hiragino Sans','Hiragino Kaku Gothic ProN','Noto Sans JP','Meiryo','IPAPGothic',sans-serif;color:#1f2633;font-size:15px;line-height:1.6}",
  "form{position:relative;margin:0}",
  "label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
  "input{box-sizing:border-box;width:100%;font:inherit;padding:10px 14px;border:1px solid #cfd5dd;border-radius:999px;background:#fff;color:inherit}",
  "input:focus{outline:3px solid #2f7fd8;outline-offset:1px}",
  "ul{list-style:none;margin:6px 0 0;padding:6px;border:1px solid #e2e6ec;border-radius:12px;background:#fff;box-shadow:0 4px 16px rgba(20,30,45,.08)}",
  "ul[hidden]{display:none}",
  "a{display:block;padding:6px 10px;border-radius:8px;color:#1f2633;text-decoration:none}",
  "li[aria-selected=true] a,a:hover{background:#e7f2f3}",
  ".t{display:block;font-weight:600}.s{display:block;font-size:13px;color:#5b6575}",
  ".more{font-size:13px;color:#1f6f78;padding:6px 10px}",
  "p.empty{margin:6px 10px;font-size:13px;color:#5b6575}"
].join("");

function mount(host, index) {
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = STYLE;
  root.appendChild(style);

  var form = document.createElement("form");
  form.setAttribute("role", "search");
  form.action = config.home.replace(/\/$/, "") + "/search/";
  form.method = "get";
  var id = "mdg-help-q-" + index;
  var label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = config.label;
  var input = document.createElement("input");
  input.type = "search";
  input.name = "q";
  input.id = id;
  input.maxLength = 200;
  input.autocomplete = "off";
  input.placeholder = config.placeholder;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id + "-list");
  var list = document.createElement("ul");
  list.id = id + "-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", config.label);
  list.hidden = true;
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(list);
  root.appendChild(form);

  var timer = null;
  var controller = null;
  var active = -1;
  var session = newSession();

  function items() {
    return list.querySelectorAll('[role="option"]');
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(next) {
    var all = items();
    if (!all.length) return;
    active = (next + all.length) % all.length;
    all.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function render(results, query, searchId) {
    list.textContent = "";
    results.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.id = id + "-o" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = withSearchId(hit.url, searchId);
      a.tabIndex = -1;
      var t = document.createElement("span");
      t.className = "t";
      t.textContent = hit.title;
      var s = document.createElement("span");
      s.className = "s";
      s.textContent = hit.snippet;
      a.appendChild(t);
      a.appendChild(s);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!results.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = config.empty;
      list.appendChild(empty);
    }
    var more = document.createElement("a");
    more.className = "more";
    more.href = form.action + "?q=" + encodeURIComponent(query);
    more.textContent = config.more;
    list.appendChild(more);
    active = -1;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function suggest() {
    var query = input.value.trim();
    if (controller) controller.abort();
    if (!query) {
      close();
      return;
    }
    controller = new AbortController();
    var params = new URLSearchParams({
      q: query, limit: "5", brand: config.brand, session: session, source: "widget",
    });
    fetch(config.api + "?" + params.toString(), { signal: controller.signal, credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        if (input.value.trim() === query) render(data.results || [], query, data.search_id);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") close();
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items()[active].querySelector("a").href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () {
    setTimeout(close, 150);
  });
  input.addEventListener("focus", function () {
    session = newSession();
  });
}

var hosts = Array.prototype.slice.call(document.querySelectorAll("[data-madoguchi-help]"));
if (!hosts.length && script && script.parentNode) {
  var host = document.createElement("div");
  script.parentNode.insertBefore(host, script);
  hosts.push(host);
}
hosts.forEach(function (host, i) {
  if (!host.shadowRoot) mount(host, i);
});
