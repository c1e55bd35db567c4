"""The audit's lateness checks (reports/selectors/audit/lateness.py), read from Lesson.recorded_at and the history
of homework and marks: each with a planted late entry it finds and a timely one it does not flag, the school's
time zone, the bell schedule, the settings, and the pinned query count, which does not grow with the school.

Records are written at chosen moments by travelling in time: simple_history dates each row with the clock.
The school is in Moscow (UTC+3); the bells: lesson n starts at 8:00 + n h (MSK) and lasts 45 minutes.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import services
from journal.models import Bell, Homework, Lesson, Mark, WorkType
from reports.access import report_scope
from reports.models import AuditSettings
from reports.selectors.audit.base import AuditContext, run_audit
from reports.selectors.audit.lateness import is_essay

D = dt.date
MSK = dt.timezone(dt.timedelta(hours=3))
LATENESS = {"late_record", "late_homework", "late_marks"}


def msk(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MSK)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def bells(cast):
    return Bell.objects.bulk_create(
        [Bell(year=cast.year, number=n, start_time=dt.time(8 + n), end_time=dt.time(8 + n, 45)) for n in range(1, 9)]
    )


def lesson(assignment, day, number=1, topic="", recorded_at=None, work_type=None, topic_at=None):
    """A lesson laid out early on its day (its history row then, without a topic); with ``topic_at`` the topic is
    written at that moment, else at once."""
    with at(msk(day, 7)):
        row = Lesson.objects.create(
            assignment=assignment,
            date=day,
            number=number,
            topic="" if topic_at else topic,
            recorded_at=recorded_at,
            work_type=work_type,
        )
    if topic_at:
        with at(topic_at):
            row.topic = topic
            row.save()
    return row


def bulk_lesson(assignment, day, **fields):
    """A lesson written in bulk: no history rows (as imports and the demo write them)."""
    Lesson.objects.bulk_create([Lesson(assignment=assignment, date=day, number=1, **fields)])
    return Lesson.objects.get(assignment=assignment, date=day, number=1)


def homework(lesson_row, moment, text="№ 1"):
    with at(moment):
        return Homework.objects.create(lesson=lesson_row, text=text, updated_by=lesson_row.assignment.teacher)


def mark(cast, lesson_row, moment, pupil=None, value="5", work_type=None):
    with at(moment):
        return Mark.objects.create(
            lesson=lesson_row, pupil=pupil or cast.pupil, value=value, work_type=work_type, updated_by=cast.teacher
        )


def audit(cast, only=LATENESS, start=D(2026, 11, 1), end=D(2026, 11, 30), today=D(2026, 11, 27), **extra):
    context = AuditContext(scope=report_scope(cast.deputy), start=start, end=end, today=today, **extra)
    return run_audit(context, only=only)


def found(result, slug):
    return sorted(finding.lesson_id for finding in result.findings if finding.check == slug)


# The lesson record -------------------------------------------------------------------------------------------------


def test_lesson_record_after_its_day_is_found(cast):
    """Due by 24:00 of the lesson day in Moscow: 23:59 MSK is in time, 00:30 MSK the next day is late (21:30 UTC
    of the lesson day itself, so a check in UTC would miss it). The topic's own moment counts, not an earlier kind
    of work (``recorded_at``)."""
    in_time = lesson(cast.math_a, D(2026, 11, 10), topic="Дроби", topic_at=msk(D(2026, 11, 10), 23, 59))
    late_at = msk(D(2026, 11, 12), 0, 30)
    assert late_at.astimezone(dt.UTC).date() == D(2026, 11, 11)
    late = lesson(
        cast.math_a, D(2026, 11, 11), topic="Дроби", recorded_at=msk(D(2026, 11, 11), 9, 10), topic_at=late_at
    )

    result = audit(cast)

    assert found(result, "late_record") == [late.pk]
    (finding,) = [f for f in result.findings if f.check == "late_record"]
    assert finding.text == "11.11.2026, 1 урок: запись об уроке внесена 12.11.2026 00:30, позже срока"
    assert finding.teacher_id == cast.teacher.pk
    assert in_time.pk not in found(result, "late_record")


def test_lesson_record_without_history_falls_back_to_recorded_at(cast):
    late = bulk_lesson(cast.math_a, D(2026, 11, 10), topic="Дроби", recorded_at=msk(D(2026, 11, 13), 10))
    assert found(audit(cast), "late_record") == [late.pk]


def test_lesson_record_clean_cases_and_grace_days(cast):
    """No topic (the «Без темы» check's), no moment known (old records), and the grace days of the setting."""
    lesson(cast.math_a, D(2026, 11, 9), recorded_at=msk(D(2026, 11, 15), 10))  # a kind of work only, no topic
    bulk_lesson(cast.math_a, D(2026, 11, 10), topic="Дроби")  # neither history nor recorded_at
    next_day = lesson(cast.math_a, D(2026, 11, 11), topic="Дроби", topic_at=msk(D(2026, 11, 12), 9))

    assert found(audit(cast), "late_record") == [next_day.pk]
    rules = AuditSettings(school=cast.school, record_grace_days=1)
    assert found(audit(cast, settings=rules), "late_record") == []


# Homework ------------------------------------------------------------------------------------------------------------


def test_homework_after_the_class_day_is_found(cast, bells):
    """7 «А» on 10.11: math at lesson 1, English (another teacher) at lesson 6, ending 14:45 MSK: homework is due by
    16:15 MSK, whoever's lesson it is — also in the drill-down to the math teacher, who does not see English."""
    english_subject = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    english = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english_subject,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(3),
    )
    day = D(2026, 11, 10)
    in_time = lesson(cast.math_a, day, number=1, topic="Дроби")
    lesson(english, day, number=6, topic="Present Simple")
    homework(in_time, msk(day, 16, 10))
    next_day = D(2026, 11, 11)
    late = lesson(cast.math_a, next_day, number=1, topic="Дроби")
    lesson(english, next_day, number=6, topic="Past Simple")
    homework(late, msk(next_day, 16, 20))

    result = audit(cast)
    assert found(result, "late_homework") == [late.pk]
    (finding,) = [f for f in result.findings if f.check == "late_homework"]
    assert finding.text == "11.11.2026, 1 урок: домашнее задание внесено 11.11.2026 16:20, позже срока"

    drill = audit(cast, teacher_id=cast.teacher.pk)
    assert found(drill, "late_homework") == [late.pk]


def test_homework_clean_cases(cast, bells):
    """Homework given before the lesson, edited the next day (the first moment counts), taken back, or without a
    bell for the day's last lesson (due by 24:00)."""
    day = D(2026, 11, 10)
    before = lesson(cast.math_a, day, number=1, topic="Дроби")
    homework(before, msk(day, 7))
    edited = lesson(cast.math_a, day, number=2, topic="Дроби")
    given = homework(edited, msk(day, 11))
    with at(msk(D(2026, 11, 12), 10)):
        given.text = "№ 2, 3"
        given.save()
    removed = lesson(cast.math_a, day, number=3, topic="Дроби")
    taken = homework(removed, msk(D(2026, 11, 13), 10))
    taken.text = ""
    taken.save()
    no_bell = lesson(cast.math_a, D(2026, 11, 11), number=11, topic="Дроби")  # no bell for lesson 11
    homework(no_bell, msk(D(2026, 11, 11), 23, 50))

    assert found(audit(cast), "late_homework") == []


def test_homework_minutes_setting(cast, bells):
    day = D(2026, 11, 10)
    row = lesson(cast.math_a, day, number=1, topic="Дроби")  # ends 9:45 MSK
    homework(row, msk(day, 11, 30))  # 1 h 45 min later
    assert found(audit(cast), "late_homework") == [row.pk]
    assert found(audit(cast, settings=AuditSettings(school=cast.school, homework_minutes=120)), "late_homework") == []


# Marks ---------------------------------------------------------------------------------------------------------------


def test_marks_after_the_next_lesson_are_found(cast, bells):
    """Math on 10.11 and 12.11 at lesson 1 (9:00 MSK): the marks of 10.11 are due by 12.11 9:00."""
    first = lesson(cast.math_a, D(2026, 11, 10), topic="Дроби")
    lesson(cast.math_a, D(2026, 11, 12), topic="Дроби")
    mark(cast, first, msk(D(2026, 11, 12), 8, 59))  # the cast has one pupil in 7 «А»: a second mark, position 2

    assert found(audit(cast), "late_marks") == []

    with at(msk(D(2026, 11, 12), 9, 30)):
        Mark.objects.create(lesson=first, pupil=cast.pupil, position=2, value="4", updated_by=cast.teacher)
    result = audit(cast)
    assert found(result, "late_marks") == [first.pk]
    (finding,) = [f for f in result.findings if f.check == "late_marks"]
    assert finding.text == "10.11.2026, 1 урок: отметок внесено позже срока: 1 (последняя 12.11.2026 09:30)"


def test_next_lesson_after_the_dates(cast, bells):
    """The dates end on 12.11; the next lesson (13.11, lesson 3 at 11:00 MSK) lies after them and still sets the
    deadline. The last lesson audited before today with no next lesson yet has none."""
    audited = lesson(cast.math_a, D(2026, 11, 12), topic="Дроби")
    lesson(cast.math_a, D(2026, 11, 13), number=3, topic="Дроби")
    mark(cast, audited, msk(D(2026, 11, 13), 11, 5))

    assert found(audit(cast, end=D(2026, 11, 12)), "late_marks") == [audited.pk]
    assert (
        found(
            audit(cast, end=D(2026, 11, 12), settings=AuditSettings(school=cast.school, mark_next_lessons=2)),
            "late_marks",
        )
        == []
    )
    waiting = lesson(cast.math_a, D(2026, 11, 20), topic="Дроби")
    mark(cast, waiting, msk(D(2026, 11, 26), 12))
    assert waiting.pk not in found(audit(cast), "late_marks")


def test_a_corrected_mark_keeps_its_first_moment(cast, bells):
    first = lesson(cast.math_a, D(2026, 11, 10), topic="Дроби")
    lesson(cast.math_a, D(2026, 11, 12), topic="Дроби")
    given = mark(cast, first, msk(D(2026, 11, 10), 12))
    with at(msk(D(2026, 11, 16), 12)):
        given.value = "4"
        given.save()

    assert found(audit(cast), "late_marks") == []


def test_essay_marks_have_a_week(cast, bells):
    """A dictation's marks (by the mark's kind of work or the lesson's) are due by 24:00 of the lesson day + 7."""
    dictation = WorkType.objects.create(school=cast.school, name="Диктант", short_name="Дикт")
    essay = WorkType.objects.create(school=cast.school, name="Сочинение", short_name="Соч")
    by_mark = lesson(cast.math_a, D(2026, 11, 9), topic="Диктант")
    by_lesson = lesson(cast.math_a, D(2026, 11, 10), topic="Сочинение", work_type=essay)
    late = lesson(cast.math_a, D(2026, 11, 11), topic="Диктант")
    lesson(cast.math_a, D(2026, 11, 12), topic="Дроби")
    mark(cast, by_mark, msk(D(2026, 11, 16), 23, 30), work_type=dictation)  # after the next lesson, within 7 days
    mark(cast, by_lesson, msk(D(2026, 11, 17), 20))
    mark(cast, late, msk(D(2026, 11, 19), 0, 10), work_type=dictation)  # 7 days and 10 minutes

    assert found(audit(cast), "late_marks") == [late.pk]
    assert found(audit(cast, settings=AuditSettings(school=cast.school, essay_days=8)), "late_marks") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Диктант", True), ("Сочинение", True), ("Изложение", True), ("Словарный диктант", True),
     ("Контрольная работа", False), ("Устный ответ", False)],
)  # fmt: skip
def test_essay_names(name, expected):
    assert is_essay(name) is expected


# Queries -------------------------------------------------------------------------------------------------------------


def count_queries(cast) -> int:
    with CaptureQueriesContext(connection) as queries:
        audit(cast, end=D(2026, 11, 15))
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)
    return len(queries.captured_queries)


def plant(cast, assignment, day, number):
    row = lesson(assignment, day, number=number, topic="Тема", topic_at=msk(day + dt.timedelta(days=1), 10))
    homework(row, msk(day, 20))
    mark(cast, row, msk(day + dt.timedelta(days=5), 10))
    return row


def test_query_count_does_not_grow(cast, bells):
    """Pinned, for the three checks together: the assignments, the settings, the lessons, the bells, the study
    periods and the grades' settings (for the links), the kinds of work, the class days' last lessons, the lessons'
    history, the homework history, the marks history and the lessons after the dates: 12 queries, however many
    lessons and assignments."""
    plant(cast, cast.math_a, D(2026, 11, 10), 1)
    lesson(cast.math_a, D(2026, 11, 17))
    report_scope(cast.deputy)
    small = count_queries(cast)
    extra = services.subject_create(actor=cast.admin, school=cast.school, name="История")
    history = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=extra, teacher=cast.teacher, hours_per_week=Decimal(2)
    )
    for day in range(2, 14):
        plant(cast, history, D(2026, 11, day), 3)
        lesson(cast.russian_b, D(2026, 11, day), number=2, topic="Тема")
    assert count_queries(cast) == small == 12
