"""Markup of the promotion page built in Python: a class's <select> options, built once per class.

A template loop over a thousand selects of a dozen options each would cost more than the rest of the page.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def promotion_options_html(options: list[tuple[str, str]], selected: str, missing_label: str) -> SafeString:
    parts = []
    if selected not in {value for value, _label in options}:
        parts.append(f'<option value="{escape(selected)}" selected>{escape(missing_label)}</option>')
    for value, label in options:
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(parts))  # every value and label is escaped above
