/* How a room message looks: one function builds a message's element (`render`), and
 * `layout` walks the list to add day separators and to group consecutive messages of
 * one person. Loaded before room.js, which calls `window.RoomRender(ctx)` once.
 * Other room modules add to a message through `ctx.decorate(li, m)`. No HTML is
 * built from text: only text nodes. */
(function () {
  "use strict";

  var GROUP_MS = 5 * 60 * 1000;   // messages of one person within this read as one block

  window.RoomRender = function (ctx) {
    var t = ctx.t;
    var list = ctx.list;
    var lang = document.documentElement.lang || undefined;
    var timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short" });
    var dayFormat = new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    var openPicker = null;

    function dayKey(date) {
      return date.getFullYear() + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" +
        String(date.getDate()).padStart(2, "0");
    }

    // "Today", "Yesterday", or the date, in the page's language.
    function dayLabel(date) {
      var today = new Date();
      var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
      if (dayKey(date) === dayKey(today)) { return t.i18nToday; }
      if (dayKey(date) === dayKey(yesterday)) { return t.i18nYesterday; }
      return dayFormat.format(date);
    }

    function initials(name) {
      var words = String(name || "").trim().split(/\s+/).filter(Boolean);
      if (!words.length) { return "?"; }
      var first = Array.from(words[0])[0] || "";
      var last = words.length > 1 ? (Array.from(words[words.length - 1])[0] || "") : "";
      return (first + last).toUpperCase();
    }

    // A stable colour per person, so that blocks are told apart at a glance.
    function hue(id) { return (Number(id) * 137) % 360; }

    function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

    // "@My Name" highlighted for the person named (any case, not followed by a letter).
    function mentionRe() {
      var me = ctx.me();
      if (!me || !me.name) { return null; }
      return new RegExp("@" + escapeRe(me.name) + "(?![\\p{L}\\p{N}_])", "giu");
    }

    function appendMentions(parent, text, re, li) {
      if (!re) { parent.appendChild(document.createTextNode(text)); return; }
      var last = 0, match;
      re.lastIndex = 0;
      while ((match = re.exec(text)) !== null) {
        if (match.index > last) { parent.appendChild(document.createTextNode(text.slice(last, match.index))); }
        var mark = document.createElement("mark");
        mark.className = "room-mention";
        mark.textContent = match[0];
        parent.appendChild(mark);
        li.classList.add("room-mentioned");
        last = match.index + match[0].length;
      }
      if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
    }

    // Text with http(s) links made clickable and one's own mentions marked.
    var URL_RE = /https?:\/\/[^\s<>"']+/g;
    function appendBody(parent, text, li) {
      var re = mentionRe();
      var last = 0, match;
      URL_RE.lastIndex = 0;
      while ((match = URL_RE.exec(text)) !== null) {
        var url = match[0].replace(/[.,;:!?)]+$/, "");
        if (match.index > last) { appendMentions(parent, text.slice(last, match.index), re, li); }
        var a = document.createElement("a");
        a.href = url;
        a.rel = "nofollow noopener noreferrer";
        a.target = "_blank";
        a.textContent = url;
        parent.appendChild(a);
        last = match.index + url.length;
        URL_RE.lastIndex = last;
      }
      if (last < text.length) { appendMentions(parent, text.slice(last), re, li); }
    }

    function button(label, onClick, className) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link-button" + (className ? " " + className : "");
      b.textContent = label;
      b.addEventListener("click", onClick);
      return b;
    }

    // --- Reactions: the ones given, and one button that opens the picker ---------------

    function closePicker(focusBack) {
      if (!openPicker) { return; }
      var p = openPicker;
      openPicker = null;
      p.picker.hidden = true;
      p.opener.setAttribute("aria-expanded", "false");
      if (focusBack) { p.opener.focus(); }
    }

    function react(li, emoji) {
      ctx.send({ type: "react", seq: Number(li.dataset.seq), emoji: emoji });
    }

    function renderReactions(li, counts, names) {
      var box = li.querySelector(".room-reactions");
      if (!box) { return; }
      if (li._message) { li._message.reactions = counts || {}; li._message.reacted_by = names || {}; }
      box.textContent = "";
      var me = ctx.me();
      ctx.reactions().forEach(function (emoji) {
        var n = (counts && counts[emoji]) || 0;
        if (!n) { return; }
        var who = (names && names[emoji]) || [];
        var chip = button(emoji + " " + n, function () { react(li, emoji); }, "room-reaction");
        chip.title = who.join(", ");
        chip.setAttribute("aria-label", emoji + " " + n + (who.length ? " — " + who.join(", ") : ""));
        chip.setAttribute("aria-pressed", me && who.indexOf(me.name) !== -1 ? "true" : "false");
        box.appendChild(chip);
      });
    }

    // One button opens a small picker of the room's reactions.
    function reactionPicker(li) {
      var wrap = document.createElement("span");
      wrap.className = "room-react";
      var picker = document.createElement("span");
      picker.className = "room-picker";
      picker.id = "room-picker-" + li.dataset.seq;
      picker.setAttribute("role", "group");
      picker.setAttribute("aria-label", t.i18nReact);
      picker.hidden = true;
      var opener = button("☺+", function () {
        var wasOpen = openPicker && openPicker.picker === picker;
        closePicker(false);
        if (wasOpen) { return; }
        picker.hidden = false;
        opener.setAttribute("aria-expanded", "true");
        openPicker = { picker: picker, opener: opener };
        picker.querySelector("button").focus();
      }, "room-react-open");
      opener.setAttribute("aria-label", t.i18nReact);
      opener.title = t.i18nReact;
      opener.setAttribute("aria-expanded", "false");
      opener.setAttribute("aria-controls", picker.id);
      ctx.reactions().forEach(function (emoji) {
        picker.appendChild(button(emoji, function () {
          react(li, emoji);
          closePicker(true);
        }, "room-pick"));
      });
      picker.addEventListener("keydown", function (event) {
        var items = Array.prototype.slice.call(picker.querySelectorAll("button"));
        var i = items.indexOf(document.activeElement);
        if (event.key === "Escape") { event.preventDefault(); closePicker(true); }
        if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          event.preventDefault();
          var next = (i + (event.key === "ArrowRight" ? 1 : items.length - 1)) % items.length;
          items[next].focus();
        }
      });
      wrap.appendChild(opener);
      wrap.appendChild(picker);
      return wrap;
    }

    // --- The per-message menu: reply, edit, delete, report, hide -----------------------

    function actionsMenu(m) {
      var details = document.createElement("details");
      details.className = "room-actions";
      var summary = document.createElement("summary");
      summary.textContent = "⋯";
      summary.title = t.i18nActions;
      summary.setAttribute("aria-label", t.i18nActions + " #" + m.seq);
      var tools = document.createElement("div");
      tools.className = "room-tools";
      details.appendChild(summary);
      details.appendChild(tools);
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        list.querySelectorAll("details.room-actions[open]").forEach(function (d) { if (d !== details) { d.open = false; } });
        var first = tools.querySelector("button");
        if (first) { first.focus(); }
      });
      details.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && details.open) {
          event.preventDefault();
          details.open = false;
          summary.focus();
        }
        if ((event.key === "ArrowDown" || event.key === "ArrowUp") && details.open) {
          var items = Array.prototype.slice.call(tools.querySelectorAll("button"));
          var i = items.indexOf(document.activeElement);
          if (!items.length) { return; }
          event.preventDefault();
          items[(i + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length].focus();
        }
      });
      // An action chosen closes the menu.
      tools.addEventListener("click", function (event) {
        if (event.target.closest("button")) { details.open = false; }
      });
      return details;
    }

    document.addEventListener("click", function (event) {
      if (openPicker && !event.target.closest(".room-react")) { closePicker(false); }
      if (!event.target.closest("details.room-actions")) {
        list.querySelectorAll("details.room-actions[open]").forEach(function (d) { d.open = false; });
      }
    });

    // --- One message ---------------------------------------------------------------

    function render(m) {
      var li = list.querySelector('li[data-seq="' + m.seq + '"]') || document.createElement("li");
      li.textContent = "";
      li.classList.add("room-msg");
      li.classList.remove("room-mentioned");
      li.dataset.seq = m.seq;
      li.dataset.author = m.author ? m.author.id : "";
      li.dataset.at = m.created_at;
      li.id = "m" + m.seq;
      li._message = m;
      var avatar = document.createElement("span");
      avatar.className = "room-avatar";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = m.author ? initials(m.author.name) : "";
      if (m.author) { avatar.style.setProperty("--room-hue", hue(m.author.id)); }
      li.appendChild(avatar);
      var meta = document.createElement("div");
      meta.className = "room-meta";
      var who = document.createElement("strong");
      who.className = "room-who";
      who.textContent = m.author ? m.author.name : "—";
      var date = new Date(m.created_at);
      var when = document.createElement("time");
      when.dateTime = m.created_at;
      when.title = fullFormat.format(date);
      when.textContent = timeFormat.format(date);
      meta.appendChild(who);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(when);
      li.appendChild(meta);
      var body = document.createElement("p");
      if (m.hidden || m.deleted) {
        body.className = m.deleted ? "room-deleted" : "room-hidden";
        body.textContent = m.deleted ? t.i18nDeleted : t.i18nHidden;
      } else {
        body.className = "room-body";
        appendBody(body, m.body, li);
      }
      li.appendChild(body);
      var late = [];
      if (!m.hidden && !m.deleted) {
        var box = document.createElement("div");
        box.className = "room-reactions";
        li.appendChild(box);
        var quick = document.createElement("div");
        quick.className = "room-quick";
        quick.appendChild(reactionPicker(li));
        quick.appendChild(actionsMenu(m));
        li.appendChild(quick);
        late.push(button(t.i18nReport, function () { ctx.send({ type: "report", seq: m.seq }); }, "room-report"));
        if (ctx.isModerator()) {
          late.push(button(t.i18nHide, function () { ctx.send({ type: "hide", seq: m.seq }); }, "room-hide"));
        }
        renderReactions(li, m.reactions, m.reacted_by);
      }
      ctx.decorate(li, m);
      // Reply, edit and delete (added by decorate) come first; report and hide last.
      var tools = li.querySelector(".room-tools");
      late.forEach(function (b) { tools.appendChild(b); });
      if (li.parentNode === list) { layout(); }
      return li;
    }

    // --- The list: day separators, and blocks of one person's messages ---------------

    // Separators already in place stay (the list is a live region: nothing is announced
    // twice); those no longer before the first message of their day go.
    function layout() {
      var prev = null, prevDay = null, kept = [];
      Array.from(list.children).forEach(function (li) {
        if (li.classList.contains("room-day")) { return; }
        if (!li.dataset.seq) { prev = null; return; }   // a gap: the next message starts anew
        var at = new Date(li.dataset.at);
        var key = dayKey(at);
        if (key !== prevDay) {
          var sep = li.previousElementSibling;
          if (!sep || !sep.classList.contains("room-day") || sep.firstChild.dateTime !== key) {
            sep = document.createElement("li");
            sep.className = "room-day";
            sep.appendChild(document.createElement("time"));
            sep.firstChild.dateTime = key;
            li.before(sep);
          }
          var label = dayLabel(at);
          if (sep.firstChild.textContent !== label) { sep.firstChild.textContent = label; }
          kept.push(sep);
          prevDay = key;
          prev = null;
        }
        var together = prev && li.dataset.author && prev.dataset.author === li.dataset.author &&
          at - new Date(prev.dataset.at) < GROUP_MS;
        li.classList.toggle("room-cont", Boolean(together));
        prev = li;
      });
      list.querySelectorAll("li.room-day").forEach(function (d) {
        if (kept.indexOf(d) === -1) { d.remove(); }
      });
    }

    return { render: render, layout: layout, renderReactions: renderReactions, dayLabel: dayLabel };
  };
})();
