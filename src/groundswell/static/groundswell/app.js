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
