// Turns "(in 3 days)" next to a date into a live countdown; the page reads fine without it.
(function () {
  var nodes = document.querySelectorAll("[data-countdown]");
  if (!nodes.length) return;
  var lang = document.documentElement.lang || "fr";
  var words = lang.indexOf("fr") === 0
    ? { d: "j", h: "h", m: "min", s: "s", in: "dans ", done: "maintenant" }
    : { d: "d", h: "h", m: "min", s: "s", in: "in ", done: "now" };
  function render() {
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.max(0, Math.floor((Date.parse(node.dataset.countdown) - now) / 1000));
      if (!left) { node.textContent = "(" + words.done + ")"; return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      var parts = d ? [d + words.d, h + words.h] : [h + words.h, m + words.m, s + words.s];
      node.textContent = "(" + words.in + parts.join(" ") + ")";
    });
  }
  render();
  setInterval(render, 1000);
})();
