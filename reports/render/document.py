"""The document a report is laid out as: sections of tables with typed cells, the filters and the definitions.

Cells hold real values (int, Decimal, date, str) so that the XLSX gets numbers and dates; the screen and the PDF
format them the Russian way (``cell_text``).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone


@dataclass
class Column:
    """A column: its header, the kind of its values (text, int, decimal, percent, date, mark), its width in
    characters (XLSX; the screen sizes itself)."""

    title: str
    kind: str = "text"
    width: int | None = None
    # Header group over several columns (e.g. «1 четв.» over the subjects' marks): (title, span) on the first.
    group: tuple[str, int] | None = None


@dataclass
class Cell:
    """A value with a note (a tooltip on screen, a comment in XLSX) or a class for the screen (e.g. a low mark)."""

    value: Any
    note: str = ""
    css: str = ""


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str = ""
    totals: list[Any] | None = None  # the bottom line (итого)
    # Rows that carry a class for the screen (e.g. "risk"), by index.
    row_css: dict[int, str] = field(default_factory=dict)
    empty: str = "Нет данных."

    @property
    def has_groups(self) -> bool:
        return any(column.group for column in self.columns)

    @property
    def group_row(self) -> list[tuple[str, int]]:
        """The header line above the columns: (title, span) per group, ("", 1) under no group."""
        cells, skip = [], 0
        for column in self.columns:
            if skip:
                skip -= 1
                continue
            if column.group:
                cells.append(column.group)
                skip = column.group[1] - 1
            else:
                cells.append(("", 1))
        return cells


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart_svg: str = ""  # server-made SVG (safe), shown on screen and in the PDF


@dataclass
class Document:
    """A report made for one request: what it is, for whom (the school), with which filters, and its contents."""

    slug: str
    title: str
    school_name: str
    filters: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    landscape: bool = False
    printed_at: dt.datetime = field(default_factory=timezone.localtime)
    # Templates of their own for a report whose layout is its own (the summary sheet); the generic ones otherwise.
    html_template: str = "reports/document.html"
    pdf_template: str = "reports/pdf/document.html"
    # Signature lines printed at the end of the PDF (e.g. «Классный руководитель ____»).
    signatures: list[str] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        parts = [self.slug, *(value for _label, value in self.filters)]
        stem = "_".join(part for part in parts if part)
        return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)[:120]


def cell_value(cell: Any) -> Any:
    return cell.value if isinstance(cell, Cell) else cell


def cell_text(cell: Any, kind: str = "text") -> str:
    """A cell as the screen and the PDF show it: decimals with a comma, dates as ДД.ММ.ГГГГ, percents with «%»."""
    value = cell_value(cell)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
            if timezone.is_aware(value)
            else f"{value:%d.%m.%Y %H:%M}"
        )
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        digits = 1 if kind == "percent" else 2
        text = f"{value:.{digits}f}".replace(".", ",")
        return f"{text} %" if kind == "percent" else text
    return str(value)
