/* "@" in the message box offers the room's members by name (a listbox the box controls,
 * WAI-ARIA's autocomplete pattern): arrows move, Enter or Tab inserts "@Name ", Escape
 * closes. Loaded before room.js, which calls `window.RoomMentions(ctx)` once. */
(function () {
  "use strict";

  var MAX_SHOWN = 8;

  window.RoomMentions = function (ctx) {
    var input = ctx.input;
    var source = document.getElementById("room-member-names");
    var names = source ? JSON.parse(source.textContent) : [];
    if (!names.length) { return null; }
    var box = document.createElement("ul");
    box.id = "room-mention-list";
    box.className = "room-mention-list";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", ctx.t.i18nMentionList);
    box.hidden = true;
    input.after(box);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", box.id);
    var shown = [];
    var active = -1;
    var token = null;    // {start, end}: the "@abc" being typed

    // The "@…" right before the caret, if any: after a space or at the start.
    function currentToken() {
      var caret = input.selectionStart;
      if (caret !== input.selectionEnd) { return null; }
      var before = input.value.slice(0, caret);
      var match = /(^|\s)@([^\s@]{0,40})$/.exec(before);
      if (!match) { return null; }
      return { start: caret - match[2].length - 1, end: caret, typed: match[2].toLowerCase() };
    }

    function close() {
      box.hidden = true;
      box.textContent = "";
      shown = [];
      active = -1;
      token = null;
      input.removeAttribute("aria-activedescendant");
    }

    function setActive(i) {
      active = i;
      Array.prototype.forEach.call(box.children, function (li, n) {
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (i >= 0) { input.setAttribute("aria-activedescendant", box.children[i].id); }
    }

    function update() {
      token = currentToken();
      if (!token) { close(); return; }
      var typed = token.typed;
      shown = names.filter(function (name) {
        var lower = name.toLowerCase();
        return lower.startsWith(typed) || lower.split(/\s+/).some(function (w) { return w.startsWith(typed); });
      }).slice(0, MAX_SHOWN);
      if (!shown.length) { var keep = token; close(); token = keep; return; }
      box.textContent = "";
      shown.forEach(function (name, n) {
        var li = document.createElement("li");
        li.id = "room-mention-" + n;
        li.setAttribute("role", "option");
        li.textContent = name;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();    // keep the focus in the box
          choose(n);
        });
        box.appendChild(li);
      });
      box.hidden = false;
      setActive(0);
    }

    function choose(n) {
      if (!token || !shown[n]) { return; }
      var text = "@" + shown[n] + " ";
      var value = input.value;
      input.value = value.slice(0, token.start) + text + value.slice(token.end);
      var caret = token.start + text.length;
      input.setSelectionRange(caret, caret);
      close();
      input.focus();
    }

    // In the capture phase: these keys belong to the list while it is open (Enter
    // must not send, Escape must not cancel a reply).
    ctx.form.addEventListener("keydown", function (event) {
      if (event.target !== input || box.hidden || event.isComposing) { return; }
      var n = shown.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        setActive((active + (event.key === "ArrowDown" ? 1 : n - 1)) % n);
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(active < 0 ? 0 : active);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    }, true);
    input.addEventListener("input", update);
    input.addEventListener("click", update);
    input.addEventListener("blur", close);
    ctx.form.addEventListener("submit", close);

    return { names: names };
  };
})();
