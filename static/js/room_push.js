/* Browser notifications from the room page: subscribe this device to Web Push, or not.
   The subscription goes to the site, which pushes a notification when the person is
   mentioned while away (and wants it: "When you are away"). */
(function () {
  "use strict";
  var box = document.getElementById("room-notify");
  if (!box || !box.dataset.vapidKey) { return; }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) { return; }
  var t = box.dataset;
  var status = document.getElementById("room-push-status");
  var toggle = document.getElementById("room-push-toggle");

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": t.csrf }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function show(subscribed) {
    if (Notification.permission === "denied") {
      status.textContent = t.i18nDenied;
      toggle.hidden = true;
      return;
    }
    status.textContent = subscribed ? t.i18nOn : "";
    toggle.textContent = subscribed ? t.i18nTurnOff : t.i18nOff;
    toggle.dataset.subscribed = subscribed ? "1" : "0";
    toggle.hidden = false;
  }

  function send(subscription) {
    var json = subscription.toJSON();
    return post(t.subscribeUrl, { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth });
  }

  var registration = navigator.serviceWorker.register(t.swUrl, { scope: t.swScope });

  registration.then(function (reg) {
    return reg.pushManager.getSubscription().then(function (subscription) {
      // A known device tells the site again: the subscription may have been renewed.
      if (subscription) { send(subscription).catch(function () {}); }
      show(Boolean(subscription));
    });
  }).catch(function () { /* no service worker here: the button stays hidden */ });

  toggle.addEventListener("click", function () {
    toggle.disabled = true;
    registration.then(function (reg) {
      if (toggle.dataset.subscribed === "1") {
        return reg.pushManager.getSubscription().then(function (subscription) {
          if (!subscription) { return show(false); }
          var endpoint = subscription.endpoint;
          return subscription.unsubscribe().then(function () {
            return post(t.unsubscribeUrl, { endpoint: endpoint });
          }).then(function () { show(false); });
        });
      }
      return Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { return show(false); }
        return reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(t.vapidKey)
        }).then(send).then(function () { show(true); });
      });
    }).catch(function () {
      status.textContent = t.i18nFailed;
    }).then(function () { toggle.disabled = false; });
  });
}());
