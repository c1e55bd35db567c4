"""A class journal as a PDF that reads like the paper one (WeasyPrint, A4 landscape): the title page, the roster with
the movement of pupils, then per subject (and subgroup) the marks pages — pupils × lesson dates, 25 dates a page, the
period marks after the last date — and the lesson pages (date, №, topic, homework, «замена: …»); at the end the
attendance of each pupil and the signature lines; «стр. N из M» on every page.

The data come from ``archive.selectors.journal_print`` (a fixed number of queries per class). The tables are joined
here as HTML strings (the template loop over a year's cells would cost more than WeasyPrint's layout of them:
CONVENTIONS.md); the template only places them.

Kept cheap for WeasyPrint, whose cost grows with the boxes it lays out (a year is ~90 pages a class, and the year's
archive prints every class): a marks row is a few cells, its dates one cell of tab stops over a repeated grid tile
(``_marks_tables``); a small user-agent stylesheet (``UA_STYLESHEET``); one font configuration per thread. A year's
journal went from ~40,000 table cells and 42–46 s of CPU to ~14,000 cells and 11–18 s (docs/archive.md).
"""

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from journal.models import PeriodMarkKind, SchoolClass, TeachingAssignment
from journal.selectors.absences import absence_kind
from journal.selectors.closing import RosterRow

from ..selectors.journal_print import ClassJournalData, PrintAssignment, class_journal_data

DATES_PER_PAGE = 25
# A date column's width in CSS px (journal-pdf.css: tab-size and the grid's tile): Pango's tab stops are whole px.
DATE_PX = 27
# The tile that draws a date column's right-hand line (the same as in journal-pdf.css, repeated across the row).
GRID_TILE = (
    "url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='27' height='10' viewBox='0 0 27 10' "
    "preserveAspectRatio='none'%3E%3Crect x='26.5' y='0' width='0.5' height='10' fill='%23333'/%3E%3C/svg%3E\")"
)
# Before a cell's text, so that it sits near the middle of its column (digits are a FIGURE SPACE wide).
INDENT = {1: "\u2007", 2: "\u2008"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
STYLESHEET = "css/journal-pdf.css"


# WeasyPrint's own HTML stylesheet matches ~250 rules and computes six pseudo-elements (::marker, ::footnote-call…)
# for every element; a year's journal has ~10,000 elements. The journal uses a dozen elements: this is all it needs of
# a user-agent stylesheet (the PDF's outline from the headings included).
UA_STYLESHEET = """
html, body, section, div, p, h1, h2, h3 { display: block }
head, title, meta, style, script { display: none }
body { margin: 8px }
p { margin: 1em 0 }
h1 { font-size: 2em; margin: .67em 0; bookmark-level: 1 }
h2 { font-size: 1.5em; margin: .83em 0; bookmark-level: 2 }
h3 { font-size: 1.17em; margin: 1em 0; bookmark-level: 3 }
h1, h2, h3 { font-weight: bold; bookmark-label: content(text); hyphens: manual; break-after: avoid; break-inside: avoid }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate; text-indent: initial }
caption { display: table-caption; text-align: center }
thead { display: table-header-group; vertical-align: middle }
tbody { display: table-row-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; vertical-align: inherit; padding: 1px }
th { font-weight: bold }
i { font-style: italic }
br::before { content: "\\A"; white-space: pre-line }
"""


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find(STYLESHEET))


@cache
def _journal_html_class():
    """WeasyPrint's ``HTML`` with the journal's small user-agent stylesheet (``_ua_stylesheets`` is WeasyPrint's
    hook for it; pinned version: requirements.txt)."""
    from weasyprint import CSS, HTML

    user_agent = [CSS(string=UA_STYLESHEET)]

    class JournalHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return user_agent

    return JournalHTML


_local = threading.local()


def font_config():
    """One font configuration per thread, reused from document to document (Pango's font caches stay warm)."""
    if not hasattr(_local, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config


@dataclass
class SubjectPages:
    title: str
    teacher: str
    marks_tables: list[SafeString]
    lessons_table: SafeString
    lessons: int


def _date(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _cell_text(value: list[str] | None) -> str:
    """A cell of the marks grid: the attendance code, then the marks («н», «5», «5/4», «оп5»)."""
    if value is None:
        return ""
    mark1, mark2, code = value
    text = code + "/".join(m for m in (mark1, mark2) if m)
    return INDENT.get(len(text), "") + text


def _grey(columns: list[int]) -> str:
    """The inline background of a row with grey cells (the pupil not in the class or group that day): the grid's
    lines over a gradient with hard stops, grey across those columns (rare: arrivals and departures)."""
    stops, previous = ["transparent 0"], None
    for column in columns:
        left, right = column * DATE_PX, (column + 1) * DATE_PX
        if previous is not None and previous == column - 1:
            stops[-2:] = [f"#ddd {right}px", f"transparent {right}px"]
        else:
            stops += [f"transparent {left}px", f"#ddd {left}px", f"#ddd {right}px", f"transparent {right}px"]
        previous = column
    style = (
        f"background-image: {GRID_TILE}, linear-gradient(to right, {', '.join(stops)});"
        f" background-size: {DATE_PX}px 100%, 100% 100%; background-repeat: repeat-x, no-repeat"
    )
    return f' style="{escape(style)}"'


def _pupils_of(data: ClassJournalData, item: PrintAssignment) -> list[RosterRow]:
    if item.pupil_ids is None:
        return data.roster
    return [row for row in data.roster if row.pupil.pk in item.pupil_ids]


def _mark_columns(data: ClassJournalData, item: PrintAssignment) -> list[tuple[str, str, int | None]]:
    """The period marks printed after the dates: the periods that meet the interval, then the year's marks when the
    interval reaches the year's end (exam and final only where some were set)."""
    columns = [
        (ROMAN.get(p.number, str(p.number)), PeriodMarkKind.PERIOD.value, p.pk)
        for p in data.periods
        if p.start_date <= data.end and p.end_date >= data.start
    ]
    if data.end >= data.school_class.year.end_date:
        columns.append((_("Год"), PeriodMarkKind.YEAR.value, None))
        kinds = {kind for _pupil, kind, _period in item.period_marks}
        if PeriodMarkKind.EXAM in kinds:
            columns.append((_("Экз."), PeriodMarkKind.EXAM.value, None))
        if PeriodMarkKind.FINAL in kinds:
            columns.append((_("Итог"), PeriodMarkKind.FINAL.value, None))
    return columns


def _marks_tables(data: ClassJournalData, item: PrintAssignment) -> list[SafeString]:
    """The marks sheets of a subject: 25 dates a sheet, the period marks after the last date.

    The dates of a row are one cell whose text puts each lesson's marks at a tab stop (``white-space: pre``,
    ``tab-size`` = a column's width) over a repeated tile that draws the columns' lines: laying out and drawing a
    year's journal cell by cell (~40,000 table cells a class) was most of its time; a row is now a few cells. The
    short last sheet keeps the 25 columns of the grid."""
    pupils = _pupils_of(data, item)
    lessons = item.lessons
    chunks = [lessons[i : i + DATES_PER_PAGE] for i in range(0, len(lessons), DATES_PER_PAGE)] or [[]]
    period_columns = _mark_columns(data, item)
    cells = data.cells
    tables = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        extra = period_columns if last else []
        head = '<th class="dates">' + "\t".join(f"{lesson.date:%d.%m}" for lesson in chunk) + "</th>"
        head += "".join(f'<th class="pm">{escape(title)}</th>' for title, _k, _p in extra) + '<th class="fill"></th>'
        body = []
        for number, row in enumerate(pupils, start=1):
            pk = row.pupil.pk
            spans = row.spans
            texts, grey = [], []
            for column, lesson in enumerate(chunk):
                if any(s.date_from <= lesson.date <= s.date_to for s in spans):
                    texts.append(_cell_text(cells.get((pk, lesson.pk))))
                else:
                    texts.append("")
                    grey.append(column)
            line = "\t".join(texts).rstrip()
            tds = f'<td class="dates"{_grey(grey) if grey else ""}>{escape(line)}</td>'
            tds += "".join(
                f'<td class="pm">{escape(item.period_marks.get((pk, kind, period), ""))}</td>'
                for _t, kind, period in extra
            )
            tds += '<td class="fill"></td>'
            body.append(
                f'<tr><td class="num">{number}</td><td class="name">{escape(row.pupil.user.short_name)}</td>{tds}</tr>'
            )
        if not pupils:
            body.append(f'<tr><td colspan="{4 + len(extra)}">{escape(_("Нет учащихся."))}</td></tr>')
        caption = _("Отметки и посещаемость, лист %(n)s из %(m)s") % {"n": index + 1, "m": len(chunks)}
        tables.append(
            mark_safe(
                f'<table class="marks"><caption>{escape(caption)}</caption><thead><tr><th class="num">№</th>'
                f'<th class="name">{escape(_("Фамилия, имя"))}</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            )
        )
    return tables


def _lessons_table(item: PrintAssignment) -> SafeString:
    rows = []
    for lesson in item.lessons:
        note = _("замена: %(name)s") % {"name": lesson.substitute} if lesson.substitute else ""
        homework = "<br>".join(escape(text) for text in lesson.homework)
        rows.append(
            f'<tr><td class="date">{lesson.date:%d.%m.%Y}</td><td class="num">{lesson.number}</td>'
            f"<td>{escape(lesson.topic)}</td><td>{homework}</td><td>{escape(note)}</td></tr>"
        )
    if not rows:
        rows.append(f'<tr><td colspan="5">{escape(_("Уроков за выбранный период нет."))}</td></tr>')
    return mark_safe(
        f'<table class="lessons"><thead><tr><th class="date">{escape(_("Дата"))}</th><th class="num">'
        f"{escape(_('Урок №'))}</th><th>{escape(_('Тема урока'))}</th><th>{escape(_('Домашнее задание'))}</th>"
        f'<th class="note">{escape(_("Примечание"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _attendance_rows(data: ClassJournalData) -> list[list]:
    """Per pupil: lessons missed, of them for illness, excused, unexcused; lateness (journal's classifier)."""
    lesson_ids = {lesson.pk for item in data.assignments for lesson in item.lessons}
    counts: dict[int, dict[str, int]] = {}
    for (pupil_id, lesson_id), (_m1, _m2, code) in data.cells.items():
        if not code or lesson_id not in lesson_ids:
            continue
        totals = counts.setdefault(pupil_id, {"ill": 0, "excused": 0, "unexcused": 0, "late": 0})
        totals[absence_kind(code)] += 1
    rows = []
    for number, row in enumerate(data.roster, start=1):
        t = counts.get(row.pupil.pk, {"ill": 0, "excused": 0, "unexcused": 0, "late": 0})
        missed = t["ill"] + t["excused"] + t["unexcused"]
        rows.append([number, row.pupil.user.full_name, missed, t["ill"], t["excused"], t["unexcused"], t["late"]])
    return rows


def _movement_rows(data: ClassJournalData) -> list[list]:
    rows = []
    for number, row in enumerate(data.roster, start=1):
        arrivals = [s.enrollment for s in row.spans]
        came = "; ".join(
            f"{_date(e.date_from)}{', ' + e.reason_in if e.reason_in else ''}"
            for e in arrivals
            if e.date_from > data.start or e.reason_in
        )
        left = "; ".join(
            f"{_date(e.date_to)}{', ' + e.reason_out if e.reason_out else ''}"
            for e in arrivals
            if e.date_to is not None and e.date_to <= data.end
        )
        birth = row.pupil.date_of_birth
        rows.append([number, row.pupil.user.full_name, _date(birth), came, left])
    return rows


def class_journal_html(data: ClassJournalData) -> str:
    school_class = data.school_class
    year = school_class.year
    subjects = [
        SubjectPages(
            title=item.title,
            teacher=item.assignment.teacher.short_name,
            marks_tables=_marks_tables(data, item),
            lessons_table=_lessons_table(item),
            lessons=len(item.lessons),
        )
        for item in data.assignments
    ]
    whole_year = data.start <= year.start_date and data.end >= year.end_date
    context = {
        "school": year.school,
        "school_class": school_class,
        "year": year,
        "class_teacher": school_class.class_teacher.short_name if school_class.class_teacher_id else "",
        "director": data.director,
        "start": data.start,
        "end": data.end,
        "whole_year": whole_year,
        "subjects": subjects,
        "movement": _movement_rows(data),
        "attendance": _attendance_rows(data),
        "printed_at": timezone.localtime(),
    }
    return render_to_string("archive/pdf/class_journal.html", context)


def class_journal_document(
    school_class: SchoolClass,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    assignment: TeachingAssignment | None = None,
):
    """The WeasyPrint document (laid out, not written): the merge of a whole school joins their pages."""
    year = school_class.year
    start = max(start or year.start_date, year.start_date)
    end = min(end or year.end_date, year.end_date)
    data = class_journal_data(school_class, start, end, assignment)
    html = _journal_html_class()(string=class_journal_html(data))
    return html.render(stylesheets=[_stylesheet()], font_config=font_config())


def class_journal_pdf(
    school_class: SchoolClass,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    assignment: TeachingAssignment | None = None,
) -> bytes:
    """The class's journal as PDF bytes: all subjects, or ``assignment``'s; the class's whole school year when the
    dates are not given (the year's archive calls it so)."""
    return class_journal_document(school_class, start=start, end=end, assignment=assignment).write_pdf()
