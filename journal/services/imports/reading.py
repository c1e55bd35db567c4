"""Reading an uploaded table, CSV or XLSX, as a stream of rows of text that stops at the first cap it passes.

Every upload of a table comes through ``read_rows``: the lists of pupils and staff
(``journal.services.imports.table``) and the КТП (``journal.services.plan``), each with its ``Limits``. Nothing is
ever read whole: the file's size is checked before anything else; then CSV is decoded and split line by line, and
XLSX — a zip of XML parts — is unpacked part by part in chunks through expat, with our own handlers, so that

- a line (or sheet row) past ``max_lines``, a cell longer than ``max_cell``, a value in a column past
  ``max_columns`` and more than ``max_text`` characters in all are refused as soon as they are met, with the line
  named; a sheet that declares two million rows cheaply (a huge ``<dimension>``, a row numbered 2,000,000, rows
  repeated by a tiny compressed stream) stops at the cap, and a 50 MB cell is never held in memory;
- a part is unpacked only if the zip declares it at most ``MAX_PART_BYTES`` and stores it plainly or deflated:
  ``zipfile`` never returns more than the declared size (a part that lies about it fails its CRC), so a zip bomb
  is refused before it is inflated;
- an XML part with a DTD is refused at its ``<!DOCTYPE``, before any entity is declared or expanded (the «billion
  laughs», external entities): Excel never writes one.

openpyxl is not used to read uploads: its read-only mode still parses a whole sheet to find its size when the
sheet does not state it, and builds each row before handing it over. We use its helpers for what a value means
(date formats, Excel serial dates), so a cell reads as it did through openpyxl. Nothing here looks at the school
or writes; every refusal is a ``ValidationError`` in Russian.
"""

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ...dates import safe_int

DATE_FORMAT = "%d.%m.%Y"
CHUNK = 64 * 1024
# An XLSX part is unpacked only up to this size: a school's 5,000 pupils with their parents are about 4 MB of sheet
# XML with inline strings (as openpyxl writes them), less with shared strings (as Excel does).
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
# Tags read from a part other than the sheet and its strings (Excel allows 64,000 cell styles). The sheet's own cap
# follows from the limits (``_Workbook.max_tags``); the tags bound the time a part takes, ~1 s for the largest.
MAX_OTHER_TAGS = 200_000
MAX_SHEET_COLUMN = 16_384  # Excel's last column, XFD
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # XLS of Excel 97–2003, and any XLSX saved with a password
DELIMITERS = (";", ",", "\t")
PEEK_LINES = 8  # lines a caller sees to choose the CSV delimiter


@dataclass(frozen=True)
class Limits:
    """The caps of one kind of upload; each is checked while the file is read."""

    max_bytes: int  # the uploaded file
    max_lines: int  # lines (sheet rows) read, the header, titles and empty lines included
    max_columns: int  # columns that may hold a value
    max_cell: int  # characters in one cell
    max_text: int  # characters in all cells together
    advice: str = ""  # added to the refusal of a file too big or too long, e.g. «Разделите список на части.»


def read_rows(
    file_name: str, content: bytes, limits: Limits, choose_delimiter: Callable[[list[str]], str] | None = None
) -> Iterator[list[str]]:
    """The file's lines as lists of cell texts, from line 1: an empty line is ``[]``, trailing empty cells are left
    out, a cell's spaces are collapsed (``cell_text``). XLSX: the first worksheet, its rows numbered as Excel shows
    them. CSV: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1251; the delimiter is Excel's «sep=» line if
    the file starts with one (that line is not counted), else ``choose_delimiter(first lines)``.

    Raises ValidationError (Russian) for a file of another kind or past a cap, as soon as the cap is passed.
    """
    if len(content) > limits.max_bytes:
        raise ValidationError(
            _join(
                _("Файл слишком большой (%(size)s): можно не больше %(max)s.")
                % {"size": _megabytes(len(content)), "max": _megabytes(limits.max_bytes)},
                limits.advice,
            )
        )
    if file_name.lower().endswith(".xlsx"):
        return _xlsx_rows(content, limits)
    return _csv_rows(content, limits, choose_delimiter or most_frequent_delimiter)


def cell_text(value: object) -> str:
    """A cell's value as the text the checks read: dates as ДД.ММ.ГГГГ, whole numbers without «.0», spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMAT) if value.time() == dt.time(0) else value.strftime(f"{DATE_FORMAT} %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed into a number cell
    return " ".join(str(value).replace("\xa0", " ").split())


def most_frequent_delimiter(lines: list[str]) -> str:
    """The delimiter used most in the first filled line (the header), «;» when it has none."""
    header = next((line for line in lines if line.strip()), "")
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    return max(counts, key=counts.get) if any(counts.values()) else ";"


# --- refusals ------------------------------------------------------------------------------------------


def _join(*parts: str) -> str:
    return " ".join(str(part) for part in parts if part)


def _number(value: int) -> str:
    """Digits grouped by three from 10,000 on, as Russian text writes them («6000», «4 000 000»)."""
    return f"{value:,}".replace(",", "\u00a0") if value >= 10_000 else str(value)


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    text = f"{megabytes:.0f}" if megabytes >= 10 else f"{megabytes:.1f}".removesuffix(".0").replace(".", ",")
    return _("%(n)s МБ") % {"n": text}


def too_many_lines(limits: Limits) -> ValidationError:
    return ValidationError(
        _join(
            _("В файле больше %(max)s строк (считая заголовок и пустые строки).") % {"max": _number(limits.max_lines)},
            limits.advice,
        )
    )


def cell_too_long(line: int, limits: Limits) -> ValidationError:
    return ValidationError(
        _("Ячейка в строке %(line)s длиннее %(max)s символов. Проверьте, тот ли это файл.")
        % {"line": line, "max": _number(limits.max_cell)}
    )


def too_many_columns(line: int, limits: Limits) -> ValidationError:
    return ValidationError(
        _("В строке %(line)s больше %(max)s столбцов. Уберите лишние столбцы или возьмите за основу образец.")
        % {"line": line, "max": limits.max_columns}
    )


def too_much_text(limits: Limits) -> ValidationError:
    return ValidationError(
        _join(
            _("В файле больше %(max)s символов текста.") % {"max": _number(limits.max_text)},
            limits.advice,
        )
    )


def too_many_strings(most: int) -> ValidationError:
    return ValidationError(
        _("В книге больше %(max)s разных значений ячеек: оставьте в ней только лист со списком.")
        % {"max": _number(most)}
    )


def too_complex(part: str, max_tags: int) -> ValidationError:
    return ValidationError(
        _(
            "Файл XLSX слишком сложный для списка: в части «%(part)s» больше %(max)s тегов XML (ячеек, строк, "
            "оформления). Скопируйте нужные строки и столбцы в новую книгу и сохраните её."
        )
        % {"part": part, "max": _number(max_tags)}
    )


def _not_a_workbook() -> ValidationError:
    return ValidationError(_("Файл не похож на книгу Excel (XLSX). Сохраните его в Excel как «Книга Excel»."))


def _damaged(detail: str = "") -> ValidationError:
    message = _("Файл XLSX повреждён и не читается. Откройте его в Excel и сохраните заново как «Книга Excel».")
    return ValidationError(_join(message, detail))


# --- CSV -----------------------------------------------------------------------------------------------


def _text_encoding(content: bytes) -> str:
    """The encoding of a CSV: a BOM says it, else UTF-8 if the whole file decodes, else Windows-1251 (Excel in
    Russia). Checked in chunks, without decoding the file into one string."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's «Текст Юникод»
    for encoding in ("utf-8", "cp1251"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), CHUNK):
                decoder.decode(content[start : start + CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValidationError(
        _("Не удалось прочитать текст файла. Сохраните его как CSV в кодировке UTF-8 или Windows-1251.")
    )


def _csv_rows(content: bytes, limits: Limits, choose_delimiter: Callable[[list[str]], str]) -> Iterator[list[str]]:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=_text_encoding(content), newline="")
    # The longest line a file within the caps can have: every column filled to the cap, each quote doubled.
    max_line = limits.max_columns * (2 * limits.max_cell + 3)
    delimiter: list[str] = []  # set once chosen: the message about a too long line looks at it
    # Characters read since the last row was handed over: a quoted cell may run over several lines, but one row is
    # never longer than one line may be (else a row could gather millions of cells).
    pending = [0]
    # Rows handed over so far; a message names the row being read (a row is one line unless a quoted cell spans
    # several), or the line while the first lines are peeked at.
    handed: list[int | None] = [None]

    def lines() -> Iterator[str]:
        count = 0
        first = True
        while line := stream.readline(max_line + 1):
            if first:
                first = False
                if line.lower().startswith("sep=") and len(line.rstrip("\r\n")) == 5:
                    delimiter.append(line[4])  # Excel's hint line; Excel hides it, so it is not counted
                    continue
            count += 1
            number = count if handed[0] is None else handed[0] + 1
            if count > limits.max_lines:
                raise too_many_lines(limits)
            pending[0] += len(line)
            if len(line) > max_line or pending[0] > max_line:
                raise _long_line(line, number, limits, delimiter[0] if delimiter else None)
            if "\x00" in line:
                raise ValidationError(
                    _(
                        "В строке %(line)s есть нулевые байты: это не текстовый файл CSV (или он в кодировке UTF-16 "
                        "без метки). Сохраните таблицу как CSV в кодировке UTF-8 или Windows-1251, или как XLSX."
                    )
                    % {"line": number}
                )
            yield line

    source = lines()
    peeked = list(itertools.islice(source, PEEK_LINES))
    pending[0] = 0
    handed[0] = 0
    if not delimiter:
        delimiter.append(choose_delimiter([line.rstrip("\r\n") for line in peeked]))
    reader = csv.reader(itertools.chain(peeked, source), delimiter=delimiter[0])
    text = 0
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            pending[0] = 0
            if any(cell.strip() for cell in cells[limits.max_columns :]):
                raise too_many_columns(line, limits)
            row = []
            for cell in cells[: limits.max_columns]:
                if len(cell) > limits.max_cell:
                    raise cell_too_long(line, limits)
                row.append(cell_text(cell))
            text += sum(len(cell) for cell in row)
            if text > limits.max_text:
                raise too_much_text(limits)
            while row and not row[-1]:
                row.pop()
            handed[0] = line
            yield row
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # a quoted cell that runs over many lines
            raise cell_too_long(line + 1, limits) from None
        raise ValidationError(
            _("Файл CSV повреждён в строке %(line)s (%(error)s). Проверьте кавычки в этой строке.")
            % {"line": line + 1, "error": error}
        ) from None


def _long_line(line: str, number: int, limits: Limits, delimiter: str | None) -> ValidationError:
    """Why a line is longer than any line within the caps: a long cell, or too many columns."""
    if delimiter is None:
        delimiter = max(DELIMITERS, key=line.count)
    if line.count(delimiter) >= limits.max_columns:
        return too_many_columns(number, limits)
    return cell_too_long(number, limits)


# --- XLSX ----------------------------------------------------------------------------------------------

CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class _Refused(Exception):
    """Raised inside an expat handler; carries the refusal out of ``Parse``."""

    def __init__(self, error: ValidationError) -> None:
        self.error = error


@functools.cache
def _local(name: str) -> str:
    """A tag's or attribute's name without its namespace prefix («x:row» → «row»)."""
    return name.rpartition(":")[2]


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list[str]]:
    if content.startswith(OLE_SIGNATURE):
        raise ValidationError(
            _(
                "Файл защищён паролем или сохранён в старом формате Excel 97–2003 (XLS). Откройте его в Excel и "
                "сохраните как «Книга Excel» (XLSX) без пароля."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _not_a_workbook() from None
    with archive:
        if len(archive.infolist()) > MAX_ZIP_ENTRIES:
            raise _damaged()
        try:
            book = _Workbook(archive, limits)
            yield from book.rows()
        except _Refused as refused:
            raise refused.error from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,
            NotImplementedError,
            ValueError,
            IndexError,
            OverflowError,
            expat.ExpatError,
        ):
            # A part that lies about its size (its CRC fails), XML that is not well formed, a reference to a
            # string or a part that is not there: all mean a damaged file.
            raise _damaged() from None


class _Workbook:
    """The parts of an XLSX that the first sheet's values need: where they are, the shared strings, the date styles."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        # A cell within the caps takes at most 6 tags (<c><is><t>…</t></is></c>); a row 2 more.
        self.max_tags = limits.max_lines * (limits.max_columns * 6 + 2) + MAX_OTHER_TAGS
        workbook = self._target(self._relationships(""), "officeDocument") or "xl/workbook.xml"
        self.sheet, self.epoch_1904 = self._first_sheet(workbook)
        parts = self._relationships(workbook)
        # Where openpyxl looks for them: the shared strings by their content type, the styles at their usual place.
        strings = self._part_of_type(SHARED_STRINGS_TYPE) or self._target(parts, "sharedStrings")
        self.strings = self._shared_strings(strings)
        self.date_styles, self.timedelta_styles = self._date_styles(self._target(parts, "styles") or "xl/styles.xml")

    # -- parts --

    def open(self, name: str) -> IO[bytes]:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise _Refused(_damaged(_("В нём нет части «%(part)s».") % {"part": name})) from None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise _Refused(_not_a_workbook())
        if info.file_size > MAX_PART_BYTES:
            raise _Refused(
                ValidationError(
                    _(
                        "Файл XLSX внутри слишком большой: часть «%(part)s» после распаковки занимает %(size)s, а "
                        "можно не больше %(max)s. Такой файл не похож на список; сохраните в новой книге только "
                        "нужный лист."
                    )
                    % {"part": name, "size": _megabytes(info.file_size), "max": _megabytes(MAX_PART_BYTES)}
                )
            )
        return self.archive.open(info)

    def parse(self, name: str, start, end=None, text=None, max_tags: int = MAX_OTHER_TAGS) -> Iterator[None]:
        """Feed the part to expat chunk by chunk, yielding after each chunk (the handlers collect what they need).

        A DTD is refused where it starts, before any entity is declared. The tags of each chunk are counted (in C)
        before our handlers see them: past ``max_tags`` the part is refused, so the time a part takes is bounded by
        its kind, not by the 16 MB it may unpack to."""
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        read = tags = 0
        with self.open(name) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > MAX_PART_BYTES:  # zipfile stops at the declared size; this guards it anyway
                    raise _damaged()
                tags += chunk.count(b"<")
                if tags > max_tags:
                    raise _Refused(too_complex(name, max_tags))
                parser.Parse(chunk, False)
                yield
        parser.Parse(b"", True)
        yield

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target path in the zip). The package's own for ``part=""``."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", f"{base}.rels")
        found: dict[str, tuple[str, str]] = {}
        if name not in self.archive.NameToInfo:
            return found

        def start(tag: str, attrs: dict) -> None:
            if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))
                if len(found) > MAX_ZIP_ENTRIES:
                    raise _Refused(_damaged())

        for _chunk in self.parse(name, start):
            pass
        return found

    def _part_of_type(self, content_type: str) -> str | None:
        """The first part the package's manifest gives this content type."""
        found: list[str] = []
        if CONTENT_TYPES not in self.archive.NameToInfo:
            return None

        def start(tag: str, attrs: dict) -> None:
            if not found and _local(tag) == "Override" and attrs.get("ContentType") == content_type:
                found.append(attrs.get("PartName", "").lstrip("/"))

        for _chunk in self.parse(CONTENT_TYPES, start):
            pass
        return found[0] if found else None

    @staticmethod
    def _target(relationships: dict[str, tuple[str, str]], kind: str) -> str | None:
        return next((target for type_, target in relationships.values() if type_.endswith(f"/{kind}")), None)

    def _first_sheet(self, workbook: str) -> tuple[str, bool]:
        """The first worksheet in the workbook's order (a chart sheet is not one), and whether dates count from 1904."""
        sheet_ids: list[str] = []
        epoch_1904 = False

        def start(tag: str, attrs: dict) -> None:
            nonlocal epoch_1904
            name = _local(tag)
            if name == "sheet":
                # The relationship id is the attribute «id» of the relationships namespace, whatever its prefix.
                sheet_ids.append(next((v for k, v in attrs.items() if ":" in k and _local(k) == "id"), ""))
                if len(sheet_ids) > MAX_ZIP_ENTRIES:
                    raise _Refused(_damaged())
            elif name == "workbookPr":
                epoch_1904 = attrs.get("date1904", "").lower() in ("1", "true")

        for _chunk in self.parse(workbook, start):
            pass
        relationships = self._relationships(workbook)
        for sheet_id in sheet_ids:
            type_, target = relationships.get(sheet_id, ("", ""))
            if type_.endswith("/worksheet"):
                return target, epoch_1904
        raise _Refused(_damaged(_("В книге нет ни одного листа с таблицей.")))

    def _shared_strings(self, name: str | None) -> list[str | None]:
        """The shared strings; one longer than a cell may be is kept as None (its text is never held)."""
        strings: list[str | None] = []
        if name is None:
            return strings
        limits = self.limits
        most = limits.max_lines * limits.max_columns
        pieces: list[str] = []
        state = {"length": 0, "in_rph": 0, "collect": False, "text": 0}

        def start(tag: str, attrs: dict) -> None:
            name = _local(tag)
            if name == "si":
                pieces.clear()
                state["length"] = 0
            elif name == "rPh":
                state["in_rph"] += 1  # phonetic hints are not the text
            elif name == "t" and not state["in_rph"]:
                state["collect"] = True

        def end(tag: str) -> None:
            name = _local(tag)
            if name == "si":
                long = state["length"] > limits.max_cell
                strings.append(None if long else "".join(pieces).replace("x005F_", ""))
                if len(strings) > most:
                    raise _Refused(too_many_strings(most))
                state["text"] += 0 if long else state["length"]
                if state["text"] > limits.max_text:
                    raise _Refused(too_much_text(limits))
            elif name == "rPh":
                state["in_rph"] -= 1
            elif name == "t":
                state["collect"] = False

        def text(data: str) -> None:
            if state["collect"]:
                state["length"] += len(data)
                if state["length"] <= limits.max_cell:
                    pieces.append(data)

        for _chunk in self.parse(name, start, end, text, max_tags=self.max_tags):
            pass
        return strings

    def _date_styles(self, name: str | None) -> tuple[set[int], set[int]]:
        """The cell styles (indexes of cellXfs) that show a number as a date or as a duration, as openpyxl reads them."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if name is None or name not in self.archive.NameToInfo:
            return set(), set()
        custom: dict[int, str] = {}
        formats: list[int] = []
        state = {"in_cell_xfs": False}

        def start(tag: str, attrs: dict) -> None:
            name = _local(tag)
            if name == "numFmt":
                custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                state["in_cell_xfs"] = True
            elif name == "xf" and state["in_cell_xfs"]:
                formats.append(int(attrs.get("numFmtId", 0)))

        def end(tag: str) -> None:
            if _local(tag) == "cellXfs":
                state["in_cell_xfs"] = False

        for _chunk in self.parse(name, start, end):
            pass
        dates, durations = set(), set()
        for index, format_id in enumerate(formats):
            code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
        return dates, durations

    # -- the sheet --

    def rows(self) -> Iterator[list[str]]:
        """The first sheet's rows, each handed over as soon as the chunk that ends it has been read."""
        limits = self.limits
        done: list[list[str]] = []
        row: list[str] = []
        pieces: list[str] = []
        cell = {"type": "n", "style": 0, "column": 0, "length": 0}
        state = {"row": 0, "column": 0, "collect": False, "inline": False, "in_rph": 0, "text": 0}

        def start(tag: str, attrs: dict) -> None:
            name = _local(tag)
            if name == "c":
                reference = attrs.get("r")
                column = _column(reference) if reference else None
                column = column if column is not None else state["column"] + 1
                if column <= state["column"] or column > MAX_SHEET_COLUMN:
                    raise _Refused(_damaged())
                state["column"] = column
                cell.update(type=attrs.get("t", "n"), style=int(attrs.get("s") or 0), column=column, length=0)
                pieces.clear()
            elif name == "v":
                state["collect"] = cell["type"] != "inlineStr"
            elif name == "is":
                state["inline"] = True
            elif name == "rPh":
                state["in_rph"] += 1
            elif name == "t" and state["inline"] and not state["in_rph"]:
                state["collect"] = True
            elif name == "row":
                number = attrs.get("r", "")
                number = safe_int(number, minimum=1) or state["row"] + 1
                if number <= state["row"]:
                    raise _Refused(_damaged(_("Строки листа идут не по порядку.")))
                if number > limits.max_lines:
                    raise _Refused(too_many_lines(limits))
                done.extend([] for _missing in range(state["row"] + 1, number))  # rows the file leaves out
                state["row"], state["column"] = number, 0
                row.clear()

        def end(tag: str) -> None:
            name = _local(tag)
            if name in ("v", "t"):
                state["collect"] = False
            elif name == "is":
                state["inline"] = False
            elif name == "rPh":
                state["in_rph"] -= 1
            elif name == "c":
                value = self._value(cell, pieces, state["row"]) if pieces else ""
                if value:
                    if cell["column"] > limits.max_columns:
                        raise _Refused(too_many_columns(state["row"], limits))
                    state["text"] += len(value)
                    if state["text"] > limits.max_text:
                        raise _Refused(too_much_text(limits))
                    row.extend([""] * (cell["column"] - 1 - len(row)))
                    row.append(value)
            elif name == "row":
                done.append(list(row))

        def text(data: str) -> None:
            if state["collect"]:
                cell["length"] += len(data)
                if cell["length"] > limits.max_cell:
                    raise _Refused(cell_too_long(state["row"], limits))
                pieces.append(data)

        for _chunk in self.parse(self.sheet, start, end, text, max_tags=self.max_tags):
            yield from done
            done.clear()

    def _value(self, cell: dict, pieces: list[str], line: int) -> str:
        """The cell's text as openpyxl's value of it would read through ``cell_text`` (data only, no formulas)."""
        raw = "".join(pieces)
        kind = cell["type"]
        if kind == "inlineStr" or kind in ("str", "e"):
            return cell_text(raw or None)
        if not raw:
            return ""
        if kind == "s":
            text = self.strings[int(raw)]
            if text is None:
                raise _Refused(cell_too_long(line, self.limits))
            return cell_text(text)
        if kind == "b":
            return cell_text(bool(int(raw)))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return cell_text(from_ISO8601(raw))
        number = float(raw) if re.search(r"[.eE]", raw) else int(raw)
        if cell["style"] in self.date_styles:
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel

            epoch = CALENDAR_MAC_1904 if self.epoch_1904 else WINDOWS_EPOCH
            try:
                return cell_text(from_excel(number, epoch, timedelta=cell["style"] in self.timedelta_styles))
            except (OverflowError, ValueError):
                return "#VALUE!"
        return cell_text(number)


def _refuse_dtd(*args) -> None:
    raise _Refused(
        ValidationError(
            _(
                "В файле XLSX есть объявление DTD или сущностей (<!DOCTYPE>, <!ENTITY>): Excel таких файлов не "
                "создаёт, а через них файл может раздуться при чтении или прочитать чужие данные, поэтому он не "
                "принимается. Откройте его в Excel и сохраните заново как «Книга Excel»."
            )
        )
    )


COLUMN_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d*$")


def _column(reference: str) -> int | None:
    """The column number of a cell reference («C7» → 3); None when the cell has none."""
    match = COLUMN_RE.match(reference)
    if match is None:
        return None
    number = 0
    for letter in match.group(1).upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
