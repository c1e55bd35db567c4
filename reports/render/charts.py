"""Small server-made SVG charts of the reports (shown on screen and in the PDF through ``Section.chart_svg``).

Numbers are written by Python, never through the template's localization (a decimal comma breaks SVG). Every chart
is an image with a title and an aria-label, and its figures are also in a table next to it.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 36
COLOURS = ("#0d6efd", "#198754", "#dc3545", "#6f42c1")


def _number(value: Decimal | float) -> str:
    return f"{float(value):.1f}"


def percent_trend_svg(title: str, labels: list[str], series: list[tuple[str, list[Decimal | None]]]) -> SafeString:
    """Lines of percentages (0–100) over the periods ``labels``: one per (name, values); a missing value leaves a
    gap. Empty when no series has a value."""
    if not labels or not any(value is not None for _name, values in series for value in values):
        return mark_safe("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(index: int) -> float:
        return LEFT + (index * step if len(labels) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return TOP + plot_h * (1 - float(value) / 100)

    parts = [f"<title>{escape(title)}</title>"]
    for level in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(y(level))}" y2="{_number(y(level))}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{_number(y(level))}" dy="4" text-anchor="end" font-size="10">{level}</text>'
        )
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{_number(x(index))}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="10">'
            f"{escape(label)}</text>"
        )
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            line = " ".join(f"{_number(px)},{_number(py)}" for px, py, _v in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, value in points:
            shown = str(value).replace(".", ",")
            parts.append(
                f'<circle cx="{_number(px)}" cy="{_number(py)}" r="3" fill="{colour}">'
                f"<title>{escape(name)}: {shown} %</title></circle>"
            )
        legend_x = LEFT + number * 170
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 12}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 3}" font-size="10">{escape(name)}</text>'
        )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
    )
