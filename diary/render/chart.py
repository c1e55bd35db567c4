"""The chart of a subject's running average, as inline SVG (a subject's page)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..selectors.marks import AverageChart


def chart_svg(chart: AverageChart) -> SafeString:
    """The running average as an inline SVG: guide lines for the marks, the line, a dot per day with marks.

    Numbers are written by Python, never through the template's localization (a decimal comma breaks SVG)."""
    guides = "".join(
        f'<line x1="20" x2="{chart.width}" y1="{y}" y2="{y}"/><text x="2" y="{y}" dy="4">{level}</text>'
        for level, y in chart.levels
    )
    dots = "".join(
        f'<circle cx="{p.x}" cy="{p.y}" r="3"><title>{p.date:%d.%m}: {str(p.average).replace(".", ",")}</title></circle>'
        for p in chart.points
    )
    label = escape(_("Средний балл по датам"))
    return mark_safe(
        f'<svg viewBox="0 0 {chart.width} {chart.height}" role="img" aria-label="{label}">{guides}'
        f'<polyline points="{chart.polyline}"/>{dots}</svg>'
    )
