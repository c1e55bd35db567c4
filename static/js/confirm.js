// A form with data-confirm asks before it is sent (e.g. unlinking a parent from a child): one question, in Russian,
// from the page; a keyboard user answers it like any dialog.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
