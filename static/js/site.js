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

// Tables stack into one block per row on narrow screens (see site.css); each cell
// then shows its column's heading, copied here from the table's header.
(function () {
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    const headings = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.trim();
    });
    if (!headings.length) return;
    // Stacked rows are no longer laid out as a table: keep the table semantics.
    table.setAttribute("role", "table");
    table.querySelectorAll("tr").forEach(function (row) {
      row.setAttribute("role", "row");
      Array.from(row.children).forEach(function (cell, index) {
        // A heading in the body heads its row (scope="row"), not a column.
        let role = "cell";
        if (cell.tagName === "TH") {
          role = row.parentElement.tagName === "THEAD" || cell.scope === "col" ? "columnheader" : "rowheader";
        }
        cell.setAttribute("role", role);
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[index]) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
})();
