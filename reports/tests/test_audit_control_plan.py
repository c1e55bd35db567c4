"""The audit's checks of control works (control.py), the КТП (plan.py) and the period marks (period_marks.py): each
with a planted lapse it finds and a clean case it does not flag; and the pinned query count of all the checks of
accumulation.py, control.py, plan.py and period_marks.py, which does not grow with more pupils and lessons."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal.models import (
    Attendance,
    Lesson,
    Mark,
    PeriodMark,
    PlanTopic,
    StudyPeriod,
    SubjectExemption,
    Substitution,
    WorkType,
)
from reports.access import report_scope
from reports.models import ReportSettings
from reports.selectors.audit.base import AuditContext, run_audit
from reports.tests.test_results import make_pupil

D = dt.date
MINE = {
    "few_marks",
    "below_minimum",
    "mark_gap",
    "control_unmarked",
    "plan_missing",
    "plan_behind",
    "lesson_replaced",
    "lesson_not_held",
    "period_mark_late",
    "period_mark_divergent",
}


def at(year, month, day, hour=9, minute=0):
    return time_machine.travel(dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC), tick=False)


def audit(cast, only, start=D(2026, 11, 1), end=D(2026, 11, 30)):
    context = AuditContext(scope=report_scope(cast.deputy), start=start, end=end)
    return run_audit(context, only=only)


def of(result, slug):
    return [finding for finding in result.findings if finding.check == slug]


def mark(cast, lesson, pupil, value="4", work_type=None):
    return Mark.objects.create(lesson=lesson, pupil=pupil, value=value, work_type=work_type, updated_by=cast.admin)


def absent(cast, lesson, pupil, code):
    return Attendance.objects.create(lesson=lesson, pupil=pupil, code=code, updated_by=cast.admin)


# --- control works ----------------------------------------------------------------------------------------


@pytest.fixture
def control(cast):
    """A control work on 05.11 in math, 7 «А»: the cast's pupil marked, «Отсутствов» absent, «Опоздалов» late
    without a mark, «Безотметков» present without a mark, «Освобождённов» exempt without a mark."""
    p = {
        name: make_pupil(cast, name, cast.class_a)
        for name in ("Отсутствов", "Опоздалов", "Безотметков", "Освобождённов", "Больнов")
    }
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 5), number=2, is_control=True, topic="КР")
    mark(cast, lesson, cast.pupil, "5")
    absent(cast, lesson, p["Отсутствов"], "н")
    absent(cast, lesson, p["Больнов"], "б")
    absent(cast, lesson, p["Опоздалов"], "оп")
    SubjectExemption.objects.create(
        pupil=p["Освобождённов"], subject=cast.math_a.subject, year=cast.year, reason="справка", created_by=cast.admin
    )
    return lesson, p


def test_control_work_present_pupil_without_mark_found(cast, control):
    lesson, p = control
    with at(2026, 11, 20):
        result = audit(cast, {"control_unmarked"})
    findings = of(result, "control_unmarked")
    assert sorted(f.pupil_id for f in findings) == sorted([p["Опоздалов"].pk, p["Безотметков"].pk])
    finding = next(f for f in findings if f.pupil_id == p["Безотметков"].pk)
    assert finding.text == "05.11.2026, 2 урок: контрольная работа: Безотметков Иван присутствовал(а), но отметки нет"
    assert finding.lesson_id == lesson.pk and finding.teacher_id == cast.teacher.pk


def test_control_work_by_kind_of_work_found(cast):
    test = WorkType.objects.create(school=cast.school, name="Контрольная", short_name="кр", is_control=True)
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 6), number=1, work_type=test)
    with at(2026, 11, 20):
        assert [f.pupil_id for f in of(audit(cast, {"control_unmarked"}), "control_unmarked")] == [cast.pupil.pk]
    mark(cast, lesson, cast.pupil, "3", test)
    with at(2026, 11, 20):
        assert of(audit(cast, {"control_unmarked"}), "control_unmarked") == []


def test_control_work_clean_cases(cast, control):
    """Within the week for marking nothing is due; an ordinary lesson with missing marks is not a control work;
    once everybody present is marked, the control work is clean."""
    lesson, p = control
    Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 9), number=1, topic="Дроби")
    with at(2026, 11, 10):
        assert of(audit(cast, {"control_unmarked"}), "control_unmarked") == []
    mark(cast, lesson, p["Опоздалов"], "4")
    mark(cast, lesson, p["Безотметков"], "3")
    with at(2026, 11, 20):
        assert of(audit(cast, {"control_unmarked"}), "control_unmarked") == []


# --- the КТП ---------------------------------------------------------------------------------------------


def plan(assignment, *hours):
    for order, count in enumerate(hours, start=1):
        PlanTopic.objects.create(assignment=assignment, order=order, title=f"Тема {order}", hours=count)


def lesson_on(assignment, day, number=1, held=True):
    recorded = timezone.now() if held else None
    return Lesson.objects.create(assignment=assignment, date=day, number=number, topic="Тема", recorded_at=recorded)


def test_plan_missing_found_and_clean(cast):
    plan(cast.physics_b, 10)
    with at(2026, 11, 20):
        findings = of(audit(cast, {"plan_missing"}), "plan_missing")
    assert sorted(f.assignment_id for f in findings) == sorted([cast.math_a.pk, cast.russian_b.pk])
    math = next(f for f in findings if f.assignment_id == cast.math_a.pk)
    assert math.text == "Математика, 7 «А»: нет КТП"
    assert math.url == f"/journal/assignments/{cast.math_a.pk}/plan/"


def test_plan_behind_found_and_clean(cast):
    plan(cast.physics_b, 5, 5)  # 10 hours
    plan(cast.russian_b, 1, 1)  # 2 hours: more lessons than the plan are not «behind»
    with at(2026, 11, 20):
        for day in (D(2026, 10, 20), D(2026, 11, 3), D(2026, 11, 5)):
            lesson_on(cast.physics_b, day)
        for day in (D(2026, 10, 22), D(2026, 11, 10), D(2026, 11, 12)):
            lesson_on(cast.physics_b, day, held=False)
        lesson_on(cast.physics_b, D(2026, 11, 20), held=False)  # today: may still be recorded tonight
        lesson_on(cast.russian_b, D(2026, 11, 2))
        lesson_on(cast.russian_b, D(2026, 11, 3))
        lesson_on(cast.russian_b, D(2026, 11, 9), held=False)
        result = audit(cast, {"plan_behind"})
    (finding,) = of(result, "plan_behind")
    assert finding.assignment_id == cast.physics_b.pk and finding.teacher_id == cast.other_teacher.pk
    assert finding.text == "Физика, 8 «Б»: по КТП к 19.11.2026 — 6 ч, проведено 3: отставание 3 ч"


def test_lessons_not_held_found_and_clean(cast):
    with at(2026, 11, 20):
        lesson_on(cast.physics_b, D(2026, 10, 22), held=False)  # before the dates
        bare = lesson_on(cast.physics_b, D(2026, 11, 10), held=False)
        marked = lesson_on(cast.physics_b, D(2026, 11, 11), held=False)
        mark(cast, marked, cast.other_pupil)  # a mark makes it held
        lesson_on(cast.physics_b, D(2026, 11, 12))
        lesson_on(cast.physics_b, D(2026, 11, 20), held=False)  # today
        findings = of(audit(cast, {"lesson_not_held"}), "lesson_not_held")
    assert [f.lesson_id for f in findings] == [bare.pk]
    assert findings[0].text == (
        "10.11.2026, 1 урок: урок не проведён: нет ни записи об уроке, ни отметок, ни посещаемости, ни задания"
    )


def test_lessons_replaced_found_and_clean(cast):
    with at(2026, 11, 20):
        replaced = lesson_on(cast.physics_b, D(2026, 11, 10))
        lesson_on(cast.physics_b, D(2026, 11, 11))
        earlier = lesson_on(cast.physics_b, D(2026, 10, 20))
        for lesson in (replaced, earlier):
            Substitution.objects.create(
                lesson=lesson, substitute=cast.teacher, reason="болезнь", recorded_by=cast.admin
            )
            Lesson.objects.filter(pk=lesson.pk).update(taught_by=cast.teacher)
        findings = of(audit(cast, {"lesson_replaced"}), "lesson_replaced")
    assert [f.lesson_id for f in findings] == [replaced.pk]
    assert findings[0].teacher_id == cast.other_teacher.pk  # counted for the teacher replaced
    assert findings[0].text == "10.11.2026, 1 урок: замена: Teacher А. П. (болезнь)"


# --- period marks ----------------------------------------------------------------------------------------


def set_mark(cast, pupil, value, moment, assignment=None, period=None):
    """A period mark of the 1st quarter set at ``moment`` (UTC), through the model so its history is written."""
    period = period or StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    with time_machine.travel(moment, tick=False):
        row = PeriodMark.objects.filter(assignment=assignment or cast.math_a, pupil=pupil, period=period).first()
        if row is None:
            row = PeriodMark(assignment=assignment or cast.math_a, pupil=pupil, kind="period", period=period)
        row.value = value
        row.updated_by = cast.admin
        row.save()
    return row


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_period_marks_set_late_found_in_the_school_time_zone(cast):
    """The 1st quarter ends 23.10: marks are due by 21.10 (Moscow time)."""
    p = {name: make_pupil(cast, name, cast.class_a) for name in ("Вовремя", "Поздний", "Полночный", "Исправленный")}
    set_mark(cast, cast.pupil, "4", utc(2026, 10, 21, 20, 30))  # 23:30 in Moscow on the 21st: on time
    set_mark(cast, p["Вовремя"], "4", utc(2026, 10, 20, 9))
    set_mark(cast, p["Поздний"], "5", utc(2026, 10, 22, 9))
    set_mark(cast, p["Полночный"], "3", utc(2026, 10, 21, 21, 30))  # 00:30 on the 22nd in Moscow: late
    set_mark(cast, p["Исправленный"], "3", utc(2026, 10, 19, 9))
    set_mark(cast, p["Исправленный"], "4", utc(2026, 10, 26, 9))  # a later correction: still set on time
    with at(2026, 11, 20):
        findings = of(audit(cast, {"period_mark_late"}, start=D(2026, 10, 1), end=D(2026, 10, 31)), "period_mark_late")
    assert sorted(f.pupil_id for f in findings) == sorted([p["Поздний"].pk, p["Полночный"].pk])
    late = next(f for f in findings if f.pupil_id == p["Поздний"].pk)
    assert late.text == "Поздний Иван: отметка «5» за 1 четверть выставлена 22.10.2026, позже срока 21.10.2026"
    assert late.url.startswith(f"/journal/assignments/{cast.math_a.pk}/period-marks/?kind=period&period=")


def test_period_marks_of_other_periods_are_not_checked(cast):
    """A November audit does not look at the 1st quarter's marks."""
    set_mark(cast, cast.pupil, "5", utc(2026, 10, 22, 9))
    with at(2026, 11, 20):
        assert (
            of(audit(cast, {"period_mark_late"}, start=D(2026, 11, 1), end=D(2026, 11, 10)), "period_mark_late") == []
        )


def test_period_mark_far_from_the_average_found_and_clean(cast):
    far, near = make_pupil(cast, "Далёкий", cast.class_a), make_pupil(cast, "Близкий", cast.class_a)
    heavy = WorkType.objects.create(school=cast.school, name="Тест", short_name="т", weight=Decimal(2))
    first = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 9, 10), number=1)
    second = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 1), number=1)
    mark(cast, first, far, "5")
    mark(cast, second, far, "3", heavy)  # (5 + 6) / 3 = 3.67
    mark(cast, first, near, "4")
    mark(cast, second, near, "4", heavy)
    set_mark(cast, far, "5", utc(2026, 10, 20, 9))
    set_mark(cast, near, "4", utc(2026, 10, 20, 9))
    with at(2026, 11, 20):
        findings = of(
            audit(cast, {"period_mark_divergent"}, start=D(2026, 10, 1), end=D(2026, 10, 31)), "period_mark_divergent"
        )
    assert [f.pupil_id for f in findings] == [far.pk]
    assert findings[0].text == "Далёкий Иван: за 1 четверть «5», а средний балл 3,67 (расхождение 1,33 больше 0,60)"
    ReportSettings.objects.create(school=cast.school, divergence_threshold=Decimal("1.40"))
    with at(2026, 11, 20):
        assert (
            of(
                audit(cast, {"period_mark_divergent"}, start=D(2026, 10, 1), end=D(2026, 10, 31)),
                "period_mark_divergent",
            )
            == []
        )


# --- the query count -------------------------------------------------------------------------------------


def school_data(cast, tag: str, pupils: int, lessons: int):
    """Pupils with marks, control works, lessons held and not, a substitution, period marks, an exemption."""
    work = WorkType.objects.get_or_create(school=cast.school, name="КР", short_name="кр", is_control=True)[0]
    for assignment in (cast.math_a, cast.physics_b):
        school_class = assignment.school_class
        roster = [make_pupil(cast, f"{tag}{assignment.pk}_{n}", school_class) for n in range(pupils)]
        for n in range(lessons):
            day = D(2026, 10, 1) + dt.timedelta(days=n * 2 + (0 if tag == "a" else 1))
            lesson = Lesson.objects.create(
                assignment=assignment, date=day, number=1 if tag == "a" else 2, work_type=work if n % 3 == 0 else None
            )
            for pupil in roster[: n % pupils + 1]:
                mark(cast, lesson, pupil, "4")
            if n % 4 == 1:
                absent(cast, lesson, roster[0], "н")
        for pupil in roster:
            set_mark(cast, pupil, "5", utc(2026, 10, 22, 9), assignment=assignment)
        SubjectExemption.objects.create(
            pupil=roster[-1], subject=assignment.subject, year=cast.year, reason="справка", created_by=cast.admin
        )
        held = Lesson.objects.create(assignment=assignment, date=D(2026, 11, 2), number=3 if tag == "a" else 4)
        Substitution.objects.create(lesson=held, substitute=cast.deputy, recorded_by=cast.admin)
    if tag == "a":
        plan(cast.physics_b, 3, 3)


def count_queries(cast):
    context = AuditContext(scope=report_scope(cast.deputy), start=D(2026, 10, 1), end=D(2026, 11, 19))
    with CaptureQueriesContext(connection) as queries:
        result = run_audit(context, only=MINE)
    return len(queries), result


def test_query_count_does_not_grow(cast):
    """Assignments, periods, grade schemes, audit settings, class lists, exemptions, current marks, kinds of work,
    lessons, marks and absences of the control works, plan hours, lessons laid out and held per assignment, lessons
    not held, substitutions, period marks, their history, report settings, the holidays (for the gaps between marks): 19 queries (a subgroup in the scope adds one: its members), with 3 pupils and 6 lessons
    per assignment or with 9 more pupils and 18 more lessons."""
    school_data(cast, "a", pupils=3, lessons=6)
    with at(2026, 11, 20):
        small, result = count_queries(cast)
        assert {f.check for f in result.findings} >= {"control_unmarked", "plan_missing", "period_mark_late"}
    school_data(cast, "b", pupils=9, lessons=18)
    with at(2026, 11, 20):
        big, result = count_queries(cast)
    assert small == big == 19
