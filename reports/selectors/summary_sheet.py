"""Сводная ведомость учёта успеваемости: for each class of a year, every pupil who belonged to it during the year
(with arrivals and departures) × its subjects, with every period mark, the year, exam and final marks.

The page of the paper journal that the archive keeps 25 years. One class or the whole school costs the same fixed
number of queries (8), whatever the number of pupils, classes and marks: the rosters, subjects, marks and
exemptions of all the classes asked for are read at once and sorted out here.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.choices import Role
from accounts.models import User
from journal.models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    PeriodMark,
    PeriodMarkKind,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    SubjectExemption,
    TeachingAssignment,
)
from journal.selectors.closing import PUPIL_ORDER, RosterRow, Span

from ..access import ReportScope
from ..forms.summary_sheet import SCHOOL_SCOPE

GRADUATION_GRADES = (9, 11)
EXEMPT = "осв."

# A column of marks under a subject: (kind, study period or None).
MarkKey = tuple[str, int | None]


@dataclass
class SheetSubject:
    pk: int
    name: str
    short_name: str
    pass_fail: bool = False
    subgroups: bool = False  # taught in subgroups: still one column
    whole_class: bool = False  # an assignment teaches it to the whole class
    subgroup_ids: set[int] = field(default_factory=set)  # the subgroups it is taught to
    order: tuple = ()

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass
class SheetPupil:
    number: int
    pupil_id: int
    name: str
    sex: str
    arrived_on: dt.date | None = None
    left_on: dt.date | None = None
    # (subject, kind, period) -> the value set («5», «зч»…); exemptions: (subject, period or None for the year).
    marks: dict[tuple[int, str, int | None], str] = field(default_factory=dict)
    exempt: set[tuple[int, int | None]] = field(default_factory=set)

    def value(self, subject_id: int, key: MarkKey) -> str:
        """The mark as the sheet shows it: the value set, else «осв.» where the pupil is exempt, else empty."""
        kind, period_id = key
        mark = self.marks.get((subject_id, kind, period_id), "")
        if mark:
            return mark
        if (subject_id, None) in self.exempt or (period_id is not None and (subject_id, period_id) in self.exempt):
            return EXEMPT
        return ""


@dataclass
class ClassSheet:
    school_class: SchoolClass
    class_teacher: str
    periods: list[StudyPeriod]
    keys: list[MarkKey]  # the sub-columns under every subject
    subjects: list[SheetSubject]
    pupils: list[SheetPupil]


@dataclass
class SummarySheets:
    year: SchoolYear | None
    school_wide: bool
    director: str
    sheets: list[ClassSheet]
    # False on screen for the whole school: the page lists the classes, the file (a background job) has the sheets.
    complete: bool = True


def _rosters(class_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[RosterRow]]:
    """``journal.selectors.closing.class_roster`` for many classes in one query: each class's pupils during
    [start, end] with their spans, ``arrived_on`` and ``left_on``."""
    enrollments = (
        Enrollment.objects.filter(school_class_id__in=class_ids, date_from__lte=end)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=start))
        .select_related("pupil__user")
        .order_by("school_class_id", *PUPIL_ORDER, "pupil_id", "date_from")
    )
    rosters: dict[int, dict[int, RosterRow]] = defaultdict(dict)
    for enrollment in enrollments:
        rows = rosters[enrollment.school_class_id]
        row = rows.setdefault(enrollment.pupil_id, RosterRow(pupil=enrollment.pupil))
        last = enrollment.date_to if enrollment.date_to is not None and enrollment.date_to < end else end
        row.spans.append(Span(max(enrollment.date_from, start), last, enrollment))
    result: dict[int, list[RosterRow]] = {}
    for class_id, rows in rosters.items():
        for row in rows.values():
            row.arrived_on = row.first_day if row.first_day > start else None
            row.left_on = row.last_day if row.last_day < end else None
        result[class_id] = list(rows.values())
    return result


def class_subjects(class_ids: list[int]) -> dict[int, list[SheetSubject]]:
    """Each class's subjects in the curriculum's order (the subject's order, then its name), with those taught
    without a curriculum line; a subject taught in subgroups is one subject (2 queries)."""
    found: dict[int, dict[int, tuple[tuple, SheetSubject]]] = defaultdict(dict)
    entries = CurriculumEntry.objects.filter(school_class_id__in=class_ids).values_list(
        "school_class_id",
        "subject_id",
        "subject__name",
        "subject__short_name",
        "subject__order",
        "is_pass_fail",
        "split_into_subgroups",
    )
    for class_id, subject_id, name, short, order, pass_fail, split in entries:
        found[class_id][subject_id] = (
            (order, name),
            SheetSubject(subject_id, name, short, pass_fail, split, order=(order, name)),
        )
    assignments = TeachingAssignment.objects.filter(school_class_id__in=class_ids).values_list(
        "school_class_id", "subject_id", "subject__name", "subject__short_name", "subject__order", "subgroup_id"
    )
    for class_id, subject_id, name, short, order, subgroup_id in assignments:
        _sort_key, subject = found[class_id].setdefault(
            subject_id, ((order, name), SheetSubject(subject_id, name, short, order=(order, name)))
        )
        subject.subgroups = subject.subgroups or subgroup_id is not None
        if subgroup_id is None:
            subject.whole_class = True
        else:
            subject.subgroup_ids.add(subgroup_id)
    return {
        class_id: [subject for _key, subject in sorted(subjects.values(), key=lambda item: item[0])]
        for class_id, subjects in found.items()
    }


def _director(school_id: int) -> str:
    director = (
        User.objects.filter(school_id=school_id, role=Role.DIRECTOR, is_active=True).order_by("last_name").first()
    )
    return director.short_name if director else ""


def summary_sheets(scope: ReportScope, data: dict, *, progress=None) -> SummarySheets:
    """The summary sheets of the chosen class, or of every class of the year for the administration.

    On screen (no ``progress``: it is given only in background jobs) the whole school is a list of its classes;
    the full sheets of the whole school are the job's file.
    """
    year: SchoolYear | None = data.get("year")
    school_wide = data.get("scope") == SCHOOL_SCOPE and scope.management
    if year is None:
        return SummarySheets(year=None, school_wide=school_wide, director="", sheets=[])
    classes_qs = scope.classes.filter(year=year).select_related("class_teacher").order_by("grade", "letter")
    if not school_wide:
        chosen = data.get("school_class")
        classes_qs = classes_qs.filter(pk=chosen.pk) if chosen is not None else classes_qs.none()
    classes = list(classes_qs)
    class_ids = [c.pk for c in classes]
    complete = not school_wide or progress is not None
    director = _director(scope.school.pk)
    period_kind = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))
    periods_by_kind: dict[str, list[StudyPeriod]] = defaultdict(list)
    for period in StudyPeriod.objects.filter(year=year).order_by("kind", "number"):
        periods_by_kind[period.kind].append(period)
    rosters = _rosters(class_ids, year.start_date, year.end_date) if class_ids else {}
    if not complete:
        sheets = [
            ClassSheet(
                school_class=c,
                class_teacher=c.class_teacher.short_name if c.class_teacher else "",
                periods=[],
                keys=[],
                subjects=[],
                pupils=[SheetPupil(n, row.pupil.pk, row.pupil.user.full_name, row.pupil.sex) for n, row in
                        enumerate(rosters.get(c.pk, []), start=1)],
            )
            for c in classes
        ]  # fmt: skip
        return SummarySheets(year=year, school_wide=True, director=director, sheets=sheets, complete=False)
    subjects = class_subjects(class_ids) if class_ids else {}
    marks: dict[tuple[int, int], dict[tuple[int, str, int | None], str]] = defaultdict(dict)
    with_exams: set[int] = set()
    if class_ids:
        rows = (
            PeriodMark.objects.filter(assignment__school_class_id__in=class_ids)
            .exclude(value="")
            .values_list(
                "assignment__school_class_id", "pupil_id", "assignment__subject_id", "kind", "period_id", "value"
            )
        )
        for class_id, pupil_id, subject_id, kind, period_id, value in rows:
            # A subject taught in subgroups: the pupil's mark from whichever group's assignment holds it.
            marks[(class_id, pupil_id)][(subject_id, kind, period_id)] = value
            if kind in (PeriodMarkKind.EXAM, PeriodMarkKind.FINAL):
                with_exams.add(class_id)
    exemptions: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    if class_ids:
        for pupil_id, subject_id, period_id in SubjectExemption.objects.filter(year=year).values_list(
            "pupil_id", "subject_id", "period_id"
        ):
            exemptions[pupil_id].add((subject_id, period_id))

    sheets = []
    for done, school_class in enumerate(classes, start=1):
        periods = periods_by_kind.get(period_kind.get(school_class.grade, ""), [])
        keys: list[MarkKey] = [(PeriodMarkKind.PERIOD, p.pk) for p in periods] + [(PeriodMarkKind.YEAR, None)]
        if school_class.grade in GRADUATION_GRADES or school_class.pk in with_exams:
            keys += [(PeriodMarkKind.EXAM, None), (PeriodMarkKind.FINAL, None)]
        pupils = []
        for number, row in enumerate(rosters.get(school_class.pk, []), start=1):
            pupils.append(
                SheetPupil(
                    number=number,
                    pupil_id=row.pupil.pk,
                    name=row.pupil.user.full_name,
                    sex=row.pupil.sex,
                    arrived_on=row.arrived_on,
                    left_on=row.left_on,
                    marks=marks.get((school_class.pk, row.pupil.pk), {}),
                    exempt=exemptions.get(row.pupil.pk, set()),
                )
            )
        sheets.append(
            ClassSheet(
                school_class=school_class,
                class_teacher=school_class.class_teacher.short_name if school_class.class_teacher else "",
                periods=periods,
                keys=keys,
                subjects=subjects.get(school_class.pk, []),
                pupils=pupils,
            )
        )
        if progress is not None:
            progress(done, len(classes))
    return SummarySheets(year=year, school_wide=school_wide, director=director, sheets=sheets)


def summary_sheet_background(scope: ReportScope, data: dict, fmt: str) -> bool:
    """The whole school's sheets are a file made by a Celery job; one class is made in the request."""
    return data.get("scope") == SCHOOL_SCOPE and scope.management
