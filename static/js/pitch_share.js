// Copy buttons of the showcase: the pitch's text and its link, for the networks that
// take only a link (LinkedIn, Facebook) or a profile field. Without the clipboard
// (an old browser, a page not served over HTTPS) the text stays selectable on the page.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { button.hidden = true; return; }
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = button.dataset.copied || "✓";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
