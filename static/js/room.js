/* The live room of a group. No build step, no inline script.
 * Messages are numbered per room; the client keeps the last number it has shown
 * and, on every (re)connection or when it sees a gap, asks for what came after it. */
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root) { return; }
  var t = root.dataset;
  var list = document.getElementById("room-messages");
  var form = document.getElementById("room-form");
  var input = document.getElementById("room-input");
  var statusEl = document.getElementById("room-status");
  var errorEl = document.getElementById("room-error");
  var typingEl = document.getElementById("room-typing");
  var presentEl = document.getElementById("room-present");
  var olderBtn = document.getElementById("room-older");
  var isModerator = t.moderator === "1";
  var FINAL_CODES = { 4401: t.i18nRefused, 4403: t.i18nRefused, 4404: t.i18nRefused };

  var socket = null;
  var lastSeq = 0;          // highest number shown with nothing missing before it
  var oldestSeq = null;     // lowest number shown, for "older messages"
  var me = null;
  var reactions = [];
  var heartbeatMs = 20000;
  var heartbeatTimer = null;
  var lastFrameAt = 0;
  var retries = 0;
  var syncing = false;
  var lastTypingSent = 0;
  var typers = {};
  var reconnecting = false;

  function setStatus(text) { statusEl.textContent = text; }
  function showError(text) { errorEl.textContent = text || ""; }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // Text with http(s) links made clickable, built from text nodes: never HTML.
  var URL_RE = /https?:\/\/[^\s<>"']+/g;
  function appendLinkified(parent, text) {
    var last = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)]+$/, "");
      if (match.index > last) { parent.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var a = document.createElement("a");
      a.href = url;
      a.rel = "nofollow noopener noreferrer";
      a.target = "_blank";
      a.textContent = url;
      parent.appendChild(a);
      last = match.index + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }

  function button(label, onClick, extra) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "link-button";
    b.textContent = label;
    if (extra) { b.setAttribute("aria-label", extra); }
    b.addEventListener("click", onClick);
    return b;
  }

  function renderReactions(li, counts) {
    var box = li.querySelector(".room-reactions");
    box.textContent = "";
    reactions.forEach(function (emoji) {
      var n = (counts && counts[emoji]) || 0;
      var b = button(n ? emoji + " " + n : emoji, function () {
        send({ type: "react", seq: Number(li.dataset.seq), emoji: emoji });
      });
      b.setAttribute("aria-pressed", "false");
      box.appendChild(b);
    });
  }

  function renderMessage(m) {
    var li = list.querySelector('li[data-seq="' + m.seq + '"]') || document.createElement("li");
    li.textContent = "";
    li.dataset.seq = m.seq;
    li.id = "m" + m.seq;
    var meta = document.createElement("div");
    meta.className = "room-meta";
    var who = document.createElement("strong");
    who.textContent = m.author ? m.author.name : "—";
    var when = document.createElement("time");
    when.dateTime = m.created_at;
    when.textContent = " " + new Date(m.created_at).toLocaleString();
    meta.appendChild(who);
    meta.appendChild(when);
    li.appendChild(meta);
    var body = document.createElement("p");
    if (m.hidden) {
      body.className = "room-hidden";
      body.textContent = t.i18nHidden;
    } else {
      body.className = "room-body";
      appendLinkified(body, m.body);
    }
    li.appendChild(body);
    if (!m.hidden) {
      var tools = document.createElement("div");
      tools.className = "room-tools";
      var box = document.createElement("span");
      box.className = "room-reactions";
      tools.appendChild(box);
      tools.appendChild(button(t.i18nReport, function () { send({ type: "report", seq: m.seq }); }));
      if (isModerator) {
        tools.appendChild(button(t.i18nHide, function () { send({ type: "hide", seq: m.seq }); }));
      }
      li.appendChild(tools);
      renderReactions(li, m.reactions);
    }
    return li;
  }

  function insertInOrder(li, seq) {
    if (li.parentNode === list) { return; }
    var children = list.children;
    for (var i = children.length - 1; i >= 0; i--) {
      if (Number(children[i].dataset.seq) < seq) {
        children[i].after(li);
        return;
      }
    }
    list.prepend(li);
  }

  function atBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 40; }

  function showMessages(messages) {
    var stick = atBottom();
    messages.forEach(function (m) {
      insertInOrder(renderMessage(m), m.seq);
      if (oldestSeq === null || m.seq < oldestSeq) { oldestSeq = m.seq; }
    });
    if (stick) { list.scrollTop = list.scrollHeight; }
  }

  function markRead() {
    if (document.visibilityState === "visible" && lastSeq > 0) { send({ type: "read", seq: lastSeq }); }
  }

  function requestSync() {
    if (syncing) { return; }
    syncing = true;
    send({ type: "sync", after: lastSeq });
  }

  var presentById = {};
  function renderPresence(present) {
    if (present) {
      presentById = {};
      present.forEach(function (p) { presentById[p.id] = p.name; });
    }
    presentEl.textContent = "";
    Object.keys(presentById).forEach(function (id) {
      var li = document.createElement("li");
      li.textContent = presentById[id];
      presentEl.appendChild(li);
    });
  }

  function renderTyping() {
    var now = Date.now();
    var names = Object.keys(typers).filter(function (k) { return typers[k].until > now; })
      .map(function (k) { return typers[k].name; });
    typingEl.textContent = names.length ? names.join(", ") + " " + t.i18nTyping : "";
  }
  setInterval(renderTyping, 1000);

  var handlers = {
    welcome: function (f) {
      me = f.you;
      reactions = f.reactions;
      heartbeatMs = f.heartbeat_seconds * 1000;
      renderPresence(f.present);
      setStatus(f.muted_until ? t.i18nMuted + " " + new Date(f.muted_until).toLocaleString() : t.i18nOnline);
      if (lastSeq === 0) {
        send({ type: "history" });     // first visit: the latest page
      } else {
        requestSync();                 // back after a drop or a sleep: what was missed
      }
    },
    history: function (f) {
      showMessages(f.messages);
      if (f.messages.length) {
        var top = f.messages[f.messages.length - 1].seq;
        if (top > lastSeq) { lastSeq = top; list.scrollTop = list.scrollHeight; }
      }
      olderBtn.hidden = !f.more;
      markRead();
    },
    batch: function (f) {
      syncing = false;
      showMessages(f.messages);
      if (f.messages.length) {
        lastSeq = Math.max(lastSeq, f.messages[f.messages.length - 1].seq);
        if (reconnecting) { setStatus(t.i18nCaughtUp); }
      }
      if (f.more) { requestSync(); } else { reconnecting = false; markRead(); }
    },
    message: function (m) {
      if (m.seq <= lastSeq) { showMessages([m]); return; }
      if (m.seq === lastSeq + 1 && !syncing) {
        lastSeq = m.seq;
        showMessages([m]);
        if (m.author && typers[m.author.id]) { delete typers[m.author.id]; renderTyping(); }
        markRead();
        return;
      }
      requestSync();                   // a gap: the layer dropped something, fetch by number
    },
    ack: function () { showError(""); },
    hidden: function (f) {
      var li = list.querySelector('li[data-seq="' + f.seq + '"]');
      if (li) { renderMessage({ seq: f.seq, hidden: true, author: null, created_at: li.querySelector("time").dateTime }); }
    },
    reactions: function (f) {
      var li = list.querySelector('li[data-seq="' + f.seq + '"]');
      if (li && li.querySelector(".room-reactions")) { renderReactions(li, f.reactions); }
    },
    typing: function (f) {
      typers[f.user.id] = { name: f.user.name, until: Date.now() + 6000 };
      renderTyping();
    },
    presence: function (f) {
      if (f.present) { renderPresence(f.present); return; }
      if (f.joined) { presentById[f.joined.id] = f.joined.name; }
      if (f.left) { delete presentById[f.left.id]; }
      renderPresence(null);
    },
    muted: function (f) {
      setStatus(f.until ? t.i18nMuted + " " + new Date(f.until).toLocaleString() : t.i18nOnline);
    },
    removed: function () { setStatus(t.i18nRemoved); },
    reported: function () { showError(t.i18nReported); },
    error: function (f) { showError(f.message); }
  };

  function onFrame(event) {
    lastFrameAt = Date.now();
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    var handler = handlers[frame.type];
    if (handler) { handler(frame); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + t.wsPath);
    syncing = false;
    setStatus(t.i18nConnecting);
    socket.addEventListener("open", function () { retries = 0; lastFrameAt = Date.now(); });
    socket.addEventListener("message", onFrame);
    socket.addEventListener("close", function (event) {
      clearInterval(heartbeatTimer);
      if (event.code in FINAL_CODES) {
        setStatus(event.code === 4403 && me ? t.i18nRemoved : FINAL_CODES[event.code]);
        form.querySelector("button[type=submit]").disabled = true;
        return;
      }
      setStatus(t.i18nOffline);
      reconnecting = true;
      var delay = Math.min(30000, 1000 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    });
    clearInterval(heartbeatTimer);
    heartbeatTimer = setInterval(function () {
      // A socket silent for two heartbeats is dead (a laptop that slept): start again.
      if (Date.now() - lastFrameAt > 2.5 * heartbeatMs && socket.readyState === WebSocket.OPEN) {
        socket.close();
        return;
      }
      send({ type: "heartbeat" });
    }, Math.min(heartbeatMs, 20000));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    if (send({ type: "post", body: body, client_id: String(Date.now()) })) {
      input.value = "";
      showError("");
    } else {
      showError(t.i18nOffline);
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTypingSent > 3000 && input.value) {
      lastTypingSent = now;
      send({ type: "typing" });
    }
  });
  olderBtn.addEventListener("click", function () {
    if (oldestSeq !== null) { send({ type: "history", before: oldestSeq }); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") { return; }
    if (!socket || socket.readyState === WebSocket.CLOSED) { connect(); return; }
    send({ type: "heartbeat" });
    markRead();
  });
  window.addEventListener("online", function () {
    if (socket && socket.readyState !== WebSocket.OPEN) { socket.close(); }
  });

  connect();
})();
