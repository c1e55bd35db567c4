"""Сводная ведомость учёта успеваемости as a document: a section per class, pupils × subjects with the period,
year, exam and final marks under each subject.

The XLSX is the generic table (a sheet per class, the subjects as grouped headers, marks as numbers); the screen and
the PDF have their own templates, fed with rows prepared here (the cell markup stays trivial: CONVENTIONS.md).
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from journal.models import PeriodMarkKind

from ..selectors.summary_sheet import EXEMPT, ClassSheet, MarkKey, SheetPupil, SummarySheets
from .document import Cell, Column, Document, Section, Table

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
LOW_MARKS = {"1", "2", "нз"}
# A4 landscape (297 mm) less the margins (16 mm), the number (5 mm), the name (40 mm) and the note (19 mm).
MARKS_WIDTH_MM = 297 - 16 - 5 - 40 - 19
DENSE_COLUMNS = 90


@dataclass
class SheetRow:
    number: int
    name: str
    note: str
    cells: list[tuple[str, str]]  # (text, css class) per mark column
    left: bool = False

    @property
    def cells_html(self) -> SafeString:
        """The marks' cells as HTML, joined here: a template loop over a school's 80 000 cells is too slow."""
        return mark_safe(
            "".join(
                f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"
                for text, css in self.cells
            )
        )


@dataclass
class SheetSection(Section):
    """A class's sheet: the section the XLSX writes, with what the screen and the PDF print around the table."""

    class_name: str = ""
    class_teacher: str = ""
    director: str = ""
    year_name: str = ""
    mark_width: str = ""  # the PDF's width of a mark column (A4 landscape shared among the marks)
    dense: bool = False  # many columns: the PDF prints the marks smaller
    subjects: list[tuple[str, int]] = field(default_factory=list)  # (subject, sub-columns), the header's first row
    subtitles: list[str] = field(default_factory=list)  # the header's second row
    sheet_rows: list[SheetRow] = field(default_factory=list)


def key_title(key: MarkKey, sheet: ClassSheet) -> str:
    kind, period_id = key
    if kind == PeriodMarkKind.PERIOD:
        number = next((p.number for p in sheet.periods if p.pk == period_id), 0)
        return ROMAN.get(number, str(number))
    return {PeriodMarkKind.YEAR: _("Г"), PeriodMarkKind.EXAM: _("Э"), PeriodMarkKind.FINAL: _("И")}[kind]


def movement_note(pupil: SheetPupil) -> str:
    """«прибыл(а) ДД.ММ.ГГГГ» / «выбыл(а) ДД.ММ.ГГГГ» (the last day in the class), by the pupil's sex."""

    def word(male: str, female: str, either: str) -> str:
        return male if pupil.sex == "m" else female if pupil.sex == "f" else either

    parts = []
    if pupil.arrived_on:
        parts.append(f"{word(_('прибыл'), _('прибыла'), _('прибыл(а)'))} {pupil.arrived_on:%d.%m.%Y}")
    if pupil.left_on:
        parts.append(f"{word(_('выбыл'), _('выбыла'), _('выбыл(а)'))} {pupil.left_on:%d.%m.%Y}")
    return "; ".join(parts)


def _typed(value: str):
    """A mark for the XLSX: 1–5 as numbers; «зч», «нз», «осв.» as text."""
    return int(value) if value.isdigit() else value


def _css(value: str) -> str:
    if value in LOW_MARKS:
        return "text-danger fw-semibold"
    if value == EXEMPT:
        return "text-secondary fst-italic"
    return ""


def class_section(sheet: ClassSheet, director: str, year_name: str = "") -> SheetSection:
    keys = sheet.keys
    columns = [Column(_("№"), "int", width=4), Column(_("Учащийся"), width=34)]
    subtitles = [key_title(key, sheet) for key in keys]
    for subject in sheet.subjects:
        for index, title in enumerate(subtitles):
            group = (subject.label, len(keys)) if index == 0 else None
            # Marks are numbers in the XLSX (1–5) or text (зч, нз, осв.): no number format to set on each cell.
            columns.append(Column(title, width=4, group=group))
    columns.append(Column(_("Примечание"), width=24))
    table = Table(columns=columns, empty=_("В классе не было учащихся в этом учебном году."))
    rows = []
    for pupil in sheet.pupils:
        note = movement_note(pupil)
        values = [pupil.value(subject.pk, key) for subject in sheet.subjects for key in keys]
        table.rows.append(
            [
                pupil.number,
                pupil.name,
                *(Cell(_typed(value), css=_css(value)) if value else None for value in values),
                note,
            ]
        )
        rows.append(
            SheetRow(pupil.number, pupil.name, note, [(value, _css(value)) for value in values], bool(pupil.left_on))
        )
    class_name = str(sheet.school_class)
    return SheetSection(
        title=class_name,
        tables=[table],
        notes=[_("Классный руководитель: %(name)s") % {"name": sheet.class_teacher or "—"}],
        class_name=class_name,
        class_teacher=sheet.class_teacher,
        director=director,
        year_name=year_name,
        mark_width=f"{max(MARKS_WIDTH_MM / max(len(subtitles) * len(sheet.subjects), 1), 1.5):.2f}mm",
        dense=len(subtitles) * len(sheet.subjects) > DENSE_COLUMNS,
        subjects=[(subject.label, len(keys)) for subject in sheet.subjects],
        subtitles=subtitles * len(sheet.subjects),
        sheet_rows=rows,
    )


def _definitions(figures: SummarySheets) -> list[str]:
    kinds = sorted({p.get_kind_display() for sheet in figures.sheets for p in sheet.periods})
    return [
        _("Под каждым предметом: I, II, III, IV — отметки за учебные периоды (%(kinds)s, по настройкам параллели); "
          "Г — годовая, Э — экзаменационная, И — итоговая отметка (Э и И — в 9 и 11 классах и там, где они выставлены).")
        % {"kinds": ", ".join(kinds) or _("четверти или полугодия")},
        _("Показаны выставленные отметки (не предложенные). «зч»/«нз» — зачёт/незачёт; «осв.» — учащийся освобождён "
          "от предмета (за период или за год) и отметки нет."),
        _("Учащиеся — все, кто состоял в классе в этом учебном году: у прибывших и выбывших в примечании дата "
          "прибытия или последний день в классе; их отметки — выставленные в этом классе."),
        _("Предмет, который ведётся по подгруппам, — один столбец: отметка из нагрузки подгруппы учащегося."),
    ]  # fmt: skip


def summary_sheet_document(figures: SummarySheets, form) -> Document:
    title = _("Сводная ведомость учёта успеваемости")
    document = Document(
        slug="summary-sheet",
        title=title,
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        html_template="reports/summary_sheet.html",
        pdf_template="reports/pdf/summary_sheet.html",
        signatures=[_("Классный руководитель"), _("Директор")],
    )
    if not figures.complete:
        # The whole school on screen: the list of classes; the sheets themselves come as a file (a background job).
        table = Table(
            columns=[Column(_("Класс"), width=8), Column(_("Классный руководитель"), width=26),
                     Column(_("Учащихся за год"), "int")],
            rows=[[str(s.school_class), s.class_teacher, len(s.pupils)] for s in figures.sheets],
            totals=[_("Всего"), "", sum(len(s.pupils) for s in figures.sheets)],
        )  # fmt: skip
        document.html_template = "reports/document.html"
        document.sections = [
            Section(
                title=_("Классы"),
                tables=[table],
                notes=[_("Сводные ведомости всех классов — одним файлом: нажмите «Excel» (лист на класс) или «PDF»; "
                         "файл готовится в фоне, страница покажет, когда его можно скачать.")],
            )
        ]  # fmt: skip
        return document
    document.sections = [class_section(sheet, figures.director, str(figures.year or "")) for sheet in figures.sheets]
    document.definitions = _definitions(figures)
    return document
