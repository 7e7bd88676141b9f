// The live length counter of the pitch form. It counts exactly as groups/networks.py
// does (both are tested on tests/groups/network_cases.json); the server has the last
// word, this only shows the writer where they stand while typing.
(function () {
  "use strict";

  var LINK_WEIGHT = 23;
  var LINK_RE = /(?:https?:\/\/|www\.)[^\s<>"]+?(?=[.,;:!?)\]'"]*(?:\s|$))/giu;
  var EMOJI_RE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
  var X_LIGHT_RANGES = [[0x0000, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
  var segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

  function graphemes(text) {
    var out = [];
    for (var part of segmenter.segment(text)) out.push(part.segment);
    return out;
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  function xWeight(grapheme) {
    if (EMOJI_RE.test(grapheme)) return 2;
    var weight = 0;
    for (var ch of grapheme) {
      var cp = ch.codePointAt(0);
      var light = X_LIGHT_RANGES.some(function (r) { return cp >= r[0] && cp <= r[1]; });
      weight += light ? 1 : 2;
    }
    return weight;
  }

  function weigh(text, method) {
    if (method === "x" || method === "graphemes_links") {
      var links = text.match(LINK_RE) || [];
      var rest = text.replace(LINK_RE, "");
      var parts = graphemes(rest);
      if (method === "x") {
        return LINK_WEIGHT * links.length + parts.reduce(function (sum, g) { return sum + xWeight(g); }, 0);
      }
      return LINK_WEIGHT * links.length + parts.length;
    }
    if (method === "graphemes") return graphemes(text).length;
    if (method === "threads") {
      return graphemes(text).reduce(function (sum, g) {
        return sum + (EMOJI_RE.test(g) ? utf8Length(g) : Array.from(g).length);
      }, 0);
    }
    throw new Error("unknown counting method " + method);
  }

  function count(text, rule) {
    text = text.normalize("NFC");
    var used = weigh(text, rule.method);
    var bytes = utf8Length(text);
    var fits = used <= rule.limit && (rule.byteLimit == null || bytes <= rule.byteLimit);
    return { used: used, limit: rule.limit, bytes: bytes, byteLimit: rule.byteLimit, fits: fits };
  }

  window.AssosolosPitch = { count: count };

  // <textarea data-pitch-text data-network-select="id_network"> with
  // <output data-pitch-counter-for="{textarea id}">, the table in #pitch-networks.
  function bind() {
    var table = document.getElementById("pitch-networks");
    if (!table) return;
    var rules = JSON.parse(table.textContent);
    document.querySelectorAll("textarea[data-pitch-text]").forEach(function (area) {
      var select = document.getElementById(area.dataset.networkSelect || "");
      var output = document.querySelector('[data-pitch-counter-for="' + area.id + '"]');
      if (!output) return;
      function update() {
        var key = select ? select.value : area.dataset.network;
        var rule = rules[key];
        if (!rule) { output.textContent = ""; return; }
        var result = count(area.value, rule);
        var text = result.used + " / " + result.limit;
        if (result.byteLimit != null) text += " · " + result.bytes + " / " + result.byteLimit + " o";
        output.textContent = text;
        output.classList.toggle("counter--over", !result.fits);
        area.setAttribute("aria-invalid", result.fits ? "false" : "true");
      }
      area.addEventListener("input", update);
      if (select) select.addEventListener("change", update);
      update();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
