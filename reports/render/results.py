"""«Итоги успеваемости» as documents: one class (summary, subjects, pupils at risk) and the school (by class, grade,
subject and teacher, with the previous period and the trend chart)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..selectors.results import (
    CATEGORY_LABELS,
    EXCELLENT,
    FAILING_PUPILS,
    GOOD,
    ONE_THREE,
    ONE_TWO,
    UNATTESTED,
    Aggregate,
    ClassReport,
    SchoolResults,
    Tally,
    Totals,
    definitions,
)
from .charts import percent_trend_svg
from .document import Column, Document, Section, Table

CATEGORIES = (EXCELLENT, GOOD, ONE_THREE, ONE_TWO, FAILING_PUPILS, UNATTESTED)


def _delta(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None:
        return None
    return now - before


def tally_columns() -> list[Column]:
    return [
        Column(_("N"), "int"),
        Column("«5»", "int"),
        Column("«4»", "int"),
        Column("«3»", "int"),
        Column("«2»", "int"),
        Column("«1»", "int"),
        Column(_("зачёт"), "int"),
        Column(_("незачёт"), "int"),
        Column(_("Не аттест."), "int"),
        Column(_("% успев."), "percent"),
        Column(_("% кач."), "percent"),
        Column(_("СОУ"), "percent"),
        Column(_("Средний балл"), "decimal"),
        Column(_("Средневзв. балл текущих"), "decimal"),
    ]


def tally_cells(tally: Tally, one_weight: int) -> list:
    counts = tally.counts
    return [
        tally.n,
        counts["5"],
        counts["4"],
        counts["3"],
        counts["2"],
        counts["1"],
        counts["зч"],
        counts["нз"],
        tally.unattested,
        tally.success_pct,
        tally.quality_pct,
        tally.sou(one_weight),
        tally.mean,
        tally.weighted_mean,
    ]


def results_document(figures: ClassReport, form) -> Document:
    title = _("Итоги успеваемости")
    document = Document(
        slug="results",
        title=title,
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        definitions=definitions(figures.settings),
    )
    results = figures.results
    if figures.school_class is None or results is None:
        note = (
            _("Нет класса для отчёта.")
            if figures.school_class is None
            else _("У класса нет такого учебного периода (параллель учится по другим периодам).")
        )
        document.sections.append(Section(title=title, notes=[note]))
        return document
    one_weight = figures.settings.sou_one_weight
    document.title = _("Итоги успеваемости %(class)s класса: %(period)s") % {
        "class": results.school_class,
        "period": results.period.label,
    }
    if figures.whole:
        totals = results.totals
        summary = Table(
            columns=[
                Column(_("Показатель"), width=34),
                Column(_("Учащихся"), "int"),
                Column(_("ФИО"), width=70),
            ]
        )
        summary.rows.append([_("Учащихся на конец периода (N)"), totals.n, ""])
        for category in CATEGORIES:
            summary.rows.append(
                [str(CATEGORY_LABELS[category]), totals.count(category), ", ".join(results.names(category))]
            )
        figures_table = Table(
            columns=[
                Column(_("% успеваемости"), "percent"),
                Column(_("% качества (по учащимся)"), "percent"),
                Column(_("% качества (по отметкам)"), "percent"),
                Column(_("СОУ"), "percent"),
                Column(_("Средний балл (отметки за период)"), "decimal"),
                Column(_("Средневзвешенный балл текущих отметок"), "decimal"),
            ],
            rows=[
                [
                    totals.success_pct,
                    totals.quality_pct_pupils,
                    totals.quality_pct_marks,
                    totals.sou,
                    totals.mean,
                    totals.weighted_mean,
                ]
            ],
        )
        document.sections.append(Section(title=_("Итоги класса"), tables=[summary, figures_table]))
        subjects = Table(columns=[Column(_("Предмет"), width=24), Column(_("Учитель"), width=24), *tally_columns()])
        for subject in results.subjects:
            subjects.rows.append([subject.name, ", ".join(subject.teachers), *tally_cells(subject.tally, one_weight)])
        subjects.totals = [_("Все отметки класса (без зачётных предметов)"), "", *tally_cells(totals.tally, one_weight)]
        document.sections.append(Section(title=_("По предметам"), tables=[subjects]))
        risk = Table(
            columns=[
                Column(_("Учащийся"), width=30),
                Column(_("«2», незачёт"), width=40),
                Column(_("Не аттестован"), width=40),
            ],
            empty=_("Неуспевающих и не аттестованных нет."),
        )
        for name, failing, missing in results.at_risk:
            risk.rows.append([name, ", ".join(failing), ", ".join(missing)])
        document.sections.append(Section(title=_("Учащиеся группы риска"), tables=[risk]))
        document.signatures = [_("Классный руководитель")]
        return document
    # A subject teacher: their own assignments only.
    own = Table(columns=[Column(_("Предмет (подгруппа)"), width=30), *tally_columns()])
    for assignment_id in sorted(figures.own, key=lambda pk: results.assignment_label.get(pk, "")):
        tally = results.by_assignment.get(assignment_id)
        if tally is not None:
            own.rows.append([results.assignment_label[assignment_id], *tally_cells(tally, one_weight)])
    document.sections.append(
        Section(
            title=_("Мои предметы"),
            tables=[own],
            notes=[_("Итоги класса по всем предметам видят классный руководитель и администрация.")],
        )
    )
    return document


def _totals_cells(totals: Totals | None) -> list:
    if totals is None:
        return [None] * 12
    return [
        totals.n,
        totals.excellent,
        totals.good,
        totals.one_three,
        totals.one_two,
        totals.failing,
        totals.unattested,
        totals.success_pct,
        totals.quality_pct,
        totals.sou,
        totals.mean,
        totals.weighted_mean,
    ]


def _totals_columns(previous: str) -> list[Column]:
    columns = [
        Column(_("N"), "int"),
        Column(_("Отл."), "int"),
        Column(_("Удар."), "int"),
        Column(_("С одной «3»"), "int"),
        Column(_("С одной «2»"), "int"),
        Column(_("Неусп."), "int"),
        Column(_("Не аттест."), "int"),
        Column(_("% успев."), "percent"),
        Column(_("% кач."), "percent"),
        Column(_("СОУ"), "percent"),
        Column(_("Средний балл"), "decimal"),
        Column(_("Средневзв. балл"), "decimal"),
    ]
    if previous:
        columns += [
            Column(_("Δ % успев."), "percent", group=(_("к периоду «%(p)s»") % {"p": previous}, 2)),
            Column(_("Δ % кач."), "percent"),
        ]
    return columns


def _deltas(now, before, previous: str) -> list:
    if not previous:
        return []
    if before is None or now is None:
        return [None, None]
    return [_delta(now.success_pct, before.success_pct), _delta(now.quality_pct, before.quality_pct)]


def _tally_deltas(now: Tally, before: Tally | None, previous: str) -> list:
    if not previous:
        return []
    if before is None:
        return [None, None]
    return [_delta(now.success_pct, before.success_pct), _delta(now.quality_pct, before.quality_pct)]


def school_results_document(figures: SchoolResults, form) -> Document:
    document = Document(
        slug="school-results",
        title=_("Итоги успеваемости по школе: %(period)s") % {"period": figures.label} if figures.label else "",
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        definitions=definitions(figures.settings),
    )
    if not document.title:
        document.title = _("Итоги успеваемости по школе")
    now: Aggregate | None = figures.now
    before = figures.before
    previous = figures.previous_label
    if now is None or not figures.current:
        document.sections.append(Section(title=_("Итоги"), notes=[_("Нет классов с итогами за этот период.")]))
        return document
    one_weight = figures.settings.sou_one_weight

    classes = Table(
        columns=[Column(_("Класс"), width=8), Column(_("Кл. руководитель"), width=22), *_totals_columns(previous)]
    )
    for result in figures.current:
        school_class = result.school_class
        teacher = school_class.class_teacher.short_name if school_class.class_teacher else ""
        old = before.classes.get(school_class.pk) if before else None
        classes.rows.append(
            [str(school_class), teacher, *_totals_cells(result.totals), *_deltas(result.totals, old, previous)]
        )
    classes.totals = [
        _("Школа"),
        "",
        *_totals_cells(now.school),
        *_deltas(now.school, before and before.school, previous),
    ]

    grades = Table(columns=[Column(_("Параллель"), width=10), *_totals_columns(previous)])
    for grade, totals in now.grades.items():
        old = before.grades.get(grade) if before else None
        grades.rows.append(
            [_("%(grade)s-е классы") % {"grade": grade}, *_totals_cells(totals), *_deltas(totals, old, previous)]
        )

    def tally_table(title: str, rows: dict[str, Tally], old_rows: dict[str, Tally] | None) -> Table:
        columns = [Column(title, width=26), *tally_columns()]
        if previous:
            columns += [
                Column(_("Δ % успев."), "percent", group=(_("к периоду «%(p)s»") % {"p": previous}, 2)),
                Column(_("Δ % кач."), "percent"),
            ]
        table = Table(columns=columns)
        for name, tally in rows.items():
            old = old_rows.get(name) if old_rows is not None else None
            table.rows.append([name, *tally_cells(tally, one_weight), *_tally_deltas(tally, old, previous)])
        return table

    subjects = tally_table(_("Предмет"), now.subjects, before.subjects if before else None)
    teachers = tally_table(_("Учитель"), now.teachers, before.teachers if before else None)

    labels = [label for label, _s, _q in figures.trend]
    chart = percent_trend_svg(
        _("Динамика успеваемости и качества по периодам учебного года"),
        labels,
        [
            (_("% успеваемости"), [s for _l, s, _q in figures.trend]),
            (_("% качества"), [q for _l, _s, q in figures.trend]),
        ],
    )
    trend = Table(
        columns=[Column(_("Период"), width=14), Column(_("% успев."), "percent"), Column(_("% кач."), "percent")]
    )
    trend.rows = [[label, success, quality] for label, success, quality in figures.trend]

    document.sections += [
        Section(title=_("По классам"), tables=[classes]),
        Section(title=_("По параллелям"), tables=[grades]),
        Section(title=_("По предметам"), tables=[subjects]),
        Section(
            title=_("По учителям"),
            tables=[teachers],
            notes=[_("Отметки за период по нагрузке учителя (подгруппа — своя нагрузка).")],
        ),
        Section(title=_("Динамика за год"), tables=[trend], chart_svg=chart),
    ]
    return document
