"""Hostile uploads: files built to stall or bloat a worker are refused with a Russian message naming the cap, in
bounded memory, having read no more than the cap (rows counted as the reader hands them over).

The files are generated here: sheets that declare millions of rows cheaply, cells of megabytes of one letter (a few
kilobytes once compressed), zip bombs, XML with a DTD («billion laughs», an external entity), CSV with a huge line,
NUL bytes or another encoding. Memory is measured with tracemalloc (the peak of what Python allocated while reading,
the expat parser included); time is not asserted, rows and bytes read are.
"""

import codecs
import datetime as dt
import io
import struct
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from journal.choices import ImportKind
from journal.models import ImportJob
from journal.services.imports import reading, table
from journal.services.imports.apply import import_upload

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'.encode()
HEADER = ["Фамилия", "Имя", "Дата рождения", "Класс"]
DATA = ["Соколов", "Артём", "12.04.2013", "7А"]
MB = 1024 * 1024


# --- building files -------------------------------------------------------------------------------


def inline(text: str) -> bytes:
    return f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def row(values, number: int | None = None) -> bytes:
    r = f' r="{number}"' if number else ""
    return f"<row{r}>".encode() + b"".join(inline(value) for value in values) + b"</row>"


def repeated(chunk: bytes, times: int, per_write: int = 10_000):
    """``chunk`` ``times`` times, in blocks: the sheet is compressed as a stream, never held whole."""
    block = chunk * per_write
    for _ in range(times // per_write):
        yield block
    yield chunk * (times % per_write)


def xlsx(sheet_chunks=(), *, dimension: str = "", strings: bytes | None = None, replace=None, level: int = 6) -> bytes:
    """A workbook saved by openpyxl whose first sheet's XML is ``sheet_chunks``, written as a compressed stream;
    ``strings`` adds a shared strings part, ``replace`` swaps whole parts."""
    workbook = Workbook()
    workbook.active.append(["x"])
    base = io.BytesIO()
    workbook.save(base)
    replace = dict(replace or {})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            name = info.filename
            if name in replace:
                target.writestr(name, replace.pop(name))
            elif name == SHEET:
                with target.open(SHEET, "w", force_zip64=True) as stream:
                    stream.write(HEAD + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b""))
                    stream.write(b"<sheetData>")
                    for chunk in sheet_chunks:
                        stream.write(chunk)
                    stream.write(b"</sheetData></worksheet>")
            elif name == "[Content_Types].xml" and strings is not None:
                override = f'<Override PartName="/{STRINGS}" ContentType="{STRINGS_TYPE}"/></Types>'.encode()
                target.writestr(name, source.read(name).replace(b"</Types>", override))
            else:
                target.writestr(name, source.read(name))
        if strings is not None:
            target.writestr(STRINGS, strings)
        for name, data in replace.items():
            target.writestr(name, data)
    return out.getvalue()


def shared_strings(*texts: bytes) -> bytes:
    items = b"".join(b"<si><t>" + text + b"</t></si>" for text in texts)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode() + items + b"</sst>"


def declare_size(content: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size in the central directory changed to ``size`` (a lying header)."""
    data = bytearray(content)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, position + 24, size)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 46)
    raise AssertionError(f"{name} not in the zip")


LAUGHS = b"".join(
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">',
        *(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode() for n in range(1, 10)),
        b"]>",
    ]
)
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def with_doctype(part: str, doctype: bytes = LAUGHS) -> bytes:
    """A normal workbook whose ``part`` starts with ``doctype`` (the entities are used in the sheet's cell)."""
    if part == SHEET:
        entity = b"&lol9;" if doctype is LAUGHS else b"&secret;"
        return xlsx(
            replace={
                SHEET: doctype + HEAD[HEAD.index(b"<worksheet") :] + b"<sheetData><row><c t='inlineStr'>"
                b"<is><t>" + entity + b"</t></is></c></row></sheetData></worksheet>"
            }
        )
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(DATA)
    base = io.BytesIO()
    workbook.save(base)
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as source:
        original = source.read(part)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    content = xlsx([row(HEADER), row(DATA)], replace={part: doctype + body})
    return content


# --- measuring ------------------------------------------------------------------------------------


def refusal(file_name: str, content: bytes, limits: reading.Limits = table.LIMITS) -> tuple[str, int, int]:
    """Read the file as the imports do: the refusal's text, the rows handed over before it, the peak of memory."""
    handed = 0
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            for _row in reading.read_rows(file_name, content, limits):
                handed += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return " ".join(error.value.messages), handed, peak


def refused_upload(cast, file_name: str, content: bytes) -> str:
    """The whole upload service refuses the file and writes nothing."""
    before = ImportJob.objects.count()
    with pytest.raises(ValidationError) as error:
        import_upload(
            actor=cast.admin, school=cast.school, kind=ImportKind.PUPILS, file_name=file_name, content=content
        )
    assert ImportJob.objects.count() == before
    return " ".join(error.value.messages)


# --- XLSX: rows ----------------------------------------------------------------------------------------


def test_a_sheet_declaring_two_million_rows_stops_at_the_line_cap(cast):
    # A huge <dimension>, the header, and one row numbered 2,000,000: 5 KB. Read through openpyxl it took 15 s
    # (two million empty rows handed over one by one); now the row number alone is refused.
    content = xlsx([row(HEADER, 1), row(DATA, 2_000_000)], dimension="A1:P2000000")
    assert len(content) < 10_000
    message, handed, peak = refusal("list.xlsx", content)
    assert message == (
        "В файле больше 6000 строк (считая заголовок и пустые строки). Разделите список на части (например, по "
        "параллелям)."
    )
    assert handed <= 1  # the header at most (rows go out chunk by chunk): no empty row is made up for the gap
    assert peak < 2 * MB
    assert refused_upload(cast, "list.xlsx", content) == message


def test_half_a_million_rows_stop_at_the_cap_as_they_are_read():
    # 500,000 short rows: 13 MB of XML (under the part cap) in a ~30 KB file.
    content = xlsx(repeated(b"<row><c><v>1</v></c></row>", 500_000))
    message, handed, peak = refusal("list.xlsx", content)
    assert message.startswith("В файле больше 6000 строк")
    # Rows go out as each 64 KB chunk is parsed: the refusal comes with the chunk that holds row 6001, and the rows
    # of that chunk before it are not handed over.
    assert 5000 < handed <= table.MAX_LINES
    assert peak < 4 * MB


def test_the_people_import_stops_at_5000_data_rows(cast):
    content = xlsx([row(HEADER), *repeated(row(DATA), 6000, per_write=1000)])
    assert refused_upload(cast, "list.xlsx", content).startswith("В файле больше 5000 строк с данными.")


def test_two_million_rows_in_a_small_file_are_refused_before_unpacking(cast):
    # The file: a small XLSX whose sheet unpacks to 52 MB. The zip declares the size; nothing is inflated.
    content = xlsx(repeated(b"<row><c><v>1</v></c></row>", 2_000_000, per_write=100_000), level=1)
    assert len(content) < 1 * MB
    message, handed, peak = refusal("list.xlsx", content)
    assert message.startswith(
        "Файл XLSX внутри слишком большой: часть «xl/worksheets/sheet1.xml» после распаковки занимает 50 МБ, "
        "а можно не больше 16 МБ."
    )
    assert handed == 0 and peak < 1 * MB


def test_rows_out_of_order_are_refused():
    # The same row number over and over would otherwise be read as many rows, or hide a row count past the cap.
    content = xlsx([row(HEADER, 1), *repeated(row(DATA, 2), 1000, per_write=1000)])
    message, handed, _peak = refusal("list.xlsx", content)
    assert "Строки листа идут не по порядку" in message and handed <= 2


# --- XLSX: cells and columns -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10 * MB, 15 * MB])
def test_a_cell_of_megabytes_is_refused_without_being_held(cast, size):
    # 10 or 15 million letters in one inline cell of row 2: about 15 KB compressed. openpyxl held the whole cell.
    content = xlsx(
        [row(HEADER, 1), b'<row r="2"><c t="inlineStr"><is><t>', *repeated(b"a", size, MB), b"</t></is></c></row>"]
    )
    assert len(content) < 40_000
    message, handed, peak = refusal("list.xlsx", content)
    assert message == "Ячейка в строке 2 длиннее 500 символов. Проверьте, тот ли это файл."
    assert handed <= 1
    assert peak < 2 * MB  # the cell is 10–15 MB; only a chunk of it is ever in memory
    assert refused_upload(cast, "list.xlsx", content) == message


def test_a_cell_of_50_megabytes_is_refused_before_unpacking():
    content = xlsx(
        [row(HEADER, 1), b'<row r="2"><c t="inlineStr"><is><t>', *repeated(b"a", 50 * MB, MB), b"</t></is></c></row>"]
    )
    message, handed, peak = refusal("list.xlsx", content)
    assert "после распаковки занимает 50 МБ, а можно не больше 16 МБ" in message
    assert handed == 0 and peak < 1 * MB


def test_a_huge_shared_string_is_refused_where_a_cell_uses_it(cast):
    strings = shared_strings("Фамилия".encode(), b"b" * (10 * MB))
    content = xlsx(
        [
            b'<row r="1"><c t="s"><v>0</v></c>' + inline("Имя") + b"</row>",
            row(DATA, 2),
            b'<row r="3"><c t="s"><v>1</v></c></row>',
        ],
        strings=strings,
    )
    message, handed, peak = refusal("list.xlsx", content)
    assert message == "Ячейка в строке 3 длиннее 500 символов. Проверьте, тот ли это файл."
    assert handed <= 2 and peak < 2 * MB


def test_a_row_of_a_million_cells_stops_at_the_column_cap():
    content = xlsx([row(HEADER, 1), b'<row r="2">', *repeated(b"<c><v>1</v></c>", 1_000_000), b"</row>"])
    message, handed, peak = refusal("list.xlsx", content)
    assert message == "В строке 2 больше 30 столбцов. Уберите лишние столбцы или возьмите за основу образец."
    assert handed <= 1 and peak < 2 * MB


def test_a_sheet_of_millions_of_empty_cells_stops_at_the_tag_cap():
    # No value anywhere, so no other cap applies: the tags are counted before the parser's handlers see them. Small
    # caps keep the test quick: at most 1000 lines × (10 columns × 6 + 2) + 200,000 tags.
    limits = reading.Limits(max_bytes=MB, max_lines=1000, max_columns=10, max_cell=500, max_text=MB)
    content = xlsx([row(HEADER), *repeated(b"<row>" + b"<c/>" * 1000 + b"</row>", 3000, per_write=100)])
    message, _handed, peak = refusal("list.xlsx", content, limits)
    assert message.startswith(
        "Файл XLSX слишком сложный для списка: в части «xl/worksheets/sheet1.xml» больше 262\u00a0000 тегов XML"
    )
    assert peak < 2 * MB


def test_too_much_text_in_all_is_refused():
    # One shared string of 400 letters in every cell of 400 rows × 30 columns: 4.8 million characters from a few KB.
    strings = shared_strings(b"c" * 400)
    full_row = b"<row>" + b'<c t="s"><v>0</v></c>' * 30 + b"</row>"
    content = xlsx([row(HEADER), *repeated(full_row, 400, per_write=100)], strings=strings)
    message, handed, _peak = refusal("list.xlsx", content)
    assert message.startswith("В файле больше 4\u00a0000\u00a0000 символов текста.")
    assert handed < 400


# --- XLSX: what is not a plain workbook ---------------------------------------------------------------------


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"])
def test_a_dtd_is_refused_before_any_entity_is_expanded(cast, part):
    # The «billion laughs»: 10⁹ «lol» from a few hundred bytes. Before: a 500 (expat's amplification limit) or,
    # in the parts openpyxl read quietly, the entity expanded.
    message, handed, peak = refusal("list.xlsx", with_doctype(part))
    assert message.startswith("В файле XLSX есть объявление DTD или сущностей (<!DOCTYPE>, <!ENTITY>)")
    assert handed == 0 and peak < 1 * MB
    assert refused_upload(cast, "list.xlsx", with_doctype(part)) == message


def test_an_external_entity_is_refused(cast):
    message, handed, _peak = refusal("list.xlsx", with_doctype(SHEET, XXE))
    assert message.startswith("В файле XLSX есть объявление DTD") and handed == 0


def test_a_dtd_in_the_shared_strings_is_refused():
    content = xlsx([b'<row><c t="s"><v>0</v></c></row>'], strings=LAUGHS + shared_strings(b"&lol9;").split(b"?>", 1)[1])
    message, _handed, _peak = refusal("list.xlsx", content)
    assert message.startswith("В файле XLSX есть объявление DTD")


def test_a_zip_bomb_is_refused_by_its_declared_size():
    # 100 MB of spaces in the sheet, about 100 KB compressed.
    content = xlsx([row(HEADER), *repeated(b" " * 1000, 100_000, per_write=1000)], level=9)
    assert len(content) < 200_000
    message, handed, peak = refusal("list.xlsx", content)
    assert "после распаковки занимает 95 МБ, а можно не больше 16 МБ" in message
    assert handed == 0 and peak < 1 * MB


def test_a_part_declaring_gigabytes_is_refused_without_reading_it():
    content = declare_size(xlsx([row(HEADER), row(DATA)]), SHEET, 3 * 1024 * MB)
    message, _handed, _peak = refusal("list.xlsx", content)
    assert "после распаковки занимает 3072 МБ" in message


def test_a_part_lying_about_its_size_is_read_no_further_than_it_says():
    # The sheet says 1 KB and holds 5 MB of spaces: zipfile stops at 1 KB and its CRC check fails.
    content = declare_size(xlsx([row(HEADER), row(DATA), *repeated(b" " * 1000, 5000, per_write=1000)]), SHEET, 1024)
    message, handed, peak = refusal("list.xlsx", content)
    assert message.startswith("Файл XLSX повреждён и не читается.")
    assert handed <= 2 and peak < 1 * MB


def test_other_compression_methods_are_refused():
    base = xlsx([row(HEADER), row(DATA)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            method = zipfile.ZIP_BZIP2 if info.filename == SHEET else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, source.read(info.filename), compress_type=method)
    message, _handed, _peak = refusal("list.xlsx", out.getvalue())
    assert message == "Файл не похож на книгу Excel (XLSX). Сохраните его в Excel как «Книга Excel»."


def test_a_password_protected_or_old_excel_file_is_explained():
    message, _handed, _peak = refusal("list.xlsx", reading.OLE_SIGNATURE + b"\x00" * 2000)
    assert message.startswith("Файл защищён паролем или сохранён в старом формате Excel 97–2003 (XLS).")


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 broken", xlsx([b"<row><c><v>1</v></row>"]), xlsx([b'<row><c t="s"><v>7</v></c></row>'])],
    ids=["not-a-zip", "bad-xml", "missing-string"],
)
def test_damaged_workbooks_are_refused_with_a_message(content):
    message, _handed, _peak = refusal("list.xlsx", content)
    assert message.startswith(("Файл не похож на книгу Excel", "Файл XLSX повреждён"))


# --- CSV ---------------------------------------------------------------------------------------------------

CSV_HEADER = ";".join(HEADER).encode() + b"\n"


def test_a_csv_over_the_size_cap_is_refused_before_reading(cast):
    content = CSV_HEADER + b"a" * (10 * MB) + b";b;c;d\n"
    message, handed, peak = refusal("list.csv", content)
    assert message == (
        "Файл слишком большой (10 МБ): можно не больше 5 МБ. Разделите список на части (например, по параллелям)."
    )
    assert handed == 0 and peak < 1 * MB


def test_a_csv_line_of_megabytes_is_refused_at_its_first_cell(cast):
    message, handed, peak = refusal("list.csv", CSV_HEADER + b"a" * (4 * MB) + b";b;c;d\n")
    assert message == "Ячейка в строке 2 длиннее 500 символов. Проверьте, тот ли это файл."
    assert handed <= 1
    assert peak < 2 * MB  # the file is 4 MB; reading it keeps a line's worth at most (the decoded file is never made)


def test_a_csv_line_of_millions_of_columns_is_refused():
    message, handed, peak = refusal("list.csv", CSV_HEADER + b";" * (4 * MB) + b"\n")
    assert message == "В строке 2 больше 30 столбцов. Уберите лишние столбцы или возьмите за основу образец."
    assert handed <= 1 and peak < 2 * MB


def test_a_quoted_cell_that_never_ends_is_refused():
    # An opening quote makes the rest of the file one cell, line after line.
    message, handed, peak = refusal("list.csv", CSV_HEADER + b'"' + b"a;b;c;d\n" * 400_000)
    assert message.startswith(("Ячейка в строке 2 длиннее", "В строке 2 больше"))
    assert handed <= 1 and peak < 2 * MB


def test_csv_lines_past_the_cap_are_refused():
    message, handed, _peak = refusal("list.csv", CSV_HEADER + b"\n" * 10_000)
    assert message.startswith("В файле больше 6000 строк")
    assert handed == table.MAX_LINES


def test_nul_bytes_are_refused(cast):
    content = CSV_HEADER + "Иванов\x00;Иван;01.01.2013;7А\n".encode()
    message = refused_upload(cast, "list.csv", content)
    assert message.startswith("В строке 2 есть нулевые байты: это не текстовый файл CSV")


def test_utf16_with_a_byte_order_mark_is_read():
    # Excel's «Текст Юникод»: UTF-16 with a BOM, tab-separated.
    content = ("\t".join(HEADER) + "\n" + "\t".join(DATA) + "\n").encode("utf-16")
    assert list(reading.read_rows("list.csv", content, table.LIMITS)) == [HEADER, DATA]


def test_utf16_without_a_byte_order_mark_is_explained():
    content = ("\t".join(HEADER) + "\n").encode("utf-16-le")
    message, _handed, _peak = refusal("list.csv", content)
    assert "нулевые байты" in message and "UTF-16" in message


def test_text_in_no_known_encoding_is_refused():
    # 0x98 is the one byte Windows-1251 does not define, and it is not UTF-8 either.
    message, _handed, _peak = refusal("list.csv", CSV_HEADER + b"\x98\x98;b;c;d\n")
    assert message == "Не удалось прочитать текст файла. Сохраните его как CSV в кодировке UTF-8 или Windows-1251."


def test_a_binary_file_named_csv_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10
    message, _handed, _peak = refusal("list.csv", png)
    assert "нулевые байты" in message or "Не удалось прочитать текст" in message


def test_utf8_with_bom_is_still_read():
    content = codecs.BOM_UTF8 + CSV_HEADER + ";".join(DATA).encode() + b"\n"
    assert list(reading.read_rows("list.csv", content, table.LIMITS)) == [HEADER, DATA]


# --- the reader reads what openpyxl read ---------------------------------------------------------------------


def openpyxl_rows(content: bytes) -> list[list[str]]:
    """What the import read before: openpyxl's read-only values through ``cell_text``, trailing blanks trimmed."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = []
    for values in sheet.iter_rows(max_col=30, values_only=True):
        cells = [reading.cell_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    workbook.close()
    while rows and not rows[-1]:
        rows.pop()
    return rows


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904])
def test_values_read_as_openpyxl_read_them(epoch):
    workbook = Workbook()
    if epoch is not None:
        workbook.epoch = epoch
    sheet = workbook.active
    sheet.append(["Фамилия", "  много   пробелов ", "a\xa0b", None, "x"])
    sheet.append([dt.date(2013, 4, 12), dt.datetime(2013, 4, 12, 10, 30), dt.time(10, 30), 79123456789, 1.5])
    sheet.append([True, False, 0, -3, 1e20])
    sheet["C6"] = "после пустых строк"
    sheet["B7"] = dt.timedelta(hours=30)
    sheet["A8"] = "=1+1"  # a formula without a stored value reads as empty (data only)
    for ref, value, number_format in (
        ("E9", 45000, "DD.MM.YYYY"),
        ("F9", 45000.5, "yyyy-mm-dd hh:mm"),
        ("G9", "01.02.2013", "@"),
    ):
        sheet[ref] = value
        sheet[ref].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    ours = list(reading.read_rows("list.xlsx", content, table.LIMITS))
    assert ours == openpyxl_rows(content)
    assert ours[1][:2] == (["12.04.2013", "12.04.2013 10:30"])


def test_shared_and_rich_strings_read_as_openpyxl_read_them():
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>Фамилия</t></si>'
        '<si><r><rPr><b/></rPr><t>Ива</t></r><r><t xml:space="preserve">нов  </t></r>'
        '<rPh sb="0" eb="1"><t>phonetic</t></rPh></si><si><t>a_x005F_b</t></si></sst>'
    ).encode()
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="3"><c t="s"><v>2</v></c>'
        '<c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>Фамилия</v></c></row>'
    ).encode()
    content = xlsx([sheet], strings=strings)
    ours = list(reading.read_rows("list.xlsx", content, table.LIMITS))
    assert ours == openpyxl_rows(content)
    assert ours == [["Фамилия", "", "Иванов"], [], ["a_b", "True", "#N/A", "Фамилия"]]


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_upload_page_shows_the_refusal_instead_of_failing(client, cast):
    client.force_login(cast.admin)
    for name, content, text in (
        ("list.xlsx", with_doctype(SHEET), "объявление DTD"),
        ("list.xlsx", xlsx([row(HEADER, 1), row(DATA, 2_000_000)]), "больше 6000 строк"),
        ("list.csv", CSV_HEADER + b"a" * MB + b"\n", "длиннее 500 символов"),
    ):
        response = client.post(
            reverse("journal:import_upload"), {"kind": ImportKind.PUPILS, "file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 200 and text in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_page_states_the_caps(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("journal:import_upload")).content.decode()
    assert "до 5 МБ" in page and "5000 строк" in page and "30 столбцов" in page and "500 символов" in page
