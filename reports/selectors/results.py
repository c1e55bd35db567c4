"""Итоги успеваемости: the figures of classes for a study period or the year (REPORTS.md), the engine of the reports.

Public API (every function reads in a constant number of queries, whatever the number of classes or pupils):

``resolve_period(value, *, year, grade_kind, periods) -> PeriodChoice | None``
    The «period» filter value (a StudyPeriod id as a string, or ``reports.forms.base.YEAR_RESULT``) for a class
    whose grade uses the scheme ``grade_kind`` (четверти, триместры, полугодия: ``GradeSettings.period_kind``).
    A period of another scheme maps to the class's own period that ends within it (the last one if several): the
    2nd quarter is the 1st half-year for a 10th grade; the 1st quarter is none (the class has no result then).

``class_results(school_class, value, settings) -> ClassResults | None``
    One class (e.g. the class teacher's report); None when the class has no period for ``value``.

``results_for_classes(classes, value, settings) -> list[ClassResults]``
    Many classes at once (9 queries for a list of classes with their years loaded, one more for a queryset);
    classes without a period for ``value`` are left out.

``results_batch(classes, values, settings) -> dict[value, list[ClassResults]]``
    Several periods at once in the same 9 queries (the trend, the previous period beside the chosen one).

``current_mark_sums(windows)`` / ``weighted_from_sums(total, weights)``
    Σ value × weight, Σ weight and the count of the current marks per (pupil, assignment) for date windows, in one
    aggregate query; the weighted average exactly as ``journal.selectors.averages.weighted_average`` rounds it.

``settings`` is a ``reports.models.ReportSettings`` (``reports.selectors.settings.report_settings(school)``): its
``quality_basis`` and ``sou_one_weight`` are used.

A ``ClassResults`` holds:

- ``pupils``: a ``PupilResult`` per pupil on the class list on the period's last day who is due a mark in at
  least one subject: ``name``, ``marks`` ({subject name: value, "" when unattested}), ``failing_subjects`` (the
  subjects with «2», «1» or «незачёт»), ``missing_subjects`` (no mark: не аттестован), ``categories()``;
- ``at_risk``: the pupils with a failing mark or an unattested subject, as (name, failing subjects, missing
  subjects): what the class teacher's report lists;
- ``totals`` (``Totals``): N, the category counts, ``success_pct``, ``quality_pct`` (by the school's basis) with
  ``quality_pct_pupils`` and ``quality_pct_marks``, ``sou``, ``mean`` (plain mean of the period marks),
  ``weighted_mean`` (the weighted mean of the current marks, a different figure);
- ``names(category)``: the pupils' names of a category (``EXCELLENT``, ``GOOD``, ``ONE_THREE``, ``ONE_TWO``,
  ``FAILING_PUPILS``, ``UNATTESTED``; labels in ``CATEGORY_LABELS``);
- ``subjects``: a ``SubjectResult`` per subject of the class (subgroups merged: one subject), with its ``tally``
  (``Tally``: the marks by value, N, the percentages, СОУ, the means), the names of the unattested and failing
  pupils, the exempt count and the teachers;
- ``by_assignment``: a ``Tally`` per teaching assignment (a subgroup's teacher sees their own marks), and
  ``assignment_teacher`` (assignment id → teacher) for the figures by teacher.

For example, the class teacher's report::

    settings = report_settings(scope.school)
    results = class_results(school_class, form.cleaned_data["period"], settings)
    if results is not None:
        for name, failing, missing in results.at_risk:  # «Иванов Иван», ["Математика"], ["Химия"]
            ...
        results.totals.success_pct, results.totals.quality_pct, results.names(UNATTESTED)

Definitions (printed in the reports' footer, ``definitions(settings)``):

- the list: pupils enrolled on the period's last day (``active_enrollments``), so those who left are out and
  arrivals are in; a subject is due from a pupil when the class has a whole-class assignment in it or the pupil is in
  the subgroup of one of its assignments (or has a mark in it); exempt pupils (``SubjectExemption`` for that
  period or the whole year) are not due;
- per subject, N = pupils due with a mark (the unattested are counted apart); for the class, N = pupils on the
  list who are due any subject, the unattested included (they are not «успевающие»);
- a pupil's categories: отличник — every mark «5»; ударник — only «4» and «5», at least one «4»; с одной «3» —
  exactly one «3», the rest «4»/«5»; с одной «2» — exactly one failing mark; неуспевающий — at least one failing
  mark («2», «1», «незачёт»); не аттестован — no mark in a subject due. Pass/fail subjects count for успеваемость
  (a «незачёт» fails) and nowhere else.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal.models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Mark,
    MarkValue,
    PeriodMark,
    PeriodMarkKind,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
)

from ..choices import QualityBasis
from .settings import report_settings

YEAR_RESULT = "year"  # reports.forms.base.YEAR_RESULT (not imported: the forms import this module)

NUMERIC = ("5", "4", "3", "2", "1")
FAILING = {"2", "1", MarkValue.FAIL.value}
SOU_WEIGHTS = {"5": 100, "4": 64, "3": 36, "2": 16}
_CENT = Decimal("0.01")
_FINE = Decimal("0.0001")

EXCELLENT, GOOD, ONE_THREE, ONE_TWO, FAILING_PUPILS, UNATTESTED = (
    "excellent",
    "good",
    "one_three",
    "one_two",
    "failing",
    "unattested",
)
CATEGORY_LABELS = {
    EXCELLENT: gettext_lazy("Отличники"),
    GOOD: gettext_lazy("Ударники"),
    ONE_THREE: gettext_lazy("С одной «3»"),
    ONE_TWO: gettext_lazy("С одной «2»"),
    FAILING_PUPILS: gettext_lazy("Неуспевающие"),
    UNATTESTED: gettext_lazy("Не аттестованы"),
}


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PeriodChoice:
    """What a class's results are for: a study period (period marks) or the year (year marks), with its dates."""

    kind: str  # PeriodMarkKind.PERIOD or PeriodMarkKind.YEAR
    period: StudyPeriod | None
    start: dt.date
    end: dt.date  # the last day: the class list is taken on it

    @property
    def label(self) -> str:
        return str(self.period) if self.period is not None else _("учебный год")

    @property
    def period_id(self) -> int | None:
        return self.period.pk if self.period is not None else None


def resolve_period(
    value: str, *, year: SchoolYear, grade_kind: str | None, periods: Iterable[StudyPeriod]
) -> PeriodChoice | None:
    """The class's period for the filter value (see the module's docstring); None when it has none."""
    if value == YEAR_RESULT:
        return PeriodChoice(PeriodMarkKind.YEAR, None, year.start_date, year.end_date)
    periods = [p for p in periods if p.year_id == year.pk]
    chosen = next((p for p in periods if str(p.pk) == str(value)), None)
    if chosen is None:
        return None
    if grade_kind and chosen.kind != grade_kind:
        own = [p for p in periods if p.kind == grade_kind and chosen.start_date <= p.end_date <= chosen.end_date]
        if not own:
            return None
        chosen = max(own, key=lambda p: p.end_date)
    return PeriodChoice(PeriodMarkKind.PERIOD, chosen, chosen.start_date, chosen.end_date)


def previous_value(value: str, periods: Iterable[StudyPeriod]) -> str | None:
    """The filter value of the period before ``value`` in its scheme (the 1st quarter before the 2nd); None for the
    first period and for the year."""
    periods = list(periods)
    chosen = next((p for p in periods if str(p.pk) == str(value)), None)
    if chosen is None:
        return None
    before = next((p for p in periods if p.kind == chosen.kind and p.number == chosen.number - 1), None)
    return str(before.pk) if before is not None else None


@dataclass
class Tally:
    """Marks counted by value (one per pupil and subject), the unattested, and the sums of the current marks."""

    counts: Counter = field(default_factory=Counter)
    unattested: int = 0
    current_total: Decimal = Decimal(0)  # Σ value × weight of the current marks
    current_weights: Decimal = Decimal(0)  # Σ weight

    def add(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        self.unattested += other.unattested
        self.current_total += other.current_total
        self.current_weights += other.current_weights

    @property
    def n(self) -> int:
        """Marks set (pupils with a mark, per subject): the base of the percentages."""
        return sum(self.counts.values())

    @property
    def graded(self) -> int:
        return sum(self.counts[v] for v in NUMERIC)

    @property
    def failing(self) -> int:
        return sum(self.counts[v] for v in FAILING)

    @property
    def success_pct(self) -> Decimal | None:
        return percent(self.n - self.failing, self.n)

    @property
    def quality_pct(self) -> Decimal | None:
        return percent(self.counts["5"] + self.counts["4"], self.graded)

    def sou(self, one_weight: int) -> Decimal | None:
        points = sum(self.counts[v] * w for v, w in SOU_WEIGHTS.items()) + self.counts["1"] * one_weight
        return _ratio(points, self.graded)

    @property
    def mean(self) -> Decimal | None:
        return _ratio(sum(self.counts[v] * int(v) for v in NUMERIC), self.graded)

    @property
    def weighted_mean(self) -> Decimal | None:
        return _ratio(self.current_total, self.current_weights)


@dataclass
class Totals:
    """The figures of pupils (a class, a grade, the school) and of their marks."""

    quality_basis: str
    one_weight: int
    n: int = 0
    excellent: int = 0
    good: int = 0
    one_three: int = 0
    one_two: int = 0
    failing: int = 0
    unattested: int = 0
    succeeding: int = 0  # no failing mark, nothing unattested
    tally: Tally = field(default_factory=Tally)

    def add(self, other: "Totals") -> None:
        for name in ("n", "excellent", "good", "one_three", "one_two", "failing", "unattested", "succeeding"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.tally.add(other.tally)

    def count(self, category: str) -> int:
        return getattr(self, category)

    @property
    def success_pct(self) -> Decimal | None:
        return percent(self.succeeding, self.n)

    @property
    def quality_pct_pupils(self) -> Decimal | None:
        return percent(self.excellent + self.good, self.n)

    @property
    def quality_pct_marks(self) -> Decimal | None:
        return self.tally.quality_pct

    @property
    def quality_pct(self) -> Decimal | None:
        return self.quality_pct_marks if self.quality_basis == QualityBasis.MARKS else self.quality_pct_pupils

    @property
    def sou(self) -> Decimal | None:
        return self.tally.sou(self.one_weight)

    @property
    def mean(self) -> Decimal | None:
        return self.tally.mean

    @property
    def weighted_mean(self) -> Decimal | None:
        return self.tally.weighted_mean


@dataclass
class PupilResult:
    pupil_id: int
    name: str
    marks: dict[str, str] = field(default_factory=dict)  # subject name -> value ("" unattested), due subjects only
    pass_fail: set[str] = field(default_factory=set)  # the pass/fail subjects among them

    @property
    def failing_subjects(self) -> list[str]:
        return [subject for subject, value in self.marks.items() if value in FAILING]

    @property
    def missing_subjects(self) -> list[str]:
        return [subject for subject, value in self.marks.items() if not value]

    @property
    def graded_values(self) -> list[str]:
        return [v for s, v in self.marks.items() if s not in self.pass_fail and v in NUMERIC]

    def categories(self) -> set[str]:
        found = set()
        failing, missing, graded = self.failing_subjects, self.missing_subjects, self.graded_values
        if missing:
            found.add(UNATTESTED)
        if failing:
            found.add(FAILING_PUPILS)
        if len(failing) == 1:
            found.add(ONE_TWO)
        if not failing and not missing and graded:
            threes = graded.count("3")
            if all(v == "5" for v in graded):
                found.add(EXCELLENT)
            elif threes == 0:
                found.add(GOOD)
            elif threes == 1:
                found.add(ONE_THREE)
        return found

    @property
    def succeeding(self) -> bool:
        return not self.failing_subjects and not self.missing_subjects


@dataclass
class SubjectResult:
    subject_id: int
    name: str
    pass_fail: bool
    teachers: list[str]
    tally: Tally = field(default_factory=Tally)
    exempt: int = 0
    unattested_names: list[str] = field(default_factory=list)
    failing_names: list[str] = field(default_factory=list)


@dataclass
class ClassResults:
    school_class: SchoolClass
    period: PeriodChoice
    totals: Totals
    pupils: list[PupilResult]
    subjects: list[SubjectResult]
    by_assignment: dict[int, Tally]
    assignment_teacher: dict[int, str]
    assignment_label: dict[int, str]

    def names(self, category: str) -> list[str]:
        return [pupil.name for pupil in self.pupils if category in pupil.categories()]

    @property
    def at_risk(self) -> list[tuple[str, list[str], list[str]]]:
        return [
            (pupil.name, pupil.failing_subjects, pupil.missing_subjects)
            for pupil in self.pupils
            if not pupil.succeeding
        ]


def definitions(settings) -> list[str]:
    basis = (
        _("% качества — доля отметок «4» и «5» среди отметок по предметам с балльной оценкой")
        if settings.quality_basis == QualityBasis.MARKS
        else _("% качества — учащиеся только с «4» и «5» (отличники и ударники) × 100 / N")
    )
    return [
        _(
            "N — учащиеся в списке класса на последний день периода (выбывшие раньше не учитываются, прибывшие "
            "учитываются); по предмету — без освобождённых и без не аттестованных, по классу — не аттестованные "
            "входят в N."
        ),
        _("% успеваемости — учащиеся без «2», «1», «незачёт» и без неаттестации × 100 / N."),
        basis + ".",
        _("СОУ (по В. П. Симонову) = (n5·100 + n4·64 + n3·36 + n2·16 + n1·%(one)s) / число отметок.")
        % {"one": settings.sou_one_weight},
        _(
            "Средний балл — среднее арифметическое отметок за период (год); средневзвешенный балл — среднее текущих "
            "отметок периода с весами видов работ."
        ),
        _(
            "Отличники — все отметки «5»; ударники — только «4» и «5»; с одной «3» — одна «3», остальные «4» и «5»; "
            "неуспевающие — хотя бы одна «2» («1», «незачёт»); не аттестованы — нет отметки по предмету."
        ),
        _(
            "Предметы «зачёт/незачёт» учитываются только в % успеваемости. Предмет, который ведётся по подгруппам, — "
            "один предмет класса."
        ),
    ]


# --- reading ---------------------------------------------------------------------------------------------------


def current_mark_sums(windows: list[tuple[dt.date, dt.date, Iterable[int]]]) -> list[dict[tuple[int, int], tuple]]:
    """(Σ value × weight, Σ weight, count) of the numeric current marks per (pupil, assignment), for each window, in
    one query (a conditional sum per window: the year's window overlaps its quarters').

    ``windows``: (start, end, class ids): the lessons of those classes between the dates. Returns a dict per window,
    in their order. A kind of work without a weight weighs 1 (journal.selectors.period_marks.pupil_marks);
    «зачёт»/«незачёт» never count.
    """
    windows = [(start, end, list(class_ids)) for start, end, class_ids in windows]
    if not windows:
        return []
    conditions = [
        Q(lesson__date__gte=start, lesson__date__lte=end, lesson__assignment__school_class_id__in=class_ids)
        for start, end, class_ids in windows
    ]
    weight = Coalesce(
        F("work_type__weight"), Value(Decimal(1)), output_field=DecimalField(max_digits=3, decimal_places=1)
    )
    product = ExpressionWrapper(
        Cast("value", IntegerField()) * weight, output_field=DecimalField(max_digits=12, decimal_places=2)
    )
    sums = {}
    for index, condition in enumerate(conditions):
        sums[f"t{index}"] = Sum(product, filter=condition)
        sums[f"w{index}"] = Sum(weight, filter=condition)
        sums[f"c{index}"] = Count("pk", filter=condition)
    any_window = Q()
    for condition in conditions:
        any_window |= condition
    rows = (
        Mark.objects.filter(any_window, value__in=NUMERIC)
        .values("pupil_id", "lesson__assignment_id")
        .annotate(**sums)
        .order_by()
    )
    answer: list[dict[tuple[int, int], tuple]] = [{} for _window in windows]
    for row in rows:
        key = (row["pupil_id"], row["lesson__assignment_id"])
        for index in range(len(windows)):
            if row[f"c{index}"]:
                answer[index][key] = (
                    Decimal(row[f"t{index}"]).quantize(_FINE),
                    Decimal(row[f"w{index}"]).quantize(_FINE),
                    row[f"c{index}"],
                )
    return answer


def weighted_from_sums(total: Decimal, weights: Decimal) -> Decimal | None:
    """journal.selectors.averages.weighted_average from the sums: rounded half-up to 2 places."""
    return _ratio(total, weights)


def period_frame(classes: list[SchoolClass]) -> tuple[list[StudyPeriod], dict[tuple[int, int], str]]:
    """The study periods of the classes' years and each (year, grade)'s scheme: two queries."""
    year_ids = {c.year_id for c in classes}
    periods = list(StudyPeriod.objects.filter(year_id__in=year_ids).order_by("kind", "number"))
    kinds = {
        (year_id, grade): kind
        for year_id, grade, kind in GradeSettings.objects.filter(year_id__in=year_ids).values_list(
            "year_id", "grade", "period_kind"
        )
    }
    return periods, kinds


def resolve_for_classes(classes, value, periods, kinds) -> dict[int, PeriodChoice]:
    choices = {}
    for school_class in classes:
        choice = resolve_period(
            value,
            year=school_class.year,
            grade_kind=kinds.get((school_class.year_id, school_class.grade)),
            periods=periods,
        )
        if choice is not None:
            choices[school_class.pk] = choice
    return choices


def class_results(school_class: SchoolClass, value: str, settings) -> ClassResults | None:
    results = results_for_classes([school_class], value, settings)
    return results[0] if results else None


def results_for_classes(classes, value: str, settings) -> list[ClassResults]:
    return results_batch(classes, [value], settings)[value]


def results_batch(
    classes, values: list[str], settings, *, frame=None, current_for: set[str] | None = None
) -> dict[str, list[ClassResults]]:
    """The results of the classes for each of the filter values, in a fixed number of queries (see the docstring).

    ``current_for``: the values whose weighted means of current marks are wanted (all when None); the others (a
    trend's points) skip that read, the costliest one."""
    if not isinstance(classes, list):
        classes = list(classes.select_related("year"))
    periods, kinds = frame or period_frame(classes)
    targets: list[tuple[str, SchoolClass, PeriodChoice]] = []
    for value in values:
        for class_id, choice in resolve_for_classes(classes, value, periods, kinds).items():
            targets.append((value, next(c for c in classes if c.pk == class_id), choice))
    answer: dict[str, list[ClassResults]] = {value: [] for value in values}
    if not targets:
        return answer
    class_ids = {c.pk for _v, c, _p in targets}
    last_days = [p.end for _v, _c, p in targets]

    enrollments = defaultdict(list)  # class id -> [(pupil id, name, from, to)]
    for class_id, pupil_id, last, first, middle, date_from, date_to in (
        Enrollment.objects.filter(school_class_id__in=class_ids, date_from__lte=max(last_days))
        .exclude(date_to__lt=min(last_days))
        .values_list(
            "school_class_id",
            "pupil_id",
            "pupil__user__last_name",
            "pupil__user__first_name",
            "pupil__user__middle_name",
            "date_from",
            "date_to",
        )
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "pupil_id")
    ):
        name = " ".join(part for part in (last, first, middle) if part)
        enrollments[class_id].append((pupil_id, name, date_from, date_to))

    assignments = defaultdict(list)
    for assignment in (
        TeachingAssignment.objects.filter(school_class_id__in=class_ids)
        .select_related("subject", "teacher", "subgroup")
        .order_by("subject__order", "subject__name", "subgroup__name", "pk")
    ):
        assignments[assignment.school_class_id].append(assignment)

    members = defaultdict(set)  # subgroup id -> pupil ids
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(
        subgroup__school_class_id__in=class_ids
    ).values_list("subgroup_id", "pupilprofile_id"):
        members[subgroup_id].add(pupil_id)

    pass_fail = set(
        CurriculumEntry.objects.filter(school_class_id__in=class_ids, is_pass_fail=True).values_list(
            "school_class_id", "subject_id"
        )
    )

    period_ids = {p.period_id for _v, _c, p in targets if p.period_id}
    exemptions = defaultdict(set)  # (pupil, subject) -> {period id or None}
    for pupil_id, subject_id, period_id in SubjectExemption.objects.filter(
        Q(period__isnull=True) | Q(period_id__in=period_ids),
        year_id__in={c.year_id for _v, c, _p in targets},
        pupil__enrollments__school_class_id__in=class_ids,
    ).values_list("pupil_id", "subject_id", "period_id"):
        exemptions[(pupil_id, subject_id)].add(period_id)

    by_key = defaultdict(set)
    for _v, school_class, choice in targets:
        by_key[(choice.kind, choice.period_id)].add(school_class.pk)
    condition = Q()
    for (kind, period_id), ids in by_key.items():
        condition |= Q(kind=kind, period_id=period_id, assignment__school_class_id__in=ids)
    period_marks = defaultdict(list)  # (class, kind, period) -> [(pupil, assignment id, subject id, value, updated)]
    for pupil_id, assignment_id, class_id, subject_id, kind, period_id, value, updated_at in PeriodMark.objects.filter(
        condition
    ).values_list(
        "pupil_id",
        "assignment_id",
        "assignment__school_class_id",
        "assignment__subject_id",
        "kind",
        "period_id",
        "value",
        "updated_at",
    ):
        period_marks[(class_id, kind, period_id)].append((pupil_id, assignment_id, subject_id, value, updated_at))

    windows = defaultdict(set)
    for value, school_class, choice in targets:
        if current_for is None or value in current_for:
            windows[(choice.start, choice.end)].add(school_class.pk)
    window_sums = dict(zip(windows, current_mark_sums([(s, e, ids) for (s, e), ids in windows.items()]), strict=True))

    for value, school_class, choice in targets:
        answer[value].append(
            _class_results(
                school_class,
                choice,
                settings,
                roster=[
                    (pupil_id, name)
                    for pupil_id, name, date_from, date_to in enrollments[school_class.pk]
                    if date_from <= choice.end and (date_to is None or date_to >= choice.end)
                ],
                assignments=assignments[school_class.pk],
                members=members,
                pass_fail={subject for class_id, subject in pass_fail if class_id == school_class.pk},
                exemptions=exemptions,
                marks=period_marks[(school_class.pk, choice.kind, choice.period_id)],
                sums=window_sums.get((choice.start, choice.end), {})
                if current_for is None or value in current_for
                else {},
            )
        )
    return answer


def _class_results(school_class, choice, settings, *, roster, assignments, members, pass_fail, exemptions, marks, sums):
    roster = list(dict(roster).items())  # a pupil enrolled twice on the day (impossible) would count once
    on_list = {pupil_id for pupil_id, _name in roster}
    subjects: dict[int, SubjectResult] = {}
    subject_assignments = defaultdict(list)
    for assignment in assignments:
        subject_assignments[assignment.subject_id].append(assignment)
        if assignment.subject_id not in subjects:
            subjects[assignment.subject_id] = SubjectResult(
                subject_id=assignment.subject_id,
                name=assignment.subject.name,
                pass_fail=assignment.subject_id in pass_fail,
                teachers=[],
            )
        teacher = assignment.teacher.short_name
        if teacher not in subjects[assignment.subject_id].teachers:
            subjects[assignment.subject_id].teachers.append(teacher)

    # A pupil's mark per subject: the subgroups' marks merged; the latest set one if two assignments have one.
    mark_of: dict[tuple[int, int], tuple[str, int]] = {}
    updated: dict[tuple[int, int], dt.datetime] = {}
    for pupil_id, assignment_id, subject_id, value, updated_at in marks:
        if not value or pupil_id not in on_list:
            continue
        key = (pupil_id, subject_id)
        if key not in updated or updated_at > updated[key]:
            mark_of[key], updated[key] = (value, assignment_id), updated_at

    period_id = choice.period_id

    def exempt(pupil_id: int, subject_id: int) -> bool:
        periods = exemptions.get((pupil_id, subject_id))
        if not periods:
            return False
        return None in periods or (period_id is not None and period_id in periods)

    # Per subject, worked out once (not per pupil): its assignments' ids, whether one is the whole class's, its
    # subgroups' members in the assignments' order (the first that has the pupil is the pupil's own).
    subject_ids = {subject_id: [a.pk for a in listed] for subject_id, listed in subject_assignments.items()}
    whole_class = {
        subject_id: any(a.subgroup_id is None for a in listed) for subject_id, listed in subject_assignments.items()
    }
    homes = {
        subject_id: [(a.pk, None if a.subgroup_id is None else members[a.subgroup_id]) for a in listed]
        for subject_id, listed in subject_assignments.items()
    }

    def due(pupil_id: int, subject_id: int) -> bool:
        if (pupil_id, subject_id) in mark_of or whole_class[subject_id]:
            return True
        return any(pupil_id in group for _pk, group in homes[subject_id])

    by_assignment: dict[int, Tally] = {a.pk: Tally() for a in assignments}
    totals = Totals(quality_basis=settings.quality_basis, one_weight=settings.sou_one_weight)
    class_tally = totals.tally
    pupils: list[PupilResult] = []
    for pupil_id, name in roster:
        pupil = PupilResult(pupil_id=pupil_id, name=name)
        for subject_id, subject in subjects.items():
            if exempt(pupil_id, subject_id):
                if due(pupil_id, subject_id):
                    subject.exempt += 1
                continue
            if not due(pupil_id, subject_id):
                continue
            value, assignment_id = mark_of.get((pupil_id, subject_id), ("", None))
            pupil.marks[subject.name] = value
            tally = subject.tally
            # The pupil's figures go straight into the subject's tally, the class's (not for a pass/fail subject,
            # but its unattested) and the assignment's: the same sums as adding a pupil's own tally to each.
            if subject.pass_fail:
                pupil.pass_fail.add(subject.name)
            else:
                for pk in subject_ids[subject_id]:
                    found = sums.get((pupil_id, pk))
                    if found is None:
                        continue
                    total, weights, _count = found
                    tally.current_total += total
                    tally.current_weights += weights
                    class_tally.current_total += total
                    class_tally.current_weights += weights
                    by_assignment[pk].current_total += total
                    by_assignment[pk].current_weights += weights
            if value:
                tally.counts[value] += 1
                if not subject.pass_fail:
                    class_tally.counts[value] += 1
                by_assignment[assignment_id].counts[value] += 1
                if value in FAILING:
                    subject.failing_names.append(name)
            else:
                tally.unattested += 1
                class_tally.unattested += 1
                subject.unattested_names.append(name)
                home = next(
                    (pk for pk, group in homes[subject_id] if group is None or pupil_id in group),
                    None,
                )
                if home is not None:
                    by_assignment[home].unattested += 1
        if not pupil.marks:
            continue  # exempt from everything, or due nothing: not in the class's N
        pupils.append(pupil)
        found = pupil.categories()
        totals.n += 1
        for category in (EXCELLENT, GOOD, ONE_THREE, ONE_TWO, FAILING_PUPILS, UNATTESTED):
            if category in found:
                setattr(totals, category, getattr(totals, category) + 1)
        totals.succeeding += pupil.succeeding
    # Pass/fail marks are in the subjects' tallies (for their успеваемость) but not in the class's marks.
    return ClassResults(
        school_class=school_class,
        period=choice,
        totals=totals,
        pupils=pupils,
        subjects=list(subjects.values()),
        by_assignment=by_assignment,
        assignment_teacher={a.pk: a.teacher.short_name for a in assignments},
        assignment_label={
            a.pk: f"{a.subject.name}, {a.subgroup.name}" if a.subgroup_id else a.subject.name for a in assignments
        },
    )


# --- the reports «Итоги успеваемости» (class) and «Итоги успеваемости по школе» ------------------------------------


@dataclass
class ClassReport:
    """One class's results for the report: all of it for the class's teacher and the administration; for a subject
    teacher only their own assignments (``own``), never the class's figures over other teachers' subjects."""

    school_class: SchoolClass | None
    whole: bool
    results: ClassResults | None
    own: set[int]
    settings: object


def results_report(scope, data: dict, *, progress=None) -> ClassReport:
    settings = report_settings(scope.school)
    school_class = data.get("school_class")
    if school_class is None:
        return ClassReport(None, False, None, set(), settings)
    whole = scope.classes.filter(pk=school_class.pk).exists()
    own = set() if whole else set(scope.assignments.filter(school_class=school_class).values_list("pk", flat=True))
    results = class_results(school_class, data["period"], settings)
    return ClassReport(school_class, whole, results, own, settings)


@dataclass
class Aggregate:
    """Figures summed over classes: per class, per grade, per subject, per teacher and for the school."""

    classes: dict[int, Totals]
    grades: dict[int, Totals]
    subjects: dict[str, Tally]
    teachers: dict[str, Tally]
    school: Totals


def aggregate(results: list[ClassResults], settings) -> Aggregate:
    def totals() -> Totals:
        return Totals(quality_basis=settings.quality_basis, one_weight=settings.sou_one_weight)

    grades: dict[int, Totals] = defaultdict(totals)
    subjects: dict[str, Tally] = defaultdict(Tally)
    teachers: dict[str, Tally] = defaultdict(Tally)
    school = totals()
    for result in results:
        grades[result.school_class.grade].add(result.totals)
        school.add(result.totals)
        for subject in result.subjects:
            subjects[subject.name].add(subject.tally)
        for assignment_id, tally in result.by_assignment.items():
            teachers[result.assignment_teacher[assignment_id]].add(tally)
    return Aggregate(
        classes={r.school_class.pk: r.totals for r in results},
        grades=dict(sorted(grades.items())),
        subjects=dict(sorted(subjects.items())),
        teachers=dict(sorted(teachers.items())),
        school=school,
    )


@dataclass
class SchoolResults:
    year: SchoolYear | None
    label: str
    previous_label: str
    current: list[ClassResults]
    now: Aggregate | None
    before: Aggregate | None
    trend: list[tuple[str, Decimal | None, Decimal | None]]  # (period, % успеваемости, % качества)
    settings: object


def school_results(scope, data: dict, *, progress=None) -> SchoolResults:
    """The school's results by class, grade, subject and teacher, the previous period beside them and the trend over
    the year's periods: one batch of queries for all of it."""
    settings = report_settings(scope.school)
    year = data.get("year")
    if year is None:
        return SchoolResults(None, "", "", [], None, None, [], settings)
    classes = SchoolClass.objects.filter(year=year).select_related("year", "class_teacher").order_by("grade", "letter")
    if data.get("grade"):
        classes = classes.filter(grade=data["grade"])
    classes = list(classes)
    frame = period_frame(classes) if classes else ([], {})
    periods = frame[0] or list(StudyPeriod.objects.filter(year=year))
    value = data["period"]
    previous = previous_value(value, periods)
    chosen = next((p for p in periods if str(p.pk) == value), None)
    scheme = chosen.kind if chosen else next((p.kind for p in periods if p.kind == "quarter"), None)
    # The trend's points: the scheme's periods that have begun (one to come has no marks: a gap), and the year once
    # its last period has begun.
    today = timezone.localdate()
    scheme_periods = sorted((p for p in periods if p.kind == scheme), key=lambda p: p.number)
    trend_values = [str(p.pk) for p in scheme_periods] + [YEAR_RESULT]
    begun = {str(p.pk) for p in scheme_periods if p.start_date <= today}
    if scheme_periods and scheme_periods[-1].start_date <= today:
        begun.add(YEAR_RESULT)
    wanted = {value, *([previous] if previous else [])}
    values = list(dict.fromkeys([*wanted, *(v for v in trend_values if v in begun)]))
    batch = results_batch(classes, values, settings, frame=frame, current_for=wanted) if classes else {}
    batch = {v: batch.get(v, []) for v in {*values, *trend_values}}
    if progress is not None:
        progress(len(classes), len(classes))
    labels = {str(p.pk): str(p) for p in periods} | {YEAR_RESULT: _("Год")}
    trend = []
    for trend_value in trend_values:
        school = aggregate(batch[trend_value], settings).school
        if not school.tally.n:  # no period mark yet (a period to come): a gap in the chart, not a 0 %
            trend.append((labels[trend_value], None, None))
            continue
        trend.append((labels[trend_value], school.success_pct, school.quality_pct))
    return SchoolResults(
        year=year,
        label=labels.get(value, ""),
        previous_label=labels.get(previous, "") if previous else "",
        current=batch[value],
        now=aggregate(batch[value], settings),
        before=aggregate(batch[previous], settings) if previous else None,
        trend=trend,
        settings=settings,
    )


RESULTS_BACKGROUND_CLASSES = 15  # a whole-school export above this many classes is made by a Celery job


def school_results_background(scope, data: dict, fmt: str) -> bool:
    """Whether the export runs as a job: more classes than ``RESULTS_BACKGROUND_CLASSES`` (one COUNT query)."""
    year = data.get("year")
    if year is None:
        return False
    classes = SchoolClass.objects.filter(year=year)
    if data.get("grade"):
        classes = classes.filter(grade=data["grade"])
    return classes.count() > RESULTS_BACKGROUND_CLASSES


def many_classes_background(scope, data: dict, fmt: str) -> bool:
    """Whether an export of a report over many classes runs as a job: no class chosen and more classes than
    ``RESULTS_BACKGROUND_CLASSES`` in the year (or the grade) for the administration (one COUNT query)."""
    if data.get("school_class") is not None or not scope.management:
        return False
    return school_results_background(scope, data, fmt)
