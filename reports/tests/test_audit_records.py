"""The audit's record checks (reports/selectors/audit/records.py): lessons without a topic, without homework where
the subject sets it; each with a planted lapse it finds and a clean case it does not flag, and the pinned query
count, which does not grow with more lessons and assignments."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import services
from journal.choices import PeriodKind
from journal.models import Homework, Lesson, StudyPeriod, Subject, TeachingAssignment
from reports.access import report_scope
from reports.models import AuditSettings
from reports.selectors.audit.base import AuditContext, run_audit
from reports.selectors.audit.records import subject_sets_homework

D = dt.date
TODAY = D(2026, 11, 20)
RECORDS = {"no_topic", "no_homework"}


@pytest.fixture(autouse=True)
def on_20_november():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def lesson(assignment, day, number=1, topic="", homework=None):
    row = Lesson.objects.create(assignment=assignment, date=day, number=number, topic=topic)
    if homework is not None:
        Homework.objects.create(lesson=row, text=homework, updated_by=assignment.teacher)
    return row


def audit(cast, only=RECORDS, **extra):
    context = AuditContext(scope=report_scope(cast.deputy), start=D(2026, 11, 1), end=D(2026, 11, 30), **extra)
    return context, run_audit(context, only=only)


def found(result, slug):
    return sorted(finding.lesson_id for finding in result.findings if finding.check == slug)


def test_lesson_without_topic_is_found(cast):
    bare = lesson(cast.math_a, D(2026, 11, 9), homework="№ 1")
    lesson(cast.math_a, D(2026, 11, 10), topic="Дроби", homework="№ 2")

    _context, result = audit(cast)

    assert found(result, "no_topic") == [bare.pk]
    (finding,) = [f for f in result.findings if f.check == "no_topic"]
    assert finding.teacher_id == cast.teacher.pk
    assert finding.assignment_id == cast.math_a.pk
    assert finding.class_id == cast.class_a.pk
    assert finding.text == "09.11.2026, 1 урок: нет темы урока"
    quarter = StudyPeriod.objects.get(year=cast.year, kind=PeriodKind.QUARTER, number=2)
    assert finding.url == f"/journal/grid/lessons/{bare.pk}/?period={quarter.pk}"


def test_topic_check_clean_cases(cast):
    """Lessons with topics, today's lesson (due by 24:00), a lesson to come and one outside the dates: none flagged."""
    lesson(cast.math_a, D(2026, 11, 9), topic="Дроби")
    lesson(cast.math_a, TODAY, homework="№ 3")
    lesson(cast.math_a, D(2026, 11, 23))
    lesson(cast.math_a, D(2026, 10, 20))

    _context, result = audit(cast)

    assert found(result, "no_topic") == []


def test_grace_days_setting(cast):
    """With a grace day the record of yesterday's lesson is not due yet."""
    yesterday = lesson(cast.math_a, D(2026, 11, 19))
    assert found(audit(cast)[1], "no_topic") == [yesterday.pk]

    rules = AuditSettings(school=cast.school, record_grace_days=1)
    assert found(audit(cast, settings=rules)[1], "no_topic") == []


def test_substitute_is_charged(cast):
    replaced = Lesson.objects.create(
        assignment=cast.math_a, date=D(2026, 11, 9), number=2, taught_by=cast.other_teacher
    )

    _context, result = audit(cast)

    (finding,) = [f for f in result.findings if f.lesson_id == replaced.pk and f.check == "no_topic"]
    assert finding.teacher_id == cast.other_teacher.pk


def test_lesson_without_homework_is_found(cast):
    bare = lesson(cast.math_a, D(2026, 11, 9), topic="Дроби")
    removed = lesson(cast.math_a, D(2026, 11, 10), topic="Дроби")
    Homework.objects.create(lesson=removed, text="", updated_by=cast.teacher)  # taken back: the row stays, empty

    _context, result = audit(cast)

    assert found(result, "no_homework") == [bare.pk, removed.pk]
    assert {f.text for f in result.findings if f.check == "no_homework"} == {
        "09.11.2026, 1 урок: не задано домашнее задание",
        "10.11.2026, 1 урок: не задано домашнее задание",
    }


def test_homework_check_clean_cases(cast):
    """Homework given, today's lesson (due after the day's lessons), a subject without homework, the first grade."""
    lesson(cast.math_a, D(2026, 11, 9), topic="Дроби", homework="№ 1")
    lesson(cast.math_a, TODAY, topic="Дроби")
    sport = services.subject_create(actor=cast.admin, school=cast.school, name="Физическая культура")
    pe_a = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=sport, teacher=cast.teacher, hours_per_week=Decimal(2)
    )
    lesson(pe_a, D(2026, 11, 9), number=2, topic="Бег")
    first_grade = services.class_create(actor=cast.admin, year=cast.year, grade=1, letter="А")
    math_1 = services.assignment_create(
        actor=cast.admin,
        school_class=first_grade,
        subject=cast.math_a.subject,
        teacher=cast.teacher,
        hours_per_week=Decimal(4),
    )
    lesson(math_1, D(2026, 11, 9), topic="Счёт")

    _context, result = audit(cast)

    assert found(result, "no_homework") == []


@pytest.mark.parametrize(
    ("name", "short_name", "expected"),
    [
        ("Математика", "", True),
        ("Физика", "", True),
        ("Русский язык", "", True),
        ("Физическая культура", "", False),
        ("Физкультура", "", False),
        ("Изобразительное искусство", "ИЗО", False),
        ("Музыка", "", False),
        ("Труд (технология)", "", False),
        ("Основы безопасности и защиты Родины", "ОБЗР", False),
        ("Разговоры о важном", "", False),
    ],
)
def test_subjects_that_set_homework(cast, name, short_name, expected):
    subject = Subject(school=cast.school, name=name, short_name=short_name)
    assignment = TeachingAssignment(school_class=cast.class_a, subject=subject)
    assert subject_sets_homework(assignment) is expected


def test_the_audit_never_writes(cast):
    lesson(cast.math_a, D(2026, 11, 9))
    with CaptureQueriesContext(connection) as queries:
        audit(cast)
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)


def count_queries(cast, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        audit(cast, **extra)
    return len(queries.captured_queries)


def test_query_count_does_not_grow(cast):
    """Pinned: the assignments, the audit settings, the lessons, the lessons with homework, and the study periods
    with the grades' settings for the links (6 queries), whatever the number of lessons and assignments."""
    lesson(cast.math_a, D(2026, 11, 9))
    lesson(cast.physics_b, D(2026, 11, 9))
    report_scope(cast.deputy)  # the scope's own reads are the view's, not the audit's
    small = count_queries(cast)
    for day in range(2, 20):
        lesson(cast.math_a, D(2026, 11, day), number=2)
        lesson(cast.russian_b, D(2026, 11, day), topic="Тема", homework="Упр. 1")
    extra = services.subject_create(actor=cast.admin, school=cast.school, name="История")
    for school_class in (cast.class_a, cast.class_b):
        history = services.assignment_create(
            actor=cast.admin, school_class=school_class, subject=extra, teacher=cast.teacher, hours_per_week=Decimal(2)
        )
        for day in range(2, 20):
            lesson(history, D(2026, 11, day), number=3)
    assert count_queries(cast) == small == 6


# Attendance taken (no_attendance) --------------------------------------------------------------------------------


def test_lesson_without_attendance_is_found(cast):
    """A held lesson with neither the «attendance taken» stamp nor a code: «не отмечена посещаемость»."""
    bare = lesson(cast.math_a, D(2026, 11, 9), topic="Дроби")
    _context, result = audit(cast, only={"no_attendance"})
    assert found(result, "no_attendance") == [bare.pk]
    (finding,) = result.findings
    assert finding.teacher_id == cast.teacher.pk and finding.assignment_id == cast.math_a.pk
    assert finding.text == "09.11.2026, 1 урок: не отмечена посещаемость"
    assert finding.url.startswith(f"/journal/grid/lessons/{bare.pk}/")


def test_attendance_check_clean_cases(cast):
    """Stamped (all present confirmed), with an absence or lateness, today's lesson (due by 24:00), a lesson to come:
    none flagged. A cleared code (its row kept with "") does not count as taken."""
    from journal.models import Attendance

    stamped = lesson(cast.math_a, D(2026, 11, 9))
    Lesson.objects.filter(pk=stamped.pk).update(attendance_taken_at=dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC))
    absent = lesson(cast.math_a, D(2026, 11, 10))
    Attendance.objects.create(lesson=absent, pupil=cast.pupil, code="оп", updated_by=cast.teacher)
    cleared = lesson(cast.math_a, D(2026, 11, 11))
    Attendance.objects.create(lesson=cleared, pupil=cast.pupil, code="", updated_by=cast.teacher)
    lesson(cast.math_a, TODAY)
    lesson(cast.math_a, D(2026, 11, 23))

    _context, result = audit(cast, only={"no_attendance"})

    assert found(result, "no_attendance") == [cleared.pk]


def test_attendance_check_follows_the_grace_days(cast):
    yesterday = lesson(cast.math_a, D(2026, 11, 19))
    assert found(audit(cast, only={"no_attendance"})[1], "no_attendance") == [yesterday.pk]
    rules = AuditSettings(school=cast.school, record_grace_days=1)
    assert found(audit(cast, only={"no_attendance"}, settings=rules)[1], "no_attendance") == []


def test_attendance_check_query_count_does_not_grow(cast):
    """The records' 6 queries and one more: the lessons with a code entered (for the whole scope)."""
    lesson(cast.math_a, D(2026, 11, 9))
    report_scope(cast.deputy)
    small = count_queries(cast, only=RECORDS | {"no_attendance"})
    for day in range(2, 20):
        lesson(cast.math_a, D(2026, 11, day), number=2)
        lesson(cast.physics_b, D(2026, 11, day), topic="Тема", homework="Упр. 1")
    assert count_queries(cast, only=RECORDS | {"no_attendance"}) == small == 7
