"""The table of an import file: its columns, reading CSV or XLSX into rows of text, and the sample file to fill in.

``read_table`` turns a file into rows of strings keyed by column, or refuses the whole file with a Russian message
(wrong kind of file, past a cap, no header row). The file is read by ``reading.read_rows`` within ``LIMITS``, the
caps the upload page states. Nothing here looks at the school or writes.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal.choices import ImportKind

from .reading import Limits, most_frequent_delimiter, read_rows
from .values import parse_date

# A school loads all its pupils at once in late August: its whole list is at most 5,000 pupils with two parents
# each, ~1.5 MB of CSV and less as XLSX. Checking and applying are bulk (a fixed number of queries whatever the
# number of rows); see bench/import_pupils.py for the timings.
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000  # data rows
MAX_LINES = 6000  # lines read: the header, titles and empty lines too
MAX_COLUMNS = 30  # 16 known columns, and room for «№» and the like
MAX_CELL = 500  # the longest value kept is an e-mail (254); a longer name or e-mail is a row's problem, not a refusal
MAX_TEXT = 4_000_000  # characters in all: 5,000 rows of 16 columns average under 20 each
LIMITS = Limits(
    max_bytes=MAX_FILE_SIZE,
    max_lines=MAX_LINES,
    max_columns=MAX_COLUMNS,
    max_cell=MAX_CELL,
    max_text=MAX_TEXT,
    advice=gettext_lazy("Разделите список на части (например, по параллелям)."),
)
HEADER_SEARCH_ROWS = 5  # title lines allowed above the header row
EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key in the rows, its header in the template, other accepted headers."""

    key: str
    title: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


def _parent_columns(slot: int, example: tuple[str, str, str, str]) -> list[Column]:
    prefix = f"Родитель {slot}"
    return [
        Column(f"parent{slot}_name", f"{prefix} ФИО", aliases=(prefix, f"ФИО родителя {slot}"), example=example[0]),
        Column(
            f"parent{slot}_kind",
            f"{prefix} кем приходится",
            aliases=(f"{prefix} степень родства", f"{prefix} родство"),
            example=example[1],
        ),
        Column(f"parent{slot}_phone", f"{prefix} телефон", aliases=(f"{prefix} тел",), example=example[2]),
        Column(f"parent{slot}_email", f"{prefix} e-mail", aliases=(f"{prefix} почта",), example=example[3]),
    ]


PUPIL_COLUMNS: list[Column] = [
    Column("last_name", "Фамилия", required=True, example="Иванов"),
    Column("first_name", "Имя", required=True, example="Алексей"),
    Column("middle_name", "Отчество", example="Петрович"),
    Column("date_of_birth", "Дата рождения", required=True, aliases=("Д. р.",), example="15.03.2014"),
    Column("sex", "Пол", example="м"),
    Column("class_name", "Класс", required=True, example="5А"),
    Column("date_from", "Дата зачисления", aliases=("Зачислен с",), example=""),
    Column("username", "Логин", example=""),
    *_parent_columns(1, ("Иванова Мария Сергеевна", "мать", "+7 900 123-45-67", "ivanova@example.ru")),
    *_parent_columns(2, ("Иванов Пётр Николаевич", "отец", "+7 900 765-43-21", "")),
]

STAFF_COLUMNS: list[Column] = [
    Column("last_name", "Фамилия", required=True, example="Смирнова"),
    Column("first_name", "Имя", required=True, example="Елена"),
    Column("middle_name", "Отчество", example="Викторовна"),
    Column("role", "Должность", required=True, aliases=("Роль",), example="учитель"),
    Column("email", "e-mail", aliases=("Почта",), example="smirnova@example.ru"),
    Column("phone", "телефон", aliases=("тел",), example="+7 900 111-22-33"),
    Column("username", "Логин", example=""),
]

COLUMNS: dict[str, list[Column]] = {ImportKind.PUPILS: PUPIL_COLUMNS, ImportKind.STAFF: STAFF_COLUMNS}

# Columns a school's own spreadsheet often has and that carry nothing to import.
IGNORED_HEADERS = frozenset({"", "n", "no", "номер", "пп", "нпп"})


# --- reading the file -------------------------------------------------------------------------


def _normalize_header(text: str) -> str:
    text = str(text).strip().lower().replace("ё", "е")
    text = re.sub(r"[еe][\s\-]*mail|емейл|имейл|эл\.?\s*почта|электронная\s+почта", "email", text)
    return re.sub(r"[^0-9a-zа-я]", "", text)


def _header_map(kind: str) -> dict[str, str]:
    mapping = {}
    for column in COLUMNS[kind]:
        for header in (column.title, *column.aliases):
            mapping[_normalize_header(header)] = column.key
    return mapping


def read_table(kind: str, file_name: str, content: bytes) -> list[dict]:
    """The file's data rows as ``{"line": n, "values": {key: text}}``; the whole file is refused for a bad header."""
    name = file_name.lower()
    if not name.endswith(EXTENSIONS):
        raise ValidationError(
            _("Файлы такого вида не принимаются: загрузите таблицу CSV или XLSX (книга Excel). Образец можно скачать.")
        )
    keys: list[str | None] | None = None
    rows: list[dict] = []
    first_filled: list[str] | None = None
    skipped = 0
    for line, cells in enumerate(read_rows(file_name, content, LIMITS, most_frequent_delimiter), start=1):
        if not any(cells):
            continue
        if keys is None:
            # A title such as «Список 5 «А» класса» may stand above the header row: skip a few such lines.
            first_filled = first_filled or cells
            if not _looks_like_header(kind, cells) and skipped < HEADER_SEARCH_ROWS:
                skipped += 1
                continue
            keys = _header_keys(kind, cells if _looks_like_header(kind, cells) else first_filled)
            continue
        values = {key: (cells[index] if index < len(cells) else "") for index, key in enumerate(keys) if key}
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("В файле больше %(max)s строк с данными. Разделите список на части (например, по параллелям).")
                % {"max": MAX_ROWS}
            )
        rows.append({"line": line, "values": values})
    if keys is None and first_filled is not None:
        _header_keys(kind, first_filled)  # no header row found: explain what the first line lacks
    if keys is None or not rows:
        raise ValidationError(_("В файле нет ни одной строки с данными под строкой заголовков."))
    for row in rows:
        for column in COLUMNS[kind]:
            row["values"].setdefault(column.key, "")
    return rows


def _looks_like_header(kind: str, cells: list[str]) -> bool:
    mapping = _header_map(kind)
    return sum(1 for cell in cells if _normalize_header(cell) in mapping) >= 2


def _header_keys(kind: str, cells: list[str]) -> list[str | None]:
    mapping = _header_map(kind)
    keys: list[str | None] = []
    problems = []
    for cell in cells:
        normalized = _normalize_header(cell)
        if normalized in IGNORED_HEADERS:
            keys.append(None)
            continue
        key = mapping.get(normalized)
        if key is None:
            problems.append(_("Неизвестный столбец «%(name)s».") % {"name": cell})
        elif key in keys:
            problems.append(_("Столбец «%(name)s» встречается дважды.") % {"name": cell})
        keys.append(key)
    missing = [column.title for column in COLUMNS[kind] if column.required and column.key not in keys]
    if missing:
        problems.append(
            _("В файле нет обязательных столбцов: %(names)s.") % {"names": ", ".join(f"«{m}»" for m in missing)}
        )
    if problems:
        problems.append(_("Первая строка файла должна содержать заголовки столбцов, как в образце."))
        raise ValidationError(problems)
    return keys


# --- sample files -----------------------------------------------------------------------------


def template_file(kind: str, fmt: str) -> bytes:
    """A sample file to fill in: the header row and one example row (CSV for Excel: UTF-8 with BOM, «;»)."""
    columns = COLUMNS[kind]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([column.title for column in columns])
        writer.writerow([column.example for column in columns])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(ImportKind(kind).label)[:31]
    sheet.append([column.title for column in columns])
    example = []
    for column in columns:
        value: object = column.example
        if column.key in ("date_of_birth", "date_from") and column.example:
            value = parse_date(column.example)
        example.append(value)
    sheet.append(example)
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.cell(row=2, column=index).number_format = "DD.MM.YYYY" if column.key.startswith("date") else "@"
        sheet.column_dimensions[get_column_letter(index)].width = max(len(column.title), len(column.example)) + 3
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
