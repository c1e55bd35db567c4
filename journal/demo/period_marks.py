"""Demo period marks for the study periods already over, and a few exemptions from subjects.

Written in bulk, as the rest of the demo journal (``journal.demo.journal``), after the current marks. For every
assignment and every period of its grade's scheme that ended before ``today`` (with the demo's calendar on
2 December: the first quarter of grades 1–9; the first half-year of grades 10–11 is not over yet), each pupil on
the class (or subgroup) list on the period's last day gets the mark the weighted average of their current marks
of the period points to (``journal.selectors.averages.forecast``), set by the assignment's teacher in the last
days of the period (marks are due two days before the period ends [002 §5.4]). Pass/fail subjects get «зч»
(«нз» when most of the pupil's marks were «нз»).

The service's rules hold: a period mark needs the minimum number of current marks (``period_mark_minimum``), so,
as teachers do at the end of a quarter, a pupil with too few marks is asked in the period's last lessons where
they were present (an oral answer, written that day by the lesson's teacher) — except one pupil of the demo who
was ill for long and stays «не аттестован» in one subject (no mark, no permission). Exempt pupils
(``SubjectExemption``) get no mark: the demo has three exemptions, two from physical education for the year (health
group) and one from a subject for the current quarter; the year exemptions' pupils have no current marks in the
subject (their marks are removed with their history, as if never given). Should no lesson be left to ask a pupil
in, the deputy head's permission is recorded with its reason.
"""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User

from ..models import (
    Attendance,
    AttendanceCode,
    Bell,
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
    WorkType,
)
from ..selectors.averages import forecast, period_mark_minimum, weighted_average
from ..selectors.sql import light
from .bulk import insert_rows
from .journal import _own_timestamps

SEED = 20261201
PE = "Физическая культура"
OVERRIDE_REASON = "Длительная болезнь (справка); отметка по результатам контрольной работы"
# The exemptions of the demo: (grade, subject, whole year?, reason).
EXEMPTIONS = [
    (5, PE, True, "Специальная медицинская группа «Б», заключение врачебной комиссии от 28.08"),
    (8, PE, True, "Освобождение по состоянию здоровья на учебный год, справка поликлиники № 3 от 30.08"),
    (7, "Труд (технология)", False, "Травма руки, справка травмпункта от 09.11: на вторую четверть"),
]


@contextmanager
def _own_moments():
    """Let bulk_create keep the moments each row was given (auto_now/auto_now_add stamp the seed's moment)."""
    fields = [PeriodMark._meta.get_field("updated_at"), SubjectExemption._meta.get_field("created_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (now, now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = now, now_add


def _moment(rng: random.Random, zone, day: dt.date, now: dt.datetime) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(14, 20), rng.randint(0, 59)), tzinfo=zone)
    return min(moment, now - dt.timedelta(minutes=1))


JUDGEMENT_SHARE = 0.02  # of the marks whose average is a little above a whole number


def seed_period_marks(*, year: SchoolYear, today: dt.date) -> dict:
    """The exemptions, then the period marks of the periods over before ``today``; returns row counts."""
    rng = random.Random(SEED)
    # A teacher's own judgement now and then (a few marks a point above a low average): a stream of its own, so
    # the rest of the demo draws as before. Report 7 (the average-versus-mark check) has something to find.
    judgement = random.Random(SEED + 1)
    zone = zoneinfo.ZoneInfo(year.school.time_zone)
    now = timezone.now()
    scheme = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))
    periods = list(StudyPeriod.objects.filter(year=year).order_by("kind", "number"))
    over = [p for p in periods if p.end_date < today]
    current = {p.kind: p for p in periods if p.start_date <= today <= p.end_date}
    deputy = User.objects.filter(school_id=year.school_id, role=Role.DEPUTY).order_by("pk").first()
    assignments = list(
        TeachingAssignment.objects.filter(year=year).select_related("school_class", "subject").order_by("pk")
    )
    curriculum = {
        (school_class_id, subject_id): (hours, pass_fail)
        for school_class_id, subject_id, hours, pass_fail in CurriculumEntry.objects.filter(
            school_class__year=year
        ).values_list("school_class_id", "subject_id", "hours_per_week", "is_pass_fail")
    }
    roster: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for class_id, pupil_id, date_from, date_to in Enrollment.objects.filter(school_class__year=year).values_list(
        "school_class_id", "pupil_id", "date_from", "date_to"
    ):
        roster[class_id].append((pupil_id, date_from, date_to))
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(subgroup__school_class__year=year).values_list(
        "subgroup_id", "pupilprofile_id"
    ):
        members[subgroup_id].add(pupil_id)

    def on_roll(assignment: TeachingAssignment, day: dt.date) -> list[int]:
        return sorted(
            pupil_id
            for pupil_id, date_from, date_to in roster[assignment.school_class_id]
            if date_from <= day
            and (date_to is None or day <= date_to)
            and (assignment.subgroup_id is None or pupil_id in members[assignment.subgroup_id])
        )

    # The exemptions: the first pupil (by id) of the first class of the grade who studies the subject.
    classes = {c.pk: c for c in SchoolClass.objects.filter(year=year).select_related("class_teacher").order_by("pk")}
    exemptions: list[SubjectExemption] = []
    exempt: set[tuple[int, int, int | None]] = set()  # (pupil, subject, period or None for the year)
    for grade, subject_name, whole_year, reason in EXEMPTIONS:
        candidates = [
            a
            for a in assignments
            if a.school_class.grade == grade and a.subject.name == subject_name and on_roll(a, today)
        ]
        if not candidates:
            continue
        assignment = min(candidates, key=lambda a: (a.school_class.letter, a.pk))
        pupil_id = on_roll(assignment, today)[0]
        period = None if whole_year else current.get(scheme.get(grade))
        if not whole_year and period is None:
            continue
        school_class = classes[assignment.school_class_id]
        author = school_class.class_teacher_id or deputy.pk
        start = year.start_date if whole_year else period.start_date
        created = dt.datetime.combine(start, dt.time(rng.randint(9, 15), rng.randint(0, 59)), tzinfo=zone)
        exemptions.append(
            SubjectExemption(
                pupil_id=pupil_id,
                subject_id=assignment.subject_id,
                year=year,
                period=period,
                reason=reason,
                created_by_id=author,
                created_at=min(created, now - dt.timedelta(minutes=1)),
            )
        )
        exempt.add((pupil_id, assignment.subject_id, period.pk if period else None))
    year_exempt = [(pupil_id, subject_id) for pupil_id, subject_id, period_id in exempt if period_id is None]
    for pupil_id, subject_id in year_exempt:  # never marked in a subject they do not take
        mark_ids = list(
            Mark.objects.filter(
                pupil_id=pupil_id, lesson__assignment__year=year, lesson__assignment__subject_id=subject_id
            ).values_list("pk", flat=True)
        )
        Mark.history.filter(id__in=mark_ids).delete()
        Mark.objects.filter(pk__in=mark_ids).delete()

    # Every pupil's current marks of the assignments, by period: one read.
    by_pupil: dict[tuple[int, int], list[tuple[dt.date, str, object]]] = defaultdict(list)
    taken: set[tuple[int, int, int]] = set()  # (lesson, pupil, position) already marked
    lessons: dict[int, list[Lesson]] = defaultdict(list)
    absent: set[tuple[int, int]] = set()
    oral = WorkType.objects.filter(school_id=year.school_id, name="устный ответ").first()
    if over:
        first, last = min(p.start_date for p in over), max(p.end_date for p in over)
        for assignment_id, pupil_id, lesson_id, position, day, value, weight in Mark.objects.filter(
            lesson__assignment__year=year, lesson__date__gte=first, lesson__date__lte=last
        ).values_list(
            "lesson__assignment_id",
            "pupil_id",
            "lesson_id",
            "position",
            "lesson__date",
            "value",
            "work_type__weight",
        ):
            if value:
                by_pupil[(assignment_id, pupil_id)].append((day, value, weight if weight is not None else 1))
            taken.add((lesson_id, pupil_id, position))
        for lesson in Lesson.objects.filter(
            assignment__year=year, date__gte=first, date__lte=min(last, today - dt.timedelta(days=1))
        ).order_by("-date", "-number"):
            lessons[lesson.assignment_id].append(lesson)
        absent = set(
            Attendance.objects.filter(lesson__assignment__year=year, lesson__date__gte=first, lesson__date__lte=last)
            .exclude(code=AttendanceCode.LATE)
            .values_list("lesson_id", "pupil_id")
        )
    bells = {number: end for number, end in Bell.objects.filter(year=year).values_list("number", "end_time")}
    ability: dict[int, float] = {}

    def catch_up(assignment: TeachingAssignment, period: StudyPeriod, pupil_id: int, marks: list, needed: int):
        """The period's last lessons: the teacher asks the pupils with too few marks (накопляемость)."""
        numbers = [int(v) for v, _w in marks if v.isdigit()]
        level = sum(numbers) / len(numbers) if numbers else ability.setdefault(pupil_id, rng.uniform(3.2, 4.6))
        for lesson in lessons[assignment.pk]:
            if needed <= 0:
                break
            if not period.start_date <= lesson.date <= period.end_date or (lesson.pk, pupil_id) in absent:
                continue
            position = next((p for p in (1, 2) if (lesson.pk, pupil_id, p) not in taken), None)
            if position is None:
                continue
            value = str(max(2, min(5, round(rng.gauss(level, 0.6)))))
            end = bells.get(lesson.number, dt.time(8 + lesson.number, 45))
            at = min(
                dt.datetime.combine(lesson.date, end, tzinfo=zone) + dt.timedelta(minutes=rng.randint(-8, 90)),
                now - dt.timedelta(minutes=1),
            )
            writer = lesson.taught_by_id or assignment.teacher_id
            new_marks.append(
                Mark(lesson=lesson, pupil_id=pupil_id, position=position, value=value, work_type=oral,
                     updated_by_id=writer, updated_at=at)
            )  # fmt: skip
            taken.add((lesson.pk, pupil_id, position))
            marks.append((value, oral.weight if oral else 1))
            needed -= 1
        return marks

    rows: list[PeriodMark] = []
    new_marks: list[Mark] = []
    left_out: list[tuple[TeachingAssignment, StudyPeriod, int]] = []  # «не аттестован»
    unattested = None  # the one pupil of the demo left without a mark: a long illness, too few marks
    for assignment in assignments:
        hours, pass_fail = curriculum.get((assignment.school_class_id, assignment.subject_id), (0, False))
        minimum = period_mark_minimum(assignment.hours_per_week or hours)
        for period in over:
            if period.kind != scheme.get(assignment.school_class.grade):
                continue
            for pupil_id in on_roll(assignment, period.end_date):
                if {(pupil_id, assignment.subject_id, None), (pupil_id, assignment.subject_id, period.pk)} & exempt:
                    continue
                marks = [
                    (value, weight)
                    for day, value, weight in by_pupil.get((assignment.pk, pupil_id), [])
                    if period.start_date <= day <= period.end_date
                ]
                if len(marks) < minimum:
                    if unattested is None and marks and assignment.school_class.grade >= 5 and not pass_fail:
                        unattested = (assignment.pk, pupil_id)
                        left_out.append((assignment, period, pupil_id))
                        continue
                    marks = catch_up(assignment, period, pupil_id, marks, minimum - len(marks))
                if pass_fail:
                    value = "нз" if marks and sum(v == "нз" for v, _w in marks) * 2 > len(marks) else "зч"
                else:
                    value = forecast(weighted_average(marks))
                proposed = value
                if value in ("2", "3", "4") and judgement.random() < JUDGEMENT_SHARE:
                    average = weighted_average(marks)
                    if average is not None and Decimal("0.10") <= average - int(average) <= Decimal("0.45"):
                        value = str(int(value) + 1)
                if not value:
                    left_out.append((assignment, period, pupil_id))
                    continue
                day = period.end_date - dt.timedelta(days=rng.randint(2, 5))
                row = PeriodMark(
                    assignment=assignment,
                    pupil_id=pupil_id,
                    kind=PeriodMarkKind.PERIOD,
                    period=period,
                    proposed_value=proposed,
                    value=value,
                    updated_by_id=assignment.teacher_id,
                    updated_at=_moment(rng, zone, day, now),
                )
                if len(marks) < minimum and deputy is not None:  # no lesson left: the deputy allowed it
                    row.override_reason = OVERRIDE_REASON
                    row.overridden_by_id = deputy.pk
                rows.append(row)
    with _own_timestamps(Mark):
        Mark.objects.bulk_create(new_marks, batch_size=2000)
    Mark.history.model.objects.bulk_create(
        _history_rows(Mark, new_marks, "updated_at", "updated_by_id"), batch_size=2000
    )
    with _own_moments():
        SubjectExemption.objects.bulk_create(exemptions)
    insert_rows(PeriodMark, rows)  # as built, with their own moments (journal.demo.bulk)
    SubjectExemption.history.model.objects.bulk_create(
        _history_rows(SubjectExemption, exemptions, "created_at", "created_by_id")
    )
    insert_rows(PeriodMark.history.model, _history_rows(PeriodMark, rows, "updated_at", "updated_by_id"))
    return {
        "period_marks": len(rows),
        "caught_up_marks": len(new_marks),
        "overridden": sum(1 for row in rows if row.overridden_by_id),
        "unattested": len(left_out),
        "exemptions": len(exemptions),
    }


def _history_rows(model, rows: list, at: str, by: str) -> list:
    """The creation ("+") history rows of ``rows`` as simple_history writes them, dated by their own fields."""
    historical = model.history.model  # resolving the manager per row costs more than the rows themselves
    names = [field.attname for field in model._meta.concrete_fields]
    return [
        light(
            historical,
            **{
                **{name: getattr(row, name) for name in names},
                "history_date": getattr(row, at),
                "history_type": "+",
                "history_user_id": getattr(row, by),
            },
        )
        for row in rows
    ]
