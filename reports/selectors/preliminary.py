"""«Предварительный отчёт»: before a study period ends, each pupil's forecast period mark in each subject (from the
weighted average of the current marks so far), the pupils below the minimum number of marks, those heading for a 2.

For a class (the administration: a grade or the school). Each class's period is the one of its grade's scheme
(четверти, полугодия) that holds the chosen period's last day; the forecast is made on a date (default today)
clamped into it, over the pupils on the class list that day (movement of pupils), the marks of the period up to
that day. A pupil exempt from a subject (``SubjectExemption``: for the period or the year) shows «осв.» and counts
in no figure. A subject teacher sees their own assignments, a class teacher their class, the administration all.

A fixed number of queries (8) whatever the number of classes, pupils, lessons or marks.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from journal.models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Mark,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
)
from journal.selectors.averages import forecast, period_mark_minimum

from ..access import ReportScope
from .results import _FINE, NUMERIC, weighted_from_sums

EXEMPT = "осв."
PASS, FAIL = "зч", "нз"


@dataclass
class Forecast:
    """A pupil's figures in a subject: the marks so far, their weighted average, the mark it points to."""

    subject: str
    teacher: str
    count: int = 0
    minimum: int = 0
    average: Decimal | None = None
    value: str = ""  # "5".."2", "зч"/"нз" for pass/fail subjects, "осв." when exempt, "" without marks
    exempt: bool = False

    @property
    def too_few(self) -> bool:
        return not self.exempt and self.count < self.minimum

    @property
    def failing(self) -> bool:
        return not self.exempt and self.value in ("1", "2", FAIL)


@dataclass
class PupilForecast:
    number: int
    name: str
    cells: dict[int, Forecast] = field(default_factory=dict)  # by subject id


@dataclass
class SubjectColumn:
    pk: int
    name: str
    short_name: str


@dataclass
class ClassForecast:
    name: str
    grade: int
    period: StudyPeriod
    on_date: dt.date
    subjects: list[SubjectColumn] = field(default_factory=list)
    pupils: list[PupilForecast] = field(default_factory=list)

    def cells(self):
        for pupil in self.pupils:
            for subject in self.subjects:
                cell = pupil.cells.get(subject.pk)
                if cell is not None:
                    yield pupil, cell


@dataclass
class Preliminary:
    period: StudyPeriod | None
    on_date: dt.date | None
    classes: list[ClassForecast]

    @property
    def too_few(self) -> list[tuple[ClassForecast, PupilForecast, Forecast]]:
        return [(c, p, cell) for c in self.classes for p, cell in c.cells() if cell.too_few]

    @property
    def failing(self) -> list[tuple[ClassForecast, PupilForecast, Forecast]]:
        return [(c, p, cell) for c in self.classes for p, cell in c.cells() if cell.failing]


def class_period(periods: list[StudyPeriod], kind: str | None, chosen: StudyPeriod) -> StudyPeriod | None:
    """The period of the class's scheme that holds the chosen period's last day (the chosen one if of that kind)."""
    if kind is None or chosen.kind == kind:
        return chosen
    own = [p for p in periods if p.kind == kind]
    return next((p for p in own if p.start_date <= chosen.end_date <= p.end_date), None) or next(
        (p for p in own if p.start_date <= chosen.start_date <= p.end_date), None
    )


def _pass_fail_value(count: int, failed: int) -> str:
    """A pass/fail subject's forecast from its ``count`` marks, ``failed`` of them «нз»: «нз» when most are, «зч»
    otherwise; "" with no marks."""
    if not count:
        return ""
    return FAIL if failed * 2 > count else PASS


NO_MARKS = (0, 0, None, None)  # (marks, «нз», Σ value × weight, Σ weight) of a pupil without marks


def preliminary(scope: ReportScope, data: dict, *, progress=None) -> Preliminary:
    year = data.get("year")
    chosen: StudyPeriod | None = data.get("study_period")
    if year is None or chosen is None:
        return Preliminary(period=None, on_date=None, classes=[])
    today = data.get("on_date") or timezone.localdate()
    assignments = scope.assignments.filter(year=year)
    if data.get("school_class") is not None:
        assignments = assignments.filter(school_class=data["school_class"])
    elif data.get("grade"):
        assignments = assignments.filter(school_class__grade=data["grade"])
    assignments = list(
        assignments.select_related("school_class", "subject", "teacher").order_by(
            "school_class__grade", "school_class__letter", "subject__order", "subject__name", "pk"
        )
    )  # 1
    schemes = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))  # 2
    periods = list(StudyPeriod.objects.filter(year=year))  # 3
    classes: dict[int, ClassForecast] = {}
    by_class: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignments:
        school_class = assignment.school_class
        if school_class.pk not in classes:
            period = class_period(periods, schemes.get(school_class.grade), chosen)
            if period is None:
                continue
            on_date = min(max(today, period.start_date), period.end_date)
            classes[school_class.pk] = ClassForecast(
                name=str(school_class), grade=school_class.grade, period=period, on_date=on_date
            )
        by_class[school_class.pk].append(assignment)
    if not classes:
        return Preliminary(period=chosen, on_date=None, classes=[])
    first = min(c.period.start_date for c in classes.values())
    last = max(c.on_date for c in classes.values())

    pass_fail = set(
        CurriculumEntry.objects.filter(school_class_id__in=classes, is_pass_fail=True).values_list(
            "school_class_id", "subject_id"
        )
    )  # 4
    # The class lists on each class's date, in alphabetical order (movement of pupils).
    on_roll: dict[int, dict[int, str]] = defaultdict(dict)
    for class_id, pupil_id, date_from, date_to, last_name, first_name, middle_name in (
        Enrollment.objects.filter(school_class_id__in=classes, date_from__lte=last)
        .exclude(date_to__lt=first)
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "pupil_id")
        .values_list(
            "school_class_id",
            "pupil_id",
            "date_from",
            "date_to",
            "pupil__user__last_name",
            "pupil__user__first_name",
            "pupil__user__middle_name",
        )
    ):  # 5
        day = classes[class_id].on_date
        if date_from <= day and (date_to is None or date_to >= day):
            on_roll[class_id][pupil_id] = " ".join(part for part in (last_name, first_name, middle_name) if part)
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(
        subgroup__school_class_id__in=list(classes)
    ).values_list("subgroup_id", "pupilprofile_id"):  # 6
        members[subgroup_id].add(pupil_id)
    # Each class's marks from its period's start to its date, read as such (a class of halves and one of quarters
    # have different windows): no mark outside a pupil's window is read or filtered here.
    windows: dict[tuple[dt.date, dt.date], list[int]] = defaultdict(list)
    for assignment in assignments:
        forecast_class = classes.get(assignment.school_class_id)
        if forecast_class is not None:
            windows[(forecast_class.period.start_date, forecast_class.on_date)].append(assignment.pk)
    in_window = Q()
    for (start, end), assignment_ids in windows.items():
        in_window |= Q(lesson__assignment__in=assignment_ids, lesson__date__gte=start, lesson__date__lte=end)
    # Per (assignment, pupil), summed by the database (a whole school's period is some 50 000 marks): all the marks
    # (the minimum counts «зч»/«нз» too), the «нз» (a pass/fail forecast), and Σ value × weight and Σ weight of the
    # numeric ones — the weighted average as journal.selectors.averages.weighted_average makes it (weights are ≥ 0.1:
    # reports.selectors.results.current_mark_sums).
    weight = Coalesce(
        F("work_type__weight"), Value(Decimal(1)), output_field=DecimalField(max_digits=3, decimal_places=1)
    )
    numeric = Q(value__in=NUMERIC)
    product = Case(
        When(numeric, then=Cast("value", IntegerField()) * weight),
        default=None,
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    marks: dict[tuple[int, int], tuple[int, int, Decimal, Decimal]] = {}
    for row in (
        Mark.objects.filter(in_window)
        .exclude(value="")
        .values("lesson__assignment_id", "pupil_id")
        .annotate(
            count=Count("pk"),
            failed=Count("pk", filter=Q(value=FAIL)),
            total=Sum(product, filter=numeric),
            weights=Sum(weight, filter=numeric),
        )
        .order_by()
    ):  # 7
        total, weights = row["total"], row["weights"]
        marks[(row["lesson__assignment_id"], row["pupil_id"])] = (
            row["count"],
            row["failed"],
            Decimal(total).quantize(_FINE) if total is not None else None,
            Decimal(weights).quantize(_FINE) if weights is not None else None,
        )
    used = {c.period.pk for c in classes.values()}
    exempt = set(
        SubjectExemption.objects.filter(Q(period__isnull=True) | Q(period_id__in=used), year=year).values_list(
            "pupil_id", "subject_id", "period_id"
        )
    )  # 8

    for class_id, forecast_class in classes.items():
        period_id = forecast_class.period.pk
        pupils = {
            pupil_id: PupilForecast(number=number, name=name)
            for number, (pupil_id, name) in enumerate(on_roll[class_id].items(), start=1)
        }
        seen: dict[int, SubjectColumn] = {}
        for assignment in by_class[class_id]:
            subject = assignment.subject
            subject_id, subject_name, assignment_id = subject.pk, subject.name, assignment.pk
            seen.setdefault(subject_id, SubjectColumn(subject_id, subject_name, subject.short_name or subject_name))
            teacher = assignment.teacher.short_name if assignment.teacher_id else ""
            minimum = period_mark_minimum(assignment.hours_per_week)
            is_pass_fail = (class_id, subject_id) in pass_fail
            in_subgroup = members[assignment.subgroup_id] if assignment.subgroup_id else None
            for pupil_id, pupil in pupils.items():
                if in_subgroup is not None and pupil_id not in in_subgroup:
                    continue
                if (pupil_id, subject_id, None) in exempt or (pupil_id, subject_id, period_id) in exempt:
                    pupil.cells[subject_id] = Forecast(subject_name, teacher, value=EXEMPT, exempt=True)
                    continue
                count, failed, total, weights = marks.get((assignment_id, pupil_id), NO_MARKS)
                if is_pass_fail:  # no average: the forecast is the share of «нз»
                    average, value = None, _pass_fail_value(count, failed)
                else:
                    average = weighted_from_sums(total, weights) if weights else None
                    value = forecast(average)
                pupil.cells[subject_id] = Forecast(
                    subject=subject_name, teacher=teacher, count=count, minimum=minimum, average=average, value=value
                )
        forecast_class.subjects = list(seen.values())
        forecast_class.pupils = list(pupils.values())
    return Preliminary(period=chosen, on_date=today, classes=list(classes.values()))
