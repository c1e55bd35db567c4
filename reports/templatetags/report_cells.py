"""Formatting a report's cell on screen and in the PDF the Russian way (decimal commas, ДД.ММ.ГГГГ, «%»)."""

from django import template

from ..render.document import Cell, cell_text
from ..render.html import table_html

register = template.Library()


@register.filter
def cell(value, kind: str = "text") -> str:
    return cell_text(value, kind)


@register.filter
def cell_note(value) -> str:
    return value.note if isinstance(value, Cell) else ""


@register.filter
def cell_css(value) -> str:
    return value.css if isinstance(value, Cell) else ""


@register.filter
def pairs(row, columns):
    """The row's cells with their columns, for the template loop."""
    return zip(row, columns, strict=False)


@register.filter
def row_class(table, index: int) -> str:
    return table.row_css.get(index, "")


@register.simple_tag
def report_table(table, pdf: bool = False):
    """The table's markup, built in Python (reports.render.html): a big table in a template loop is slow."""
    return table_html(table, pdf=pdf)
