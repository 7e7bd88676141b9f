/* The live room of a group. No build step, no inline script.
 * Messages are numbered per room; the client keeps the last number it has shown
 * and, on every (re)connection, on waking up or when it sees a gap, asks for what
 * came after it. A socket can look open and be dead (a laptop that slept, a network
 * that went away): heartbeats must bring a frame back, or the socket is replaced. */
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
  var TRY_LATER_CODE = 1013;
  var FINAL_CODES = { 4401: t.i18nRefused, 4403: t.i18nRefused, 4404: t.i18nRefused };

  var PROBE_MS = 5000;       // a heartbeat's answer must come within this
  var socket = null;
  var lastSeq = 0;          // highest number shown with nothing missing before it
  var seenAbove = 0;        // highest number shown while a catch-up was under way
  var oldestSeq = null;     // lowest number shown, for "older messages"
  var historyLoaded = false;
  var me = null;
  var reactions = [];
  var heartbeatMs = 20000;
  var heartbeatTimer = null;
  var reconnectTimer = null;
  var probeTimer = null;
  var lastFrameAt = 0;
  var lastTickAt = 0;
  var heartbeatSentAt = 0;
  var heartbeatsSent = 0;      // on this socket
  var heartbeatsAnswered = 0;  // on this socket
  var pending = [];            // moderation actions waiting for their heartbeat's answer
  var finished = false;        // refused or removed: no more reconnecting
  var retries = 0;
  var syncing = false;
  var lastTypingSent = 0;
  var typers = {};
  var catchingUp = false;

  function setStatus(text) { statusEl.textContent = text; }
  function showError(text) { errorEl.textContent = text || ""; }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function renderMessage(m) {
    var li = render.render(m);
    // Other scripts draw their part of a message (its image: room_attachments.js).
    root.dispatchEvent(new CustomEvent("room:message", { detail: { li: li, message: m } }));
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
    render.layout();
    if (stick) { list.scrollTop = list.scrollHeight; }
  }

  function markRead() {
    if (document.visibilityState === "visible" && lastSeq > 0) { send({ type: "read", seq: lastSeq }); }
  }

  function requestSync() {
    if (syncing) { return; }
    syncing = send({ type: "sync", after: lastSeq });
  }

  function sendHeartbeat() {
    if (!send({ type: "heartbeat" })) { return false; }
    heartbeatSentAt = Date.now();
    heartbeatsSent += 1;
    return true;
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
      retries = 0;   // a socket that closes before its welcome (1013) backs off further
      me = f.you;
      reactions = f.reactions;
      heartbeatMs = f.heartbeat_seconds * 1000;
      renderPresence(f.present);
      setStatus(f.muted_until ? t.i18nMuted + " " + new Date(f.muted_until).toLocaleString() : t.i18nOnline);
      if (!historyLoaded) {
        send({ type: "history" });     // first visit: the latest page
      } else {
        catchingUp = true;
        requestSync();                 // back after a drop or a sleep: what was missed
      }
    },
    history: function (f) {
      if (f.around) { edits.historyAround(f); return; }  // the page around a reply's original
      var first = !historyLoaded;
      historyLoaded = true;
      showMessages(f.messages);
      if (first && f.messages.length) {
        var top = f.messages[f.messages.length - 1].seq;
        if (top > lastSeq) { lastSeq = top; list.scrollTop = list.scrollHeight; }
      }
      olderBtn.hidden = !f.more;
      edits.markGaps();
      render.layout();
      markRead();
    },
    batch: function (f) {
      syncing = false;
      showMessages(f.messages);
      if (f.messages.length) {
        lastSeq = Math.max(lastSeq, f.messages[f.messages.length - 1].seq);
        if (catchingUp) { setStatus(t.i18nCaughtUp); }
      }
      if (f.more || (f.messages.length && seenAbove > lastSeq)) {
        requestSync();                 // more to fetch, or messages arrived during this one
      } else {
        catchingUp = false;
        markRead();
      }
    },
    message: function (m) {
      if (m.seq <= lastSeq) { showMessages([m]); return; }
      if (m.seq === lastSeq + 1 && !syncing) {
        lastSeq = m.seq;
        showMessages([m]);
        roomScreen.arrived(m);
        if (m.author && typers[m.author.id]) { delete typers[m.author.id]; renderTyping(); }
        markRead();
        return;
      }
      // A gap (the layer dropped something), or a catch-up under way: show it now,
      // and let the numbered catch-up fill in what comes before it.
      showMessages([m]);
      seenAbove = Math.max(seenAbove, m.seq);
      requestSync();
    },
    ack: function () { showError(""); },
    edited: function (f) { edits.edited(f); },
    deleted: function (f) { edits.deleted(f); },
    revisions: function (f) { edits.revisions(f); },
    hidden: function (f) {
      var li = list.querySelector('li[data-seq="' + f.seq + '"]');
      if (li) { renderMessage(Object.assign({}, li._message, { hidden: true, body: "" })); }
      if (moderation) { moderation.reportClosed(f.seq); }
    },
    reactions: function (f) {
      var li = list.querySelector('li[data-seq="' + f.seq + '"]');
      if (li) { render.renderReactions(li, f.reactions, f.reacted_by); }
    },
    typing: function (f) {
      typers[f.user.id] = { name: f.user.name, until: Date.now() + 6000 };
      renderTyping();
    },
    presence: function (f) {
      if (f.present) {
        // The answer to a heartbeat: frames sent before it have all been handled.
        heartbeatsAnswered += 1;
        while (pending.length && pending[0].fence <= heartbeatsAnswered) { pending.shift().done(); }
        renderPresence(f.present);
        return;
      }
      if (f.joined) { presentById[f.joined.id] = f.joined.name; }
      if (f.left) { delete presentById[f.left.id]; }
      renderPresence(null);
    },
    muted: function (f) {
      setStatus(f.until ? t.i18nMuted + " " + new Date(f.until).toLocaleString() : t.i18nOnline);
    },
    removed: function () { setStatus(t.i18nRemoved); },
    role: function (f) {
      // Powers taken away (left the association's team…): no moderation tool stays.
      if (f.moderator || !isModerator) { return; }
      isModerator = false;
      moderation = null;
      var panels = document.querySelector(".room-moderation");
      if (panels) { panels.remove(); }
      list.querySelectorAll(".room-hide, .room-versions").forEach(function (b) { b.remove(); });
      setStatus(t.i18nNotModerator);
    },
    reported: function () { showError(t.i18nReported); },
    report: function (f) { if (moderation) { moderation.reportAdded(f.report); } },
    error: function (f) {
      // A moderation action's refusal arrives before its fence heartbeat's answer.
      if (pending.length && !f.client_id) { pending.shift().fail(f.message); return; }
      showError(f.message);
    }
  };

  function onFrame(event) {
    lastFrameAt = Date.now();
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    var handler = handlers[frame.type];
    if (handler) { handler(frame); }
  }

  function failPending() {
    var failed = pending;
    pending = [];
    failed.forEach(function (p) { p.fail(t.i18nModOffline); });
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    var delay = Math.min(30000, 1000 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  // Give up on the current socket, whatever state it claims, and open a new one now.
  function restart() {
    if (finished) { return; }
    var old = socket;
    socket = null;
    if (old) { try { old.close(); } catch (e) { /* already closing */ } }
    retries = 0;
    connect();
  }

  // Is the socket alive? A heartbeat's answer must come back within PROBE_MS.
  // The sync fetches by number what a socket that stayed open may still have missed.
  function wakeUp() {
    if (finished) { return; }
    if (!socket || socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) {
      restart();
      return;
    }
    if (socket.readyState !== WebSocket.OPEN) { return; }  // connecting: its welcome syncs
    var sentAt = Date.now();
    sendHeartbeat();
    catchingUp = true;
    requestSync();
    markRead();
    clearTimeout(probeTimer);
    probeTimer = setTimeout(function () {
      if (lastFrameAt < sentAt) { restart(); }
    }, PROBE_MS);
  }

  function tick() {
    var now = Date.now();
    var tickMs = Math.min(heartbeatMs, 20000);
    var slept = lastTickAt && now - lastTickAt > 2 * tickMs;
    lastTickAt = now;
    // Timers stood still: the machine slept or the tab froze. (A hidden tab's timers are
    // only slowed down by the browser; its return is handled by "visibilitychange".)
    if (slept && document.visibilityState === "visible") { wakeUp(); return; }
    if (heartbeatSentAt && lastFrameAt < heartbeatSentAt && now - heartbeatSentAt > PROBE_MS) {
      restart();                      // the last heartbeat was never answered: a dead socket
      return;
    }
    sendHeartbeat();
  }

  function connect() {
    clearTimeout(reconnectTimer);
    clearTimeout(probeTimer);
    if (finished) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + t.wsPath);
    socket = ws;
    syncing = false;
    heartbeatSentAt = 0;
    heartbeatsSent = 0;
    heartbeatsAnswered = 0;
    failPending();
    setStatus(t.i18nConnecting);
    ws.addEventListener("open", function () {
      if (ws !== socket) { return; }
      lastFrameAt = Date.now();
    });
    ws.addEventListener("message", function (event) {
      if (ws === socket) { onFrame(event); }   // a replaced socket's late frames are ignored
    });
    ws.addEventListener("close", function (event) {
      if (ws !== socket) { return; }
      clearInterval(heartbeatTimer);
      failPending();
      if (event.code in FINAL_CODES) {
        finished = true;
        setStatus(event.code === 4403 && me ? t.i18nRemoved : FINAL_CODES[event.code]);
        form.querySelector("button[type=submit]").disabled = true;
        return;
      }
      // 1013 (try again later): the server is up but the room's live delivery is not;
      // reconnect with the same growing delay, and catch up once back.
      setStatus(event.code === TRY_LATER_CODE ? t.i18nTryLater : t.i18nOffline);
      catchingUp = true;
      scheduleReconnect();
    });
    clearInterval(heartbeatTimer);
    lastTickAt = Date.now();
    heartbeatTimer = setInterval(tick, Math.min(heartbeatMs, 20000));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    var editing = edits.submit(body);   // an edit of one's own message, or null if offline
    if (editing || (editing === false &&
        send(Object.assign({ type: "post", body: body, client_id: String(Date.now()) }, edits.postFields())))) {
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
    if (document.visibilityState === "visible") { wakeUp(); }
  });
  // Back on a network: the old connection went through the old one, start afresh.
  window.addEventListener("online", restart);
  window.addEventListener("offline", function () { if (!finished) { setStatus(t.i18nOffline); } });

  var moderation = isModerator ? moderationPanels() : null;
  var render = window.RoomRender({
    t: t, list: list, send: send,
    me: function () { return me; }, isModerator: function () { return isModerator; },
    reactions: function () { return reactions; },
    decorate: function (li, m) { edits.decorate(li, m); }
  });
  var roomScreen = window.RoomScreen({ t: t, list: list, form: form, input: input, me: function () { return me; } });
  window.RoomMentions({ t: t, form: form, input: input });
  var edits = window.RoomEdits({
    t: t, list: list, form: form, input: input, send: send, showError: showError,
    renderMessage: renderMessage, showMessages: showMessages, layout: function () { render.layout(); },
    me: function () { return me; }, isModerator: function () { return isModerator; }
  });

  // --- Moderators: members (mute, remove) and open reports (hide, dismiss) ----------

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  // Send a moderation frame, then a heartbeat behind it: the socket handles frames in
  // order, so an error before the heartbeat's answer is this action's refusal.
  function moderate(frame, result, done) {
    if (!send(frame) || !sendHeartbeat()) { result.textContent = t.i18nModOffline; return; }
    result.textContent = "";
    pending.push({
      fence: heartbeatsSent,
      done: function () { result.textContent = done(); },
      fail: function (message) { result.textContent = message; }
    });
  }

  function moderationPanels() {
    var members = document.getElementById("room-members");
    var membersResult = document.getElementById("room-members-result");
    var reportList = document.getElementById("room-report-list");
    var reportsResult = document.getElementById("room-reports-result");
    var reportsEmpty = document.getElementById("room-reports-empty");
    var reportsCount = document.getElementById("room-reports-count");
    var reportTemplate = document.getElementById("room-report-template");
    var dialog = document.getElementById("room-remove-dialog");
    var question = document.getElementById("room-remove-question");
    var questionText = document.getElementById("room-remove-question-text").content.textContent;
    var removing = null;

    function countReports() {
      var n = reportList.children.length;
      reportsCount.textContent = "(" + n + ")";
      reportsEmpty.hidden = n > 0;
    }

    members.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-action]");
      if (!b) { return; }
      var li = b.closest("li[data-user-id]");
      var userId = Number(li.dataset.userId);
      var name = li.dataset.name;
      if (b.dataset.action === "mute") {
        var minutes = Number(li.querySelector("select").value);
        moderate({ type: "mute", user_id: userId, minutes: minutes }, membersResult, function () {
          var mark = li.querySelector(".room-member-muted");
          if (!minutes) { mark.textContent = ""; return fill(t.i18nModUnmuted, { name: name }); }
          var until = new Date(Date.now() + minutes * 60000).toLocaleString();
          mark.textContent = fill(t.i18nMutedUntil, { until: until });
          return fill(t.i18nModMuted, { name: name, until: until });
        });
      } else if (b.dataset.action === "remove") {
        removing = li;
        question.textContent = fill(questionText, { name: name });
        dialog.returnValue = "";
        dialog.showModal();
      }
    });

    dialog.addEventListener("close", function () {
      var li = removing;
      removing = null;
      if (!li || dialog.returnValue !== "confirm") { return; }
      var name = li.dataset.name;
      moderate({ type: "remove", user_id: Number(li.dataset.userId) }, membersResult, function () {
        li.remove();
        return fill(t.i18nModRemoved, { name: name });
      });
      membersResult.focus();
    });

    reportList.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-action=hide]");
      if (!b) { return; }
      var seq = Number(b.closest("li[data-seq]").dataset.seq);
      moderate({ type: "hide", seq: seq }, reportsResult, function () {
        reportClosed(seq);
        return t.i18nReportHidden;
      });
    });

    function reportClosed(seq) {
      var li = reportList.querySelector('li[data-seq="' + seq + '"]');
      if (li) { li.remove(); countReports(); }
    }

    function reportAdded(r) {
      var li = reportList.querySelector('li[data-seq="' + r.seq + '"]');
      if (!li) {
        li = reportTemplate.content.firstElementChild.cloneNode(true);
        li.dataset.seq = r.seq;
        li.querySelector(".room-report-link").href = "#m" + r.seq;
        li.querySelectorAll(".room-report-seq").forEach(function (el) { el.textContent = r.seq; });
        li.querySelector(".room-report-author").textContent = r.author;
        li.querySelector(".room-report-excerpt").textContent = r.excerpt;
        var dismiss = li.querySelector("form.room-dismiss-form");
        dismiss.action = dismiss.dataset.actionPattern.replace(/\/0\/(?=[^\/]*\/$)/, "/" + r.seq + "/");
        reportList.appendChild(li);
      }
      var line = document.createElement("li");
      var when = document.createElement("time");
      when.dateTime = r.created_at;
      when.textContent = new Date(r.created_at).toLocaleString();
      line.appendChild(document.createTextNode(fill(t.i18nReportedBy, { name: r.reporter }) + ", "));
      line.appendChild(when);
      if (r.reason) { line.appendChild(document.createTextNode(" — " + r.reason)); }
      li.querySelector(".room-reporters").appendChild(line);
      countReports();
      reportsResult.textContent = fill(t.i18nNewReport, { seq: r.seq });
    }

    // At 50 members the list is long: a filter by name keeps it usable.
    var filter = document.getElementById("room-member-filter");
    var countEl = document.getElementById("room-member-count");
    var countText = document.getElementById("room-member-count-text").content.textContent;
    if (filter) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        var rows = members.querySelectorAll("li[data-user-id]");
        var shown = 0;
        rows.forEach(function (li) {
          var match = !q || li.dataset.name.toLowerCase().indexOf(q) !== -1;
          li.hidden = !match;
          if (match) { shown += 1; }
        });
        countEl.textContent = q ? fill(countText, { shown: shown, total: rows.length }) : "";
      });
    }

    membersResult.tabIndex = -1;
    return { reportAdded: reportAdded, reportClosed: reportClosed };
  }

  connect();
})();
