/* Type to filter a long picker: Tom Select (static/vendor/tom-select-2.6.2/) on every <select> marked data-filter,
 * and on any other single <select> with more than MIN_OPTIONS options, unless it says data-filter="off" (the
 * promotion page's hundreds of short selects).
 *
 * The <select> stays in the form and keeps its name, value, label and change events (an onchange that submits the
 * form still fires); Tom Select draws a combobox over it (role="combobox", a listbox of options, the select's label
 * or aria-label carried over): Tab reaches it, typing filters, the arrows move, Enter chooses, Escape closes.
 * The texts come from the page (data-* of this script's tag in templates/base.html), in Russian.
 */
(function () {
  "use strict";

  var MIN_OPTIONS = 15;
  var script = document.currentScript;
  var texts = script ? script.dataset : {};
  if (!window.TomSelect) return;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) { return "&#" + ch.charCodeAt(0) + ";"; });
  }

  function wanted(select) {
    if (select.tomselect || select.disabled) return false;
    var mark = select.getAttribute("data-filter");
    if (mark === "off") return false;
    if (mark !== null) return true;
    return !select.multiple && select.options.length > MIN_OPTIONS;
  }

  function enhance(select) {
    var settings = {
      create: false,
      // An optional field keeps its «—» as a choice (to clear it); a required one shows the hint in its place.
      allowEmptyOption: !select.required,
      maxOptions: null, // every match, not the first 50
      hideSelected: false,
      closeAfterSelect: true,
      placeholder: texts.placeholder || "",
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: function () {
          return '<div class="no-results">' + escapeHtml(texts.noResults || "") + "</div>";
        }
      }
    };
    // Tom Select moves the <label for> to its own input; the <select> it hides keeps a name of its own (WCAG 4.1.2).
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var name = select.getAttribute("aria-label") || (label ? label.textContent.replace(/\s+/g, " ").trim() : "");
    /* global TomSelect */
    var control = new TomSelect(select, settings);
    if (name && !select.hasAttribute("aria-label")) select.setAttribute("aria-label", name);
    // What was typed into the search must not stay in place of the chosen option once the focus moves on.
    control.on("blur", function () { control.setTextboxValue(""); });
  }

  function scan(root) {
    var selects = (root || document).querySelectorAll("select");
    for (var i = 0; i < selects.length; i++) if (wanted(selects[i])) enhance(selects[i]);
  }

  scan(document);
  // Parts of pages that htmx swaps in get the same treatment.
  document.addEventListener("htmx:load", function (event) { scan(event.detail && event.detail.elt); });
})();
