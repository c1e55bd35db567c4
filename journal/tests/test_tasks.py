"""The journal's Celery tasks: the daily lock stamp (one UPDATE, idempotent) and the warning e-mails."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.models import Attendance, GradeSettings, Lesson, Mark, Substitution
from journal.tasks import lock_expired_lessons, warn_locking_soon

D = dt.date
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def at(day: dt.date, hour: int = 0, minute: int = 30):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW), tick=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def six_day_8th(cast):
    """8 «Б» studies six days a week: its Saturdays are working days and its cutoffs differ from 7 «А»'s."""
    GradeSettings.objects.filter(year=cast.year, grade=8).update(days_per_week=6)
    return cast


def lesson(assignment, day: dt.date, number: int = 1) -> Lesson:
    return Lesson.objects.create(assignment=assignment, date=day, number=number)


def locked(*lessons: Lesson) -> list[bool]:
    return [Lesson.objects.get(pk=item.pk).locked_at is not None for item in lessons]


# lock_expired_lessons --------------------------------------------------------------------------------------------


def test_lock_stamps_expired_lessons_per_grade_calendar(six_day_8th):
    cast = six_day_8th
    # On Fri 20.11.2026 the 5-day cutoff is 06.11 (deadline of 05.11 was 19.11; of 06.11 is 20.11, today),
    # the 6-day cutoff is 09.11 (Saturdays count: 06.11's deadline was 19.11, 09.11's is 20.11).
    a5, a6 = lesson(cast.math_a, D(2026, 11, 5)), lesson(cast.math_a, D(2026, 11, 6))
    b6, b9 = lesson(cast.russian_b, D(2026, 11, 6)), lesson(cast.russian_b, D(2026, 11, 9))
    old = lesson(cast.physics_b, D(2026, 9, 1))
    with at(D(2026, 11, 20)):
        assert lock_expired_lessons.delay().get() == 3
    assert locked(a5, a6, b6, b9, old) == [True, False, True, False, True]


def test_lock_is_idempotent_and_one_update(six_day_8th):
    cast = six_day_8th
    for day in range(1, 28):
        for assignment in (cast.math_a, cast.russian_b, cast.physics_b):
            lesson(assignment, D(2026, 10, day))
    with at(D(2026, 11, 20)):
        with CaptureQueriesContext(connection) as first:
            assert lock_expired_lessons() == 81
        stamps = dict(Lesson.objects.values_list("pk", "locked_at"))
    with at(D(2026, 11, 21)):
        with CaptureQueriesContext(connection) as second:
            assert lock_expired_lessons() == 0  # every October lesson was stamped the day before
    assert dict(Lesson.objects.values_list("pk", "locked_at")) == stamps
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1  # one UPDATE for the whole school, whatever the number of lessons and grades
    # the schools with a year; per school: its classes, then per grade (7 and 8 here) its calendar (the school's years,
    # grade settings, calendar days, vacations); the one UPDATE
    assert len(first.captured_queries) == 11
    assert len(second.captured_queries) == len(first.captured_queries)


def test_lock_query_count_does_not_grow_with_lessons(cast):
    with at(D(2026, 11, 20)):
        lesson(cast.math_a, D(2026, 10, 5))
        with CaptureQueriesContext(connection) as few:
            lock_expired_lessons()
        for day in range(6, 28):
            lesson(cast.math_a, D(2026, 10, day))
            lesson(cast.russian_b, D(2026, 10, day))
        with CaptureQueriesContext(connection) as many:
            assert lock_expired_lessons() == 44
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_lock_stamp_follows_the_deadline_exactly(cast):
    """Over holidays: 30.10's deadline is 16.11 (04.11 is a holiday); stamped on 17.11, not on 16.11."""
    the_lesson = lesson(cast.math_a, D(2026, 10, 30))
    with at(D(2026, 11, 16), 23, 59):
        assert lock_expired_lessons() == 0
    with at(D(2026, 11, 17)):
        assert lock_expired_lessons() == 1
    assert locked(the_lesson) == [True]


def test_lock_over_the_february_transfer(cast):
    """12.02.2027's deadline is 01.03.2027 (Sat 20.02 works, 22–23.02 are off): stamped on 02.03, not before."""
    the_lesson = lesson(cast.math_a, D(2027, 2, 12))
    with at(D(2027, 3, 1), 23):
        assert lock_expired_lessons() == 0
    with at(D(2027, 3, 2)):
        assert lock_expired_lessons() == 1
    assert locked(the_lesson) == [True]


# warn_locking_soon -----------------------------------------------------------------------------------------------


@pytest.fixture
def columns(six_day_8th):
    """Lessons around Fri 20.11.2026, when 7 «А»'s columns of 10.11 and 8 «Б»'s of 11.11 have 2 working days left."""
    cast = six_day_8th
    for user, email in ((cast.teacher, "teacher@school.example"), (cast.classteacher, "class@school.example")):
        user.email = email
        user.save(update_fields=["email"])
    cast.other_teacher.email = ""
    cast.other_teacher.save(update_fields=["email"])
    empty = lesson(cast.math_a, D(2026, 11, 10), 1)
    with_attendance = lesson(cast.math_a, D(2026, 11, 10), 2)
    Attendance.objects.create(lesson=with_attendance, pupil=cast.pupil, code="н", updated_by=cast.teacher)
    with_mark = lesson(cast.math_a, D(2026, 11, 10), 3)
    Mark.objects.create(lesson=with_mark, pupil=cast.pupil, value="5", updated_by=cast.teacher)
    only_cleared = lesson(cast.math_a, D(2026, 11, 10), 4)
    Mark.objects.create(lesson=only_cleared, pupil=cast.pupil, value="", updated_by=cast.teacher)
    later = lesson(cast.math_a, D(2026, 11, 11), 1)
    russian = lesson(cast.russian_b, D(2026, 11, 11), 1)
    physics = lesson(cast.physics_b, D(2026, 11, 11), 2)  # other_teacher has no e-mail
    substituted = lesson(cast.physics_b, D(2026, 11, 11), 3)
    Substitution.objects.create(lesson=substituted, substitute=cast.teacher, recorded_by=cast.deputy)
    cast.lessons = {
        "empty": empty,
        "with_attendance": with_attendance,
        "with_mark": with_mark,
        "only_cleared": only_cleared,
        "later": later,
        "russian": russian,
        "physics": physics,
        "substituted": substituted,
    }
    return cast


def test_warning_mails_each_teacher_once_with_their_empty_columns(columns):
    with at(D(2026, 11, 20), 7, 0):
        assert warn_locking_soon() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"teacher@school.example", "class@school.example"}
    teacher_mail = by_recipient["teacher@school.example"]
    assert "10.11.2026, 1 урок: Математика, 7 «А» — можно до 24.11.2026" in teacher_mail.body
    assert "10.11.2026, 4 урок" in teacher_mail.body  # a cleared mark is not an entry
    assert "11.11.2026, 3 урок: Физика, 8 «Б» — можно до 23.11.2026" in teacher_mail.body  # the substitute's
    for absent in ("10.11.2026, 2 урок", "10.11.2026, 3 урок", "11.11.2026, 1 урок"):
        assert absent not in teacher_mail.body
    assert teacher_mail.subject == "Электронный журнал: внесите отметки и пропуски до 23.11.2026 (уроков: 3)"
    assert teacher_mail.alternatives and "<li>" in teacher_mail.alternatives[0][0]
    assert "11.11.2026, 1 урок: Русский язык, 8 «Б»" in by_recipient["class@school.example"].body


def test_warning_runs_once_a_day(columns):
    with at(D(2026, 11, 20), 7, 0):
        assert warn_locking_soon() == 2
        assert warn_locking_soon() == 0
    assert len(mail.outbox) == 2


def test_no_warning_on_a_day_off_and_none_twice_for_a_column(columns):
    """7 «А»'s 10.11 column is warned on Friday only: on Saturday and Monday its deadline is not 2 days ahead."""
    for day in (D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 23)):
        with at(day, 7, 0):
            warn_locking_soon()
    assert all("10.11.2026" not in message.body for message in mail.outbox)


def test_no_warning_for_a_closed_year(columns):
    columns.year.status = "closed"
    columns.year.save()
    with at(D(2026, 11, 20), 7, 0):
        assert warn_locking_soon() == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_the_day_unclaimed(columns, monkeypatch):
    from journal import tasks

    def broken_connection(*args, **kwargs):
        raise ConnectionRefusedError("smtp is down")

    monkeypatch.setattr(tasks, "get_connection", broken_connection)
    with at(D(2026, 11, 20), 7, 0):
        with pytest.raises(ConnectionRefusedError):
            warn_locking_soon()
        monkeypatch.undo()
        assert warn_locking_soon() == 2  # the retry sends


# Schools in other time zones (issue 10: the hourly stamp touching every school's lessons went unnoticed) ------------


@pytest.fixture
def far_east(cast):
    """A second school in Vladivostok (UTC+10) with the same year, a 7 «А» and a maths lesson of 30.10.2026."""
    from decimal import Decimal

    from accounts import services as account_services
    from accounts.choices import Role
    from journal import services

    admin = cast.foreign_admin
    school = admin.school
    school.time_zone = "Asia/Vladivostok"
    school.save(update_fields=["time_zone"])
    year = services.school_year_create(
        actor=admin, school=school, name="2026/2027", start_date=cast.year.start_date, end_date=cast.year.end_date
    )
    teacher = account_services.user_create(
        actor=admin, school=school, role=Role.TEACHER, username="vl_teacher", last_name="Ким", first_name="Ирина"
    )
    school_class = services.class_create(actor=admin, year=year, grade=7, letter="А")
    subject = services.subject_create(actor=admin, school=school, name="Математика")
    return services.assignment_create(
        actor=admin, school_class=school_class, subject=subject, teacher=teacher, hours_per_week=Decimal(5)
    )


def test_the_hourly_stamp_locks_each_school_at_its_own_midnight(cast, far_east):
    """30.10's deadline is 16.11 in both schools. At 15:30 UTC on 16.11 Vladivostok is past its midnight (01:30 on
    17.11) and Moscow is not (18:30 on 16.11): the run stamps Vladivostok's lesson and leaves Moscow's, which the
    first run after Moscow's midnight stamps."""
    moscow = lesson(cast.math_a, D(2026, 10, 30))
    vladivostok = lesson(far_east, D(2026, 10, 30))
    with time_machine.travel(dt.datetime(2026, 11, 16, 13, 30, tzinfo=dt.UTC), tick=False):  # 23:30 in Vladivostok
        assert lock_expired_lessons() == 0
    with time_machine.travel(dt.datetime(2026, 11, 16, 15, 30, tzinfo=dt.UTC), tick=False):
        assert lock_expired_lessons() == 1
    assert locked(moscow, vladivostok) == [False, True]
    with time_machine.travel(dt.datetime(2026, 11, 16, 20, 30, tzinfo=dt.UTC), tick=False):  # 23:30 in Moscow
        assert lock_expired_lessons() == 0
    with time_machine.travel(dt.datetime(2026, 11, 16, 21, 30, tzinfo=dt.UTC), tick=False):  # 00:30 in Moscow
        assert lock_expired_lessons() == 1
    assert locked(moscow, vladivostok) == [True, True]


def test_a_schools_calendar_never_stamps_another_schools_lessons(cast, far_east):
    """On Fri 20.11 a 5-day week's cutoff is 06.11 and a 6-day week's 09.11 (see above). Vladivostok's 7th grade
    studies six days a week: its run stamps its own 06.11 and must leave Moscow's 06.11, still open on a 5-day week."""
    GradeSettings.objects.filter(year__school=far_east.year.school, grade=7).update(days_per_week=6)
    moscow = lesson(cast.math_a, D(2026, 11, 6))
    vladivostok = lesson(far_east, D(2026, 11, 6))
    with at(D(2026, 11, 20), 10, 0):  # 17:00 in Vladivostok: the same day in both schools
        assert lock_expired_lessons() == 1
    assert locked(moscow, vladivostok) == [False, True]
