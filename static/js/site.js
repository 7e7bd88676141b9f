// Collapsible navigation on narrow screens; without JavaScript the menu stays open.
(function () {
  const button = document.querySelector(".nav-button");
  const nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  button.hidden = false;
  document.body.classList.add("js-nav");
  button.addEventListener("click", function () {
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("is-open", !open);
  });
})();
