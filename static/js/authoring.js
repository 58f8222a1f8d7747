// The Author area's conveniences. Progressive enhancement only: every form works without this
// file (the move buttons, Preview below, Save). The server renders every preview and keeps
// every rule; this file only spares page loads and typing.
(function () {
  "use strict";

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json, text/html"}});
  }

  function token(root) {
    var input = (root || document).querySelector("input[name=csrf_token]") ||
      document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function announce(text) {
    var status = document.getElementById("js-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "js-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.querySelector("main").appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // --- addresses and question ids made from what is typed (the server does the same) -------
  var FILLER = ("a an the of to in on at is are was be by for with and or which what who " +
                "when how your you this that it its as do does").split(" ");

  function words(text) {
    return (text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .match(/[a-z0-9]+/g) || []);
  }

  function cut(list, limit) {
    var out = "";
    for (var i = 0; i < list.length; i += 1) {
      var longer = out ? out + "-" + list[i] : list[i];
      if (longer.length > limit) { break; }
      out = longer;
    }
    return out || (list.length ? list[0].slice(0, limit) : "");
  }

  document.querySelectorAll("input[data-suggest-from]").forEach(function (target) {
    var source = document.getElementById(target.dataset.suggestFrom);
    if (!source) { return; }
    var taken = target.hasAttribute("data-taken") ? target.dataset.taken.split(" ") : null;
    var automatic = target.value === "";
    function suggestion() {
      if (taken === null) { return cut(words(source.value), 100); }
      var kept = words(source.value).filter(function (w) { return FILLER.indexOf(w) < 0; });
      var wanted = cut(kept.slice(0, 4), 40) || "question", key = wanted, n = 2;
      while (taken.indexOf(key) >= 0) { key = wanted + "-" + n; n += 1; }
      return key;
    }
    source.addEventListener("input", function () {
      if (automatic) { target.value = suggestion(); }
    });
    target.addEventListener("input", function () { automatic = target.value === ""; });
  });

  // --- the Markdown toolbar ------------------------------------------------------------------
  function insert(area, before, after, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd;
    var chosen = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + chosen + after, start, end, "end");
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
    area.focus();
    area.dispatchEvent(new Event("input", {bubbles: true}));
  }

  function lineStart(area) {
    var start = area.selectionStart;
    return start === 0 || area.value[start - 1] === "\n" ? "" : "\n\n";
  }

  document.querySelectorAll("textarea[data-markdown]").forEach(function (area) {
    var form = area.form, prefix = form && form.dataset.imagePrefix;
    var tools = [
      ["Heading", function () { insert(area, lineStart(area) + "## ", "", "Heading"); }],
      ["Bold", function () { insert(area, "**", "**", "bold text"); }],
      ["List", function () { insert(area, lineStart(area) + "- ", "\n- ", "First point"); }],
      ["Link", function () { insert(area, "[", "](https://)", "link text"); }],
      ["Admonition", function () {
        insert(area, lineStart(area) + "!!! warning \"Caution\"\n    ", "\n\n",
               "Text indented four spaces.");
      }]
    ];
    if (prefix) {
      tools.splice(4, 0, ["Image", function () {
        insert(area, "![", "](" + prefix + "name-from-the-image-library.png)",
               "What the image shows");
      }]);
    }
    var bar = document.createElement("div");
    bar.className = "markdown-toolbar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Markdown formatting");
    tools.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary button-small";
      button.textContent = tool[0];
      button.addEventListener("click", tool[1]);
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);
  });

  // --- the lesson's live preview, rendered by the server --------------------------------------
  document.querySelectorAll("form[data-preview-url]").forEach(function (form) {
    var area = form.querySelector("textarea[name=body]");
    if (!area) { return; }
    var field = area.closest(".field");
    var split = document.createElement("div");
    split.className = "markdown-split";
    field.parentNode.insertBefore(split, field);
    split.appendChild(field);
    var pane = document.createElement("section");
    pane.className = "live-preview";
    pane.setAttribute("aria-labelledby", "live-preview-heading");
    pane.innerHTML = '<h2 id="live-preview-heading" class="label">Live preview</h2>' +
      '<p class="hint" id="live-preview-note">As learners will see it; not saved.</p>' +
      '<div class="prose"></div>';
    split.appendChild(pane);
    var shown = pane.querySelector(".prose"), note = pane.querySelector(".hint"), timer;
    function refresh() {
      var body = new FormData();
      body.append("csrf_token", token(form));
      body.append("body", area.value);
      post(form.dataset.previewUrl, body).then(function (response) {
        if (response.status === 429) {
          note.textContent = "Preview paused for a moment (many changes at once).";
          return null;
        }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null) {
          shown.innerHTML = html;  // sanitised by the server, as the published lesson is
          note.textContent = "As learners will see it; not saved.";
        }
      }).catch(function () { note.textContent = "Preview unavailable: check the connection."; });
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 800);
    });
    refresh();
  });

  // --- autosave: a revision every N seconds while the text changes ---------------------------
  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    var status = document.getElementById("autosave-status");
    var changed = false, busy = false, stopped = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("submit", function () { stopped = true; });
    window.setInterval(function () {
      if (!changed || busy || stopped) { return; }
      busy = true;
      changed = false;
      var body = new FormData(form);
      post(form.dataset.autosaveUrl, body).then(function (response) {
        return response.json().catch(function () {
          return {saved: false, message: "Not saved automatically: reload the page."};
        });
      }).then(function (answer) {
        busy = false;
        status.textContent = answer.message;
        if (answer.saved) {
          form.querySelector("input[name=revision]").value = answer.revision;
          if (!changed) { form.dispatchEvent(new CustomEvent("nmt:saved", {bubbles: true})); }
        } else {
          changed = true;  // try again with the next change
          if (answer.conflict) {
            stopped = true;
            status.classList.add("field-error");
          }
        }
      }).catch(function () {
        busy = false;
        changed = true;
        status.textContent = "Not saved automatically: check the connection.";
      });
    }, Number(form.dataset.autosaveSeconds) * 1000);
  });

  // --- lessons and questions reordered without a page load ----------------------------------
  function swap(list, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.getElementById(list.id);
    var flashes = document.querySelector("main .flashes");
    var newFlashes = page.querySelector("main .flashes");
    if (flashes) { flashes.remove(); }
    if (newFlashes) { list.closest("section").prepend(document.importNode(newFlashes, true)); }
    if (!fresh) { return null; }
    fresh = document.importNode(fresh, true);
    list.replaceWith(fresh);
    enhance(fresh);
    return fresh;
  }

  function position(list, key) {
    var items = Array.prototype.slice.call(list.querySelectorAll(":scope > li"));
    var index = items.findIndex(function (li) { return li.dataset.key === key; });
    return [index + 1, items.length, items[index]];
  }

  function enhance(list) {
    var busy = false, dragged = null, before = "";
    function order() {
      return Array.prototype.map.call(list.querySelectorAll(":scope > li"),
                                      function (li) { return li.dataset.key; });
    }
    list.querySelectorAll("form[data-move]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        event.stopPropagation();
        if (busy) { return; }
        busy = true;
        var item = form.closest("li"), key = item.dataset.key, way = form.dataset.move;
        post(form.action, new FormData(form)).then(function (response) {
          return response.text();
        }).then(function (html) {
          var fresh = swap(list, html);
          if (!fresh) { return; }
          var where = position(fresh, key), moved = where[2];
          var button = moved.querySelector("form[data-move=" + way + "] button") ||
            moved.querySelector("form[data-move] button") || moved.querySelector("a");
          button.focus();
          announce(item.dataset.label + " is now " + where[0] + " of " + where[1] + ".");
        }).catch(function () { form.submit(); });
      });
    });
    list.querySelectorAll(":scope > li").forEach(function (item) {
      item.draggable = true;
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        before = order().join(" ");
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.dataset.key);
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) { return; }
        event.preventDefault();
        var box = item.getBoundingClientRect();
        list.insertBefore(dragged, event.clientY < box.top + box.height / 2 ?
          item : item.nextSibling);
      });
      item.addEventListener("dragend", function () {
        if (!dragged) { return; }
        var key = dragged.dataset.key, label = dragged.dataset.label;
        dragged.classList.remove("dragging");
        dragged = null;
        if (order().join(" ") === before) { return; }
        var body = new FormData();
        body.append("csrf_token", token(list));
        order().forEach(function (slug) { body.append("order", slug); });
        busy = true;
        post(list.dataset.orderUrl, body).then(function (response) {
          return response.text();
        }).then(function (html) {
          var fresh = swap(list, html);
          if (fresh) {
            var where = position(fresh, key);
            announce(label + " is now " + where[0] + " of " + where[1] + ".");
          }
        }).catch(function () { window.location.reload(); });
      });
      item.addEventListener("drop", function (event) { event.preventDefault(); });
    });
  }

  document.querySelectorAll("ol[data-order-url]").forEach(enhance);

  // --- an image too large is refused before it is sent (the server says the same) -----------
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files[0], limit = Number(input.dataset.maxBytes);
      var megabytes = function (n) { return Math.round(n / 104857.6) / 10 + " MB"; };
      input.setCustomValidity(file && file.size > limit ?
        "This file is " + megabytes(file.size) + "; images may be at most " +
        megabytes(limit) + ": make it smaller first." : "");
      input.reportValidity();
    });
    input.form.addEventListener("submit", function (event) {
      if (!input.checkValidity()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        input.reportValidity();
      }
    });
  });
})();
