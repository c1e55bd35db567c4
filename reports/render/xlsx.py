"""A report's document as an Excel workbook: a sheet per section, the report's name, school and filters on top, a
bold header row, frozen panes under it, column widths, and real numbers and dates in the cells."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .document import Cell, Document, cell_value

FORMATS = {"int": "0", "decimal": "0.00", "percent": "0.0", "date": "DD.MM.YYYY", "mark": "@"}
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
INVALID_TITLE_CHARS = str.maketrans({char: " " for char in "[]:*?/\\"})


def _sheet_title(title: str, taken: set[str]) -> str:
    base = (title.translate(INVALID_TITLE_CHARS).strip() or "Лист")[:28]
    name, number = base, 2
    while name in taken:
        name, number = f"{base[:25]} ({number})", number + 1
    taken.add(name)
    return name


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def document_xlsx(document: Document) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for section in document.sections or []:
        sheet = workbook.create_sheet(_sheet_title(section.title or document.title, taken))
        sheet.append([document.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([document.school_name])
        filters = "; ".join(f"{label}: {value}" for label, value in document.filters)
        sheet.append([filters or ""])
        sheet.append([f"Сформирован {document.printed_at:%d.%m.%Y %H:%M}"])
        if section.title and section.title != document.title:
            sheet.append([section.title])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        frozen = False
        widths: dict[int, int] = {}
        for table in section.tables:
            sheet.append([])
            if table.caption:
                sheet.append([table.caption])
                sheet.cell(sheet.max_row, 1).font = Font(italic=True)
            if any(column.group for column in table.columns):
                groups = []
                for column in table.columns:
                    groups.append(column.group[0] if column.group else None)
                sheet.append(groups)
                row = sheet.max_row
                for index, column in enumerate(table.columns, start=1):
                    if column.group and column.group[1] > 1:
                        sheet.merge_cells(
                            start_row=row, start_column=index, end_row=row, end_column=index + column.group[1] - 1
                        )
                    sheet.cell(row, index).font = Font(bold=True)
                    sheet.cell(row, index).alignment = Alignment(horizontal="center")
            sheet.append([column.title for column in table.columns])
            header = sheet.max_row
            for index, column in enumerate(table.columns, start=1):
                cell = sheet.cell(header, index)
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[index] = max(widths.get(index, 0), column.width or min(max(len(column.title), 6), 40))
            if not frozen:
                sheet.freeze_panes = sheet.cell(header + 1, 2 if len(table.columns) > 3 else 1)
                frozen = True
            for row_values in [*table.rows, *([table.totals] if table.totals else [])]:
                sheet.append([_value(cell_value(value)) for value in row_values])
                row = sheet.max_row
                for index, (value, column) in enumerate(zip(row_values, table.columns, strict=False), start=1):
                    cell = sheet.cell(row, index)
                    if column.kind in FORMATS and cell.value is not None:
                        cell.number_format = FORMATS[column.kind]
                    if isinstance(value, Cell) and value.note:
                        cell.comment = Comment(value.note, "ejournal")
                    if column.width is None and cell.value is not None:
                        widths[index] = max(widths[index], min(len(str(cell.value)) + 2, 50))
            if table.totals:
                for index in range(1, len(table.columns) + 1):
                    sheet.cell(sheet.max_row, index).font = Font(bold=True)
        for note in section.notes:
            sheet.append([note])
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = width
        if document.definitions:
            sheet.append([])
            for definition in document.definitions:
                sheet.append([definition])
                sheet.cell(sheet.max_row, 1).font = Font(size=9, color="555555")
    if not workbook.worksheets:
        workbook.create_sheet("Отчёт").append([document.title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
