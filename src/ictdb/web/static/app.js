// Small helpers for the pages: switch language without losing the page, confirm before destructive forms.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-lang-switch]");
  if (!select) return;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", select.value);
  window.location.assign(url.toString());
});
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
