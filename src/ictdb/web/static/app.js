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
// A screening in progress: poll its job and show the progress; reload the page once it has finished.
for (const box of document.querySelectorAll("[data-poll]")) {
  const bar = box.querySelector("progress");
  const tick = async () => {
    try {
      const answer = await fetch(box.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (answer.ok) {
        const job = await answer.json();
        box.querySelector("[data-done]").textContent = job.done;
        box.querySelector("[data-total]").textContent = job.total;
        if (bar) { bar.max = job.total || 1; bar.value = job.done; }
        if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
      }
    } catch (error) { /* the server may be restarting: try again */ }
    window.setTimeout(tick, 700);
  };
  window.setTimeout(tick, 300);
}
