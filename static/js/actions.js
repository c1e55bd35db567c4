// Small behaviours a template declares with a data attribute instead of an inline handler (the
// Content-Security-Policy runs no onchange="…" or onclick="…"): a <select data-autosubmit> sends its form when the
// choice changes (a <noscript> button does it without JavaScript), a <button data-print> prints the page.
// Questions before sending a form are data-confirm (confirm.js).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
