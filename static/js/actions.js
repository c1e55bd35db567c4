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
// A form sent back with errors: the focus goes to the first field in error (its message is tied to it by
// aria-describedby, crispy-forms), or to the form's own error above the fields, so a screen reader starts there.
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("main [aria-invalid='true'], main .is-invalid");
  const target = field || document.querySelector("main form .alert-danger, main .alert-block.alert-danger");
  if (!target) return;
  if (!field && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  const control = target.tomselect ? target.tomselect.control_input : target;
  control.focus();
});
