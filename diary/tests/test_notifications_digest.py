"""The weekly digest: Saturday afternoon in the school's time zone, once a week, only for those who opted in and
have an address; per child the week's marks by subject, the absences, and the period's weighted averages."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.choices import ParentKind
from diary import tasks
from diary.choices import EmailKind, EmailStatus
from diary.models import OutgoingEmail
from diary.services.notifications import weekly_digests_queue
from journal.models import Lesson, WorkType
from journal.services.journal import attendance_set, mark_set
from journal.services.work_types import work_types_ensure

from .test_notifications_support import at, moment, wants

D = dt.date


def lesson(assignment, day: dt.date, number: int = 1) -> Lesson:
    return Lesson.objects.get_or_create(assignment=assignment, date=day, number=number)[0]


@pytest.fixture
def week(cast):
    """The week of 16–21.11.2026 (2nd quarter since 02.11): marks before and during it, an absence, a late."""
    work_types_ensure(cast.school)
    control = WorkType.objects.get(school=cast.school, name="контрольная работа")  # weight 2
    with at(2026, 11, 20, 18, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 10)), pupil=cast.pupil, value="3")
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 17)), pupil=cast.pupil, value="5")
        mark_set(
            actor=cast.teacher,
            lesson=lesson(cast.math_a, D(2026, 11, 19)),
            pupil=cast.pupil,
            value="4",
            work_type=control,
        )
        attendance_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 18)), pupil=cast.pupil, code="б")
        attendance_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 20)), pupil=cast.pupil, code="оп")
        mark_set(
            actor=cast.other_teacher,
            lesson=lesson(cast.physics_b, D(2026, 11, 16)),
            pupil=cast.other_pupil,
            value="2",
        )
    return cast


def test_an_opted_in_parent_gets_the_week(week):
    cast = week
    wants(cast.parent_user, email="olga@example.ru", weekly_digest=True)
    wants(cast.pupil_user, email="ivan@example.ru", weekly_digest=False)
    wants(cast.parent2_user, email="", weekly_digest=True)  # no address
    with at(2026, 11, 21, 15, 20):
        assert weekly_digests_queue() == 1
    email = OutgoingEmail.objects.get()
    assert email.user == cast.parent_user and email.kind == EmailKind.DIGEST
    assert email.subject == "Итоги недели 16.11–21.11.2026: Pupil Иван"
    text = email.body_text
    # The week's marks (not the one of 10.11), the period's average (3·1 + 5·1 + 4·2) / 4 = 4.00 from 3 marks.
    assert "Математика: 5 (уст), 4 (к/р); средний балл за 2 четверть 4,00 (3 отм.), прогноз 4" in text
    assert "пока мало отметок" in text  # 3 marks at 5 hours a week: 4 are needed
    assert "Пропущено уроков: 1 (по болезни 1), опозданий: 1." in text
    assert f"/diary/pupils/{cast.pupil.pk}/" in text
    assert "<b>4</b>" in email.body_html and "4,00" in email.body_html
    children = email.payload["children"]
    assert [child["name"] for child in children] == ["Pupil Иван"]


def test_one_email_for_a_parent_of_two(week):
    cast = week
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.FATHER)
    wants(cast.parent_user, email="olga@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 16, 0):
        assert weekly_digests_queue() == 1
    email = OutgoingEmail.objects.get()
    assert email.subject.endswith(": Other_pupil Иван, Pupil Иван")
    assert "Физика: 2 (уст); средний балл за 2 четверть 2,00 (1 отм.), прогноз 2" in email.body_text


def test_a_pupil_gets_their_own(week):
    wants(week.pupil_user, email="ivan@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 15, 20):
        assert weekly_digests_queue() == 1
    assert "Здравствуйте, Иван!" in OutgoingEmail.objects.get().body_text


@pytest.mark.parametrize(
    ("when", "queued"),
    [
        (moment(2026, 11, 20, 15, 20), 0),  # Friday
        (moment(2026, 11, 21, 14, 59), 0),  # Saturday morning
        (moment(2026, 11, 21, 15, 0), 1),
        (moment(2026, 11, 22, 23, 30), 1),  # Sunday: a beat that was down catches up
        (moment(2026, 11, 23, 0, 30), 0),  # Monday: too late for last week
    ],
)
def test_saturday_afternoon_only(week, when, queued):
    wants(week.parent_user, email="olga@example.ru", weekly_digest=True)
    with time_machine.travel(when, tick=False):
        assert weekly_digests_queue() == queued


def test_once_a_week(week):
    wants(week.parent_user, email="olga@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 15, 20):
        assert weekly_digests_queue() == 1
        assert weekly_digests_queue() == 0  # the school's cursor was claimed
    with at(2026, 11, 22, 10, 20):
        assert weekly_digests_queue() == 0
    with at(2026, 11, 28, 15, 20):
        assert weekly_digests_queue() == 1  # next week
    assert OutgoingEmail.objects.count() == 2


def test_in_the_schools_time_zone(week):
    week.school.time_zone = "Asia/Yekaterinburg"  # Moscow + 2
    week.school.save()
    wants(week.parent_user, email="olga@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 12, 59):  # 14:59 there
        assert weekly_digests_queue() == 0
    with at(2026, 11, 21, 13, 0):  # 15:00 there
        assert weekly_digests_queue() == 1
    email = OutgoingEmail.objects.get()
    assert email.send_after == dt.datetime(2026, 11, 21, 15, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))


def test_quiet_hours_hold_the_digest(week):
    wants(
        week.parent_user,
        email="olga@example.ru",
        weekly_digest=True,
        quiet_from=dt.time(14, 0),
        quiet_to=dt.time(18, 0),
    )
    with at(2026, 11, 21, 15, 20):
        assert weekly_digests_queue() == 1
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.PENDING and email.send_after == moment(2026, 11, 21, 18, 0)


def test_a_week_without_marks(cast):
    wants(cast.parent_user, email="olga@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 15, 20):
        assert weekly_digests_queue() == 1
    text = OutgoingEmail.objects.get().body_text
    assert "Отметок нет." in text and "Пропусков нет." in text


def test_the_task_and_the_sending(week, django_capture_on_commit_callbacks, mailoutbox):
    wants(week.parent_user, email="olga@example.ru", weekly_digest=True)
    with at(2026, 11, 21, 15, 20), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_weekly_digests.delay().get() == 1
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT
    assert mailoutbox[0].to == ["olga@example.ru"]


def test_the_digest_takes_a_constant_number_of_queries(week):
    """One family or every family of both classes with marks: the same queries (plus nothing per pupil)."""
    cast = week

    def run(saturday: int) -> int:
        with time_machine.travel(moment(2026, 11, saturday, 15, 20), tick=False):
            with CaptureQueriesContext(connection) as queries:
                assert weekly_digests_queue() > 0
        return len(queries.captured_queries)

    wants(cast.parent_user, email="olga@example.ru", weekly_digest=True)
    run(14)  # the first run of a school creates its cursor
    small = run(21)
    for user, name in ((cast.pupil_user, "ivan"), (cast.parent2_user, "p2")):
        wants(user, email=f"{name}@example.ru", weekly_digest=True)
    with at(2026, 11, 27, 12, 0):
        for day in (23, 24, 25, 26, 27):
            mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, day)), pupil=cast.pupil, value="5")
            mark_set(
                actor=cast.other_teacher,
                lesson=lesson(cast.physics_b, D(2026, 11, day)),
                pupil=cast.other_pupil,
                value="4",
            )
    big = run(28)
    # The schools; the school with a year: SAVEPOINT, its cursor, UPDATE it (the claim), current year, grade settings,
    # study periods on the day, pupils on the roll (with class and user), the pupils again (with user and school), their
    # parents, the families' settings, the period's marks, the week's absences, the e-mails already queued (dedup),
    # INSERT the e-mails, those due now, RELEASE; the school without a year: SAVEPOINT, cursor, UPDATE, current year
    # (none), RELEASE
    assert small == big == 22
