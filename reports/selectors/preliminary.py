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

from django.db.models import Q
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
from journal.selectors.averages import forecast, period_mark_minimum, weighted_average

from ..access import ReportScope

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


def _pass_fail_value(values: list[str]) -> str:
    """A pass/fail subject's forecast: «нз» when most of the marks are «нз», «зч» otherwise; "" with no marks."""
    if not values:
        return ""
    return FAIL if sum(v == FAIL for v in values) * 2 > len(values) else PASS


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
    marks: dict[tuple[int, int], list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    for assignment_id, pupil_id, day, value, weight in (
        Mark.objects.filter(
            lesson__assignment__in=[a.pk for a in assignments], lesson__date__gte=first, lesson__date__lte=last
        )
        .exclude(value="")
        .values_list("lesson__assignment_id", "pupil_id", "lesson__date", "value", "work_type__weight")
    ):  # 7
        marks[(assignment_id, pupil_id)].append((day, value, weight if weight is not None else Decimal(1)))
    used = {c.period.pk for c in classes.values()}
    exempt = set(
        SubjectExemption.objects.filter(Q(period__isnull=True) | Q(period_id__in=used), year=year).values_list(
            "pupil_id", "subject_id", "period_id"
        )
    )  # 8

    for class_id, forecast_class in classes.items():
        period, on_date = forecast_class.period, forecast_class.on_date
        pupils = {
            pupil_id: PupilForecast(number=number, name=name)
            for number, (pupil_id, name) in enumerate(on_roll[class_id].items(), start=1)
        }
        seen: dict[int, SubjectColumn] = {}
        for assignment in by_class[class_id]:
            subject = assignment.subject
            seen.setdefault(subject.pk, SubjectColumn(subject.pk, subject.name, subject.short_name or subject.name))
            teacher = assignment.teacher.short_name if assignment.teacher_id else ""
            minimum = period_mark_minimum(assignment.hours_per_week)
            is_pass_fail = (class_id, subject.pk) in pass_fail
            for pupil_id, pupil in pupils.items():
                if assignment.subgroup_id and pupil_id not in members[assignment.subgroup_id]:
                    continue
                if {(pupil_id, subject.pk, None), (pupil_id, subject.pk, period.pk)} & exempt:
                    pupil.cells[subject.pk] = Forecast(subject.name, teacher, value=EXEMPT, exempt=True)
                    continue
                own = [
                    (v, w)
                    for day, v, w in marks.get((assignment.pk, pupil_id), [])
                    if period.start_date <= day <= on_date
                ]
                average = weighted_average(own)
                value = _pass_fail_value([v for v, _w in own]) if is_pass_fail else forecast(average)
                pupil.cells[subject.pk] = Forecast(
                    subject=subject.name,
                    teacher=teacher,
                    count=len(own),
                    minimum=minimum,
                    average=None if is_pass_fail else average,
                    value=value,
                )
        forecast_class.subjects = list(seen.values())
        forecast_class.pupils = list(pupils.values())
    return Preliminary(period=chosen, on_date=today, classes=list(classes.values()))
