// Progressive enhancement only: every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  navigator.clipboard?.writeText(text).then(() => {
    const old = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = old; }, 1500);
  });
});
document.addEventListener("input", (event) => {
  const field = event.target.closest("[data-count]");
  if (!field) return;
  const out = document.getElementById(field.getAttribute("data-count"));
  if (out) out.textContent = `${field.value.length} characters`;
});
// A table wider than the screen scrolls sideways inside its .table-wrap: that box must then be reachable with
// the keyboard, and named, so its hidden columns can be scrolled to (WCAG 2.1.1; axe scrollable-region-focusable).
function tableName(box) {
  const table = box.querySelector("table");
  const caption = table?.querySelector("caption");
  if (caption?.textContent.trim()) return caption.textContent.trim();
  if (table?.getAttribute("aria-label")) return table.getAttribute("aria-label");
  for (let el = box.previousElementSibling; el; el = el.previousElementSibling) {
    if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
  }
  const heading = box.parentElement?.querySelector("h1, h2, h3");
  return heading ? heading.textContent.trim() : "Table";
}
function markScrollingTables() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.dataset.scrollMarked = box.hasAttribute("aria-label") ? "kept-label" : "label";
      if (box.dataset.scrollMarked === "label") box.setAttribute("aria-label", `${tableName(box)} (scrolls sideways)`);
    } else if (!scrolls && box.dataset.scrollMarked) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      if (box.dataset.scrollMarked === "label") box.removeAttribute("aria-label");
      delete box.dataset.scrollMarked;
    }
  }
}
markScrollingTables();
window.addEventListener("load", markScrollingTables);
window.addEventListener("resize", markScrollingTables);

// A row of sub-pages wider than the screen scrolls sideways: bring the current page into view, so a phone shows
// where you are (the scroll happens inside the row, not the page).
function revealCurrentSubpage() {
  const row = document.querySelector(".subnav ul");
  const current = row && row.querySelector('[aria-current="page"]');
  if (!row || !current || row.scrollWidth <= row.clientWidth) return;
  const left = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  row.scrollLeft = Math.max(0, left);
}
revealCurrentSubpage();
