// Live draw: winners arrive over a websocket and are revealed one by one.
(function () {
  "use strict";
  var list = document.getElementById("draw-live");
  var status = document.getElementById("draw-status");
  if (!list || !window.WebSocket) return;
  var shown = 0;
  var queue = [];
  var timer = null;

  function revealNext() {
    if (shown >= queue.length) {
      timer = null;
      status.textContent = status.dataset.done;
      return;
    }
    var w = queue[shown++];
    var item = document.createElement("li");
    item.className = "winner-live";
    item.textContent = w.prize + " — " + list.dataset.ticketLabel + " " + w.ticket + " (" + w.holder + ")";
    list.appendChild(item);
    timer = setTimeout(revealNext, 1500);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + list.dataset.socket);
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "waiting") {
        status.textContent = status.dataset.waiting;
      } else if (data.type === "winners") {
        queue = data.winners;
        if (!timer) revealNext();
      }
    };
    socket.onclose = function (event) {
      if (event.code !== 4404 && queue.length === 0) setTimeout(connect, 5000);
    };
  }
  connect();
})();
