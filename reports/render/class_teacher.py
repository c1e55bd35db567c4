"""The class teacher's period report as one printable document: movement, results, attendance, pupils at risk."""

from django.utils.translation import gettext as _

from ..selectors.class_teacher import UNEXCUSED_RISK, ClassTeacherReport
from ..selectors.results import definitions as results_definitions
from .attendance import attendance_definitions, sheet_table
from .document import Column, Document, Section, Table
from .results import results_document


def class_teacher_document(figures: ClassTeacherReport, form) -> Document:
    title = _("Отчёт классного руководителя за период")
    document = Document(
        slug="class-teacher",
        title=title,
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        definitions=[
            *results_definitions(figures.settings),
            *attendance_definitions(),
            _(
                "Группа риска: учащиеся с «2» или незачётом, не аттестованные по предмету, и пропустившие без "
                "уважительной причины %(count)s и более уроков за период."
            )
            % {"count": UNEXCUSED_RISK},
        ],
    )
    if figures.school_class is None:
        document.sections.append(Section(title=title, notes=[_("Нет класса, по которому вы можете строить отчёт.")]))
        return document
    if figures.results is None:
        note = _("У класса нет такого учебного периода (параллель учится по другим периодам).")
        document.sections.append(Section(title=title, notes=[note]))
        return document
    school_class = figures.school_class
    document.title = _("Отчёт классного руководителя %(class)s класса: %(period)s") % {
        "class": school_class,
        "period": figures.results.period.label,
    }
    teacher = school_class.class_teacher.full_name if school_class.class_teacher else "—"
    dates = f"{figures.start:%d.%m.%Y} — {figures.end:%d.%m.%Y}"
    document.filters = [*document.filters, (_("Классный руководитель"), teacher), (_("Даты"), dates)]

    counts = Table(
        columns=[
            Column(_("На начало периода"), "int"),
            Column(_("Прибыло"), "int"),
            Column(_("Выбыло"), "int"),
            Column(_("На конец периода"), "int"),
        ],
        rows=[
            [
                figures.at_start,
                sum(1 for line in figures.movement if line.event.startswith("прибыл")),
                sum(1 for line in figures.movement if line.event.startswith("выбыл")),
                figures.at_end,
            ]
        ],
    )
    events = Table(
        columns=[
            Column(_("Дата"), "date"),
            Column(_("Учащийся"), width=32),
            Column(_("Движение"), width=12),
            Column(_("Основание"), width=50),
        ],
        rows=[[line.day, line.name, line.event, line.basis] for line in figures.movement],
        empty=_("Движения учащихся за период не было."),
    )
    document.sections.append(Section(title=_("1. Движение учащихся"), tables=[counts, events]))

    results = results_document(figures.class_report, form)
    for number, section in enumerate((s for s in results.sections if s.title != _("Учащиеся группы риска")), start=1):
        section.title = f"2.{number}. {section.title}"
        document.sections.append(section)

    if figures.attendance is not None:
        document.sections.append(Section(title=_("3. Посещаемость"), tables=[sheet_table(figures.attendance)]))

    risk = Table(
        columns=[
            Column(_("Учащийся"), width=30),
            Column(_("«2», незачёт"), width=34),
            Column(_("Не аттестован"), width=34),
            Column(_("Пропущено без уваж. причины"), "int"),
        ],
        rows=[[line.name, ", ".join(line.failing), ", ".join(line.missing), line.unexcused] for line in figures.risk],
        empty=_("Учащихся группы риска нет."),
    )
    document.sections.append(Section(title=_("4. Учащиеся группы риска"), tables=[risk]))
    document.signatures = [_("Классный руководитель")]
    return document
