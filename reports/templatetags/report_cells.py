"""Formatting a report's cell on screen and in the PDF the Russian way (decimal commas, ДД.ММ.ГГГГ, «%»)."""

from django import template

from ..render.document import Cell, cell_text

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
