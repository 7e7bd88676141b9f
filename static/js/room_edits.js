/* Room messages that change: edit and delete your own, reply to one and jump to it,
 * and for moderators the earlier versions. Loaded before room.js, which calls
 * `window.RoomEdits(ctx)` once and hands it each message it renders and the frames
 * about edits. No HTML is built from text: only text nodes. */
(function () {
  "use strict";

  window.RoomEdits = function (ctx) {
    var t = ctx.t;
    var list = ctx.list;
    var input = ctx.input;
    var composing = null;     // {mode: "edit"|"reply", seq: n}
    var pendingJump = null;   // a number asked for with "history around"

    function fill(text, values) {
      return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
    }

    function messageLi(seq) { return list.querySelector('li[data-seq="' + seq + '"]'); }

    // --- The box above the text field: "Replying to…" / "Editing…", with Cancel ----

    var banner = document.createElement("p");
    banner.className = "room-composing";
    banner.id = "room-composing";
    banner.setAttribute("role", "status");
    banner.hidden = true;
    var bannerText = document.createElement("span");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = t.i18nCancel;
    cancel.addEventListener("click", function () { stopComposing(true); });
    banner.appendChild(bannerText);
    banner.appendChild(document.createTextNode(" "));
    banner.appendChild(cancel);
    ctx.form.prepend(banner);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && composing) { stopComposing(true); }
    });

    function startComposing(mode, m) {
      composing = { mode: mode, seq: m.seq };
      bannerText.textContent = mode === "edit"
        ? t.i18nEditing
        : fill(t.i18nReplying, { name: m.author ? m.author.name : "—" }) + " « " + excerptOf(m.body) + " »";
      banner.hidden = false;
      if (mode === "edit") { input.value = m.body; }
      input.focus();
    }

    function stopComposing(clear) {
      if (composing && composing.mode === "edit" && clear) { input.value = ""; }
      composing = null;
      banner.hidden = true;
      bannerText.textContent = "";
    }

    function excerptOf(text) {
      var line = String(text || "").split(/\s+/).join(" ").trim();
      return line.length <= 80 ? line : line.slice(0, 79) + "…";
    }

    // The form's submit: an edit is sent here; a post gets its `reply_to` here.
    function submit(body) {
      if (composing && composing.mode === "edit") {
        var seq = composing.seq;
        if (!ctx.send({ type: "edit", seq: seq, body: body, client_id: "edit-" + seq })) { return null; }
        stopComposing(false);
        return true;
      }
      return false;
    }
    function postFields() {
      if (composing && composing.mode === "reply") {
        var seq = composing.seq;
        stopComposing(false);
        return { reply_to: seq };
      }
      return {};
    }

    // --- What each message shows and offers ------------------------------------------

    function quote(m) {
      var r = m.reply_to;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "room-quote";
      b.dataset.replySeq = r.seq;
      b.setAttribute("aria-label", t.i18nJump + " #" + r.seq);
      var who = document.createElement("strong");
      var what = document.createElement("span");
      if (r.deleted) {
        what.textContent = t.i18nOriginalDeleted;
        b.classList.add("room-quote-gone");
      } else if (r.hidden) {
        who.textContent = r.author ? r.author.name + " " : "";
        what.textContent = t.i18nHidden;
        b.classList.add("room-quote-gone");
      } else {
        who.textContent = (r.author ? r.author.name : "—") + " ";
        what.textContent = r.excerpt;
      }
      b.appendChild(who);
      b.appendChild(what);
      b.addEventListener("click", function () { jump(r.seq); });
      return b;
    }

    function tool(label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link-button";
      b.textContent = label;
      b.addEventListener("click", onClick);
      return b;
    }

    // Called by room.js for every message it renders (again after each change).
    function decorate(li, m) {
      li._message = m;
      var me = ctx.me();
      if (m.reply_to) { li.insertBefore(quote(m), li.querySelector(".room-body, .room-hidden, .room-deleted")); }
      if (m.edited_at && !m.deleted) {
        var mark = document.createElement("span");
        mark.className = "room-edited";
        mark.title = new Date(m.edited_at).toLocaleString();
        mark.textContent = " (" + t.i18nEdited + ")";
        li.querySelector(".room-meta").appendChild(mark);
      }
      var tools = li.querySelector(".room-tools");
      if (tools && !m.deleted && !m.hidden) {
        var reply = tool(t.i18nReply, function () { startComposing("reply", li._message); });
        reply.classList.add("room-reply");
        tools.appendChild(reply);
        if (me && m.author && m.author.id === me.id) {
          var edit = tool(t.i18nEdit, function () { startComposing("edit", li._message); });
          edit.classList.add("room-edit");
          tools.appendChild(edit);
          var del = tool(t.i18nDelete, function () {
            if (window.confirm(t.i18nDeleteConfirm)) { ctx.send({ type: "delete", seq: m.seq, client_id: "delete-" + m.seq }); }
          });
          del.classList.add("room-delete");
          tools.appendChild(del);
        }
      }
      if (ctx.isModerator() && (m.edited_at || m.deleted)) {
        var box = tools || li;
        var versions = tool(t.i18nVersions, function () {
          ctx.send({ type: "revisions", seq: m.seq, client_id: "revisions-" + m.seq });
        });
        versions.classList.add("room-versions");
        box.appendChild(versions);
      }
    }

    function rerender(seq, changes) {
      var li = messageLi(seq);
      if (!li || !li._message) { return; }
      var m = Object.assign({}, li._message, changes);
      ctx.renderMessage(m);
    }

    // The replies on screen that quote `seq` follow what became of it.
    function updateQuotes(seq, changes) {
      list.querySelectorAll('.room-quote[data-reply-seq="' + seq + '"]').forEach(function (q) {
        var li = q.closest("li[data-seq]");
        if (!li || !li._message) { return; }
        rerender(li.dataset.seq, { reply_to: Object.assign({}, li._message.reply_to, changes) });
      });
    }

    function edited(f) {
      rerender(f.seq, { body: f.body, edited_at: f.edited_at });
      updateQuotes(f.seq, { excerpt: f.excerpt });
      if (composing && composing.mode === "reply" && composing.seq === f.seq) {
        startComposing("reply", messageLi(f.seq)._message);
      }
    }

    function deleted(f) {
      rerender(f.seq, { deleted: true, body: "", author: null, reactions: {}, edited_at: null, reply_to: null });
      updateQuotes(f.seq, { deleted: true, excerpt: "", author: null });
      if (composing && composing.seq === f.seq) { stopComposing(true); }
    }

    function revisions(f) {
      var li = messageLi(f.seq);
      if (!li) { return; }
      var old = li.querySelector(".room-revisions");
      if (old) { old.remove(); }
      var box = document.createElement("div");
      box.className = "room-revisions small";
      var title = document.createElement("p");
      title.textContent = t.i18nVersions;
      box.appendChild(title);
      var ol = document.createElement("ol");
      f.versions.forEach(function (v) {
        var item = document.createElement("li");
        var when = document.createElement("time");
        when.dateTime = v.written_at;
        when.textContent = new Date(v.written_at).toLocaleString() + " — ";
        item.appendChild(when);
        item.appendChild(document.createTextNode(v.body));
        ol.appendChild(item);
      });
      if (f.deleted) {
        var last = document.createElement("li");
        last.textContent = fill(t.i18nDeletedRecord, { name: f.deleted.author || "—" }) + " " + f.deleted.body;
        ol.appendChild(last);
      }
      if (!ol.children.length) { title.textContent = t.i18nNoVersions; }
      box.appendChild(ol);
      li.appendChild(box);
    }

    // --- Jumping to the original, with the page around it when it is not on screen ----

    function jump(seq) {
      var li = messageLi(seq);
      if (li) {
        pendingJump = null;
        li.scrollIntoView({ block: "center" });
        li.classList.add("room-flash");
        setTimeout(function () { li.classList.remove("room-flash"); }, 2000);
        li.tabIndex = -1;
        li.focus({ preventScroll: true });
        return;
      }
      pendingJump = seq;
      ctx.send({ type: "history", around: seq });
    }

    // Between two pages that do not meet, a button loads what lies between them.
    function markGaps() {
      list.querySelectorAll("li.room-gap").forEach(function (g) { g.remove(); });
      var items = Array.prototype.filter.call(list.children, function (c) { return c.dataset.seq; });
      for (var i = 1; i < items.length; i++) {
        var below = Number(items[i - 1].dataset.seq), above = Number(items[i].dataset.seq);
        if (above - below > 1) {
          var gap = document.createElement("li");
          gap.className = "room-gap";
          gap.appendChild(tool(t.i18nGap, (function (before) {
            return function () { ctx.send({ type: "history", before: before }); };
          })(above)));
          items[i].before(gap);
        }
      }
      ctx.layout();
    }

    function historyAround(f) {
      ctx.showMessages(f.messages);
      markGaps();
      if (pendingJump === f.around) {
        if (messageLi(f.around)) { jump(f.around); } else { pendingJump = null; ctx.showError(t.i18nNotAvailable); }
      }
    }

    return {
      decorate: decorate,
      submit: submit,
      postFields: postFields,
      edited: edited,
      deleted: deleted,
      revisions: revisions,
      historyAround: historyAround,
      markGaps: markGaps
    };
  };
})();
