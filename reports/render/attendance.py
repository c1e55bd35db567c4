"""The attendance reports as documents: the class's sheet (a row per pupil) and the months (of a class or school)."""

from itertools import groupby

from django.utils.translation import gettext as _

from ..selectors.attendance import AttendanceFigures, ClassAttendance, Totals, summed
from .document import Column, Document, Section, Table

MONTHS = ["", "янв.", "фев.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.", "дек."]


def _figure_columns() -> list[Column]:
    return [
        Column(_("Пропущено уроков"), "int"),
        Column(_("по болезни"), "int"),
        Column(_("по уважительной причине"), "int"),
        Column(_("по неуважительной причине"), "int"),
        Column(_("Опозданий"), "int"),
        Column(_("Пропущено дней"), "int"),
        Column(_("из них по болезни"), "int"),
    ]


def _figures(totals: Totals) -> list[int]:
    t = totals
    return [t.missed, t.ill, t.excused, t.unexcused, t.late, t.days, t.ill_days]


def attendance_definitions() -> list[str]:
    return [
        _("Пропущенный урок: отметка «н», «б», «у» или «п»; «оп» — опоздание, не пропуск."),
        _("По неуважительной причине: «п» и «н» (причина не указана)."),
        _(
            "Пропущенный день: учащийся пропустил все уроки этого дня, на которых должен был быть "
            "(уроки класса и своей подгруппы); «из них по болезни» — все пропуски дня с отметкой «б»."
        ),
        _(
            "Учащийся учитывается только в дни, когда состоял в классе (движение учащихся); "
            "выбывший не учитывается после выбытия, прибывший — до прибытия."
        ),
    ]


def _period_label(figures: AttendanceFigures) -> str:
    if figures.start is None:
        return ""
    return f"{figures.start:%d.%m.%Y} — {figures.end:%d.%m.%Y}"


def sheet_table(block: ClassAttendance) -> Table:
    columns = [
        Column("№", "int", width=4),
        Column(_("Учащийся"), width=30),
        *_figure_columns(),
        Column(_("Примечание"), width=24),
    ]
    table = Table(columns=columns, caption=str(block.school_class))
    for row in block.pupils:
        table.rows.append([row.number, row.pupil.user.full_name, *_figures(row.totals), row.note])
    table.totals = [_("Итого по классу"), "", *_figures(block.totals), ""]
    return table


def attendance_document(figures: AttendanceFigures, form) -> Document:
    sections = [
        Section(title=_("Класс %(name)s") % {"name": block.school_class}, tables=[sheet_table(block)])
        for block in figures.classes
    ]
    if not sections:
        sections = [Section(title=_("Нет класса"), notes=[_("Нет класса, по которому вы можете строить отчёт.")])]
    return Document(
        slug="attendance",
        title=_("Сводная ведомость учёта посещаемости"),
        school_name=form.scope.school.name,
        filters=[*form.filter_labels(), (_("Даты"), _period_label(figures))],
        sections=sections,
        definitions=attendance_definitions(),
        landscape=True,
        signatures=[_("Классный руководитель ____________")],
    )


def _month_title(key: tuple[int, int]) -> str:
    return f"{MONTHS[key[1]]} {key[0]}"


def _class_months_table(figures: AttendanceFigures, block: ClassAttendance) -> Table:
    table = Table(columns=[Column(_("Месяц"), width=14), *_figure_columns()], caption=str(block.school_class))
    for key in figures.months:
        table.rows.append([_month_title(key), *_figures(block.month(key))])
    table.totals = [_("За период"), *_figures(block.totals)]
    return table


def _school_months_table(figures: AttendanceFigures) -> Table:
    columns = [Column(_("Класс"), width=8)]
    for key in figures.months:
        columns += [Column(_("уроков"), "int", group=(_month_title(key), 2)), Column(_("дней"), "int")]
    columns += [Column(_("Итого: уроков"), "int"), Column(_("по болезни"), "int")]
    columns += [Column(_("по уважительной"), "int"), Column(_("по неуважительной"), "int")]
    columns += [Column(_("Опозданий"), "int"), Column(_("Итого: дней"), "int")]
    table = Table(columns=columns, caption=_("Пропущено уроков и дней по месяцам"))

    def line(totals_by_month: list[Totals], total: Totals) -> list[int]:
        cells = []
        for month in totals_by_month:
            cells += [month.missed, month.days]
        return [*cells, total.missed, total.ill, total.excused, total.unexcused, total.late, total.days]

    # Each class's months and total summed over its pupils once; a grade's and the school's lines add those up.
    sums = {id(block): ([block.month(key) for key in figures.months], block.totals) for block in figures.classes}

    def block_line(blocks: list[ClassAttendance]) -> list[int]:
        months = [summed(sums[id(block)][0][index] for block in blocks) for index in range(len(figures.months))]
        return line(months, summed(sums[id(block)][1] for block in blocks))

    for grade, blocks in groupby(figures.classes, key=lambda block: block.school_class.grade):
        blocks = list(blocks)
        for block in blocks:
            table.rows.append([str(block.school_class), *block_line([block])])
        table.rows.append([_("%(grade)s-е классы") % {"grade": grade}, *block_line(blocks)])
        table.row_css[len(table.rows) - 1] = "fw-semibold table-light"
    table.totals = [_("По школе"), *block_line(figures.classes)]
    return table


def attendance_months_document(figures: AttendanceFigures, form) -> Document:
    if figures.whole_school:
        sections = [Section(title=_("Школа"), tables=[_school_months_table(figures)])]
    else:
        sections = [
            Section(
                title=_("Класс %(name)s") % {"name": block.school_class},
                tables=[_class_months_table(figures, block)],
            )
            for block in figures.classes
        ]
    if not sections:
        sections = [Section(title=_("Нет класса"), notes=[_("Нет класса, по которому вы можете строить отчёт.")])]
    return Document(
        slug="attendance-months",
        title=_("Посещаемость по месяцам"),
        school_name=form.scope.school.name,
        filters=[*form.filter_labels(), (_("Даты"), _period_label(figures))],
        sections=sections,
        definitions=attendance_definitions(),
        landscape=True,
    )
