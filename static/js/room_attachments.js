/* Images in the room: sending one (a POST of the form; the room then receives the
 * message over its socket like any other), its thumbnail in the message list, and the
 * full image in a dialog on click. room.js announces each message it draws with a
 * "room:message" event on the room element; this adds the image to it. No inline
 * script, no HTML from the server's data: elements and text nodes only. */
(function () {
  "use strict";
  var root = document.getElementById("room");
  var form = document.getElementById("room-attach-form");
  if (!root || !form) { return; }
  var t = form.dataset;
  var fileInput = document.getElementById("room-attach-input");
  var sendBtn = document.getElementById("room-attach-send");
  var result = document.getElementById("room-attach-result");
  var errorEl = document.getElementById("room-attach-error");
  var dialog = null;   // the full-size viewer, made on the first click
  var full = null;
  var maxBytes = Number(t.maxBytes) || 0;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function showError(text) { errorEl.textContent = text || ""; }

  // Same-origin paths only: a frame is ours, but nothing it says becomes a foreign URL.
  function localPath(url) { return typeof url === "string" && /^\/[^\/\\]/.test(url); }

  function viewer() {
    if (dialog) { return dialog; }
    var d = document.createElement("dialog");
    if (typeof d.showModal !== "function") { return null; }
    d.className = "room-image-dialog";
    d.id = "room-image-dialog";
    d.setAttribute("aria-label", t.i18nImage);
    var close = document.createElement("form");
    close.method = "dialog";
    var b = document.createElement("button");
    b.type = "submit";
    b.className = "button button-small button-secondary";
    b.textContent = t.i18nClose;
    close.appendChild(b);
    full = document.createElement("img");
    full.id = "room-image-full";
    full.alt = "";
    d.appendChild(close);
    d.appendChild(full);
    d.addEventListener("close", function () { full.removeAttribute("src"); });
    // A click on the backdrop (outside the image) closes it too.
    d.addEventListener("click", function (e) { if (e.target === d) { d.close(); } });
    root.appendChild(d);
    dialog = d;
    return dialog;
  }

  root.addEventListener("room:message", function (event) {
    var li = event.detail.li;
    var m = event.detail.message;
    var a = m && !m.hidden && m.attachment;
    if (!a || !localPath(a.url) || !localPath(a.thumb_url)) { return; }
    var link = document.createElement("a");
    link.className = "room-image";
    link.href = a.url;
    link.title = t.i18nOpen;
    var img = document.createElement("img");
    img.src = a.thumb_url;
    img.width = a.thumb_width;
    img.height = a.thumb_height;
    img.loading = "lazy";
    img.alt = m.body || fill(t.i18nAlt, { name: m.author ? m.author.name : "—" });
    link.appendChild(img);
    link.addEventListener("click", function (e) {
      if (!viewer()) { return; }  // no <dialog> in this browser: the link opens the image
      e.preventDefault();
      full.src = a.url;
      full.width = a.width;
      full.height = a.height;
      full.alt = img.alt;
      dialog.showModal();
    });
    var body = li.querySelector(".room-body");
    if (body) { body.after(link); } else { li.appendChild(link); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var file = fileInput.files && fileInput.files[0];
    if (!file) { fileInput.focus(); return; }
    // Said at once; the server checks again, and checks what the file really is.
    if (maxBytes && file.size > maxBytes) { showError(t.i18nTooBig); return; }
    sendBtn.disabled = true;
    result.textContent = t.i18nSending;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, data: data };
      }, function () {
        return { ok: false, data: {} };
      });
    }).then(function (answer) {
      if (answer.ok) {
        form.reset();
        result.textContent = answer.data.notice || "";
      } else {
        result.textContent = "";
        showError(answer.data.error || t.i18nFailed);
      }
    }, function () {
      result.textContent = "";
      showError(t.i18nFailed);
    }).then(function () {
      sendBtn.disabled = false;
    });
  });

  fileInput.addEventListener("change", function () { showError(""); result.textContent = ""; });
})();
