// The activation codes page (templates/journal/people/credentials.html): a box in a group's header ticks the group,
// and a button ticks exactly those who have never signed in. A static file: the Content-Security-Policy runs no
// inline script.
(function () {
  "use strict";
  var form = document.getElementById("credentials-form");
  if (!form) return;
  form.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      form.querySelectorAll('input[name="users"][data-group="' + box.dataset.selectAll + '"]').forEach(function (item) { item.checked = box.checked; });
    });
  });
  var withoutCode = document.getElementById("select-without-code");
  if (withoutCode) {
    withoutCode.addEventListener("click", function () {
      form.querySelectorAll('input[name="users"]').forEach(function (item) { item.checked = item.dataset.status === "none"; });
    });
  }
})();
