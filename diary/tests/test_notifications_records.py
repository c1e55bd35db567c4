"""The scan of new marks and absences: one e-mail per recipient per run with every child's news, only for those who
opted in and have an address, the lag and the cursor (a second run queues nothing), quiet hours (a later run
merges into the waiting e-mail), and a constant number of queries."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.choices import ParentKind
from diary import tasks
from diary.choices import EmailKind, EmailStatus
from diary.models import NotificationCursor, OutgoingEmail
from diary.services.notifications import RECORDS_CURSOR, new_records_notify
from journal.models import Lesson
from journal.services.journal import attendance_set, mark_set
from journal.services.work_types import work_types_ensure

from .test_notifications_support import at, moment, wants

D = dt.date
T = dt.time


@pytest.fixture
def family(cast):
    """The parent has two children (7 «А» and 8 «Б»); the cursor was last moved at 9:00 on Friday 20.11.2026."""
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER)
    work_types_ensure(cast.school)
    NotificationCursor.objects.create(name=RECORDS_CURSOR, position=moment(2026, 11, 20, 9, 0))
    return cast


def lesson(assignment, day: dt.date, number: int = 1) -> Lesson:
    return Lesson.objects.get_or_create(assignment=assignment, date=day, number=number)[0]


def scan(hour: int, minute: int, day: int = 20) -> int:
    with at(2026, 11, day, hour, minute):
        return new_records_notify()


def test_one_email_per_recipient_with_every_childs_news(family, django_capture_on_commit_callbacks):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True, email_absences=True)
    wants(cast.pupil_user, email="ivan@example.ru", email_marks=True)  # not absences
    wants(cast.parent2_user, email="p2@example.ru", email_marks=True, email_absences=True)
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 20)), pupil=cast.pupil, value="3")
        attendance_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 20), 2), pupil=cast.pupil, code="б")
        mark_set(
            actor=cast.other_teacher, lesson=lesson(cast.physics_b, D(2026, 11, 18)), pupil=cast.other_pupil, value="4"
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert scan(10, 10) == 3  # the parent, the pupil, and parent2 (the other child's other parent)
    rows = {row.user_id: row for row in OutgoingEmail.objects.all()}
    assert set(rows) == {cast.parent_user.pk, cast.pupil_user.pk, cast.parent2_user.pk}
    parent, pupil, parent2 = rows[cast.parent_user.pk], rows[cast.pupil_user.pk], rows[cast.parent2_user.pk]
    assert parent.kind == EmailKind.MARKS and parent.status == EmailStatus.SENT
    assert parent.subject == "Новые отметки и пропуски: Other_pupil Иван, Pupil Иван"
    text = parent.body_text
    assert "Здравствуйте, Ольга!" in text
    assert "19.11, Математика: 5 (устный ответ)" in text and "20.11, Математика: 3 (устный ответ)" in text
    assert "20.11, 2 урок, Математика: б — по болезни" in text
    assert "18.11, Физика: 4 (устный ответ)" in text
    assert text.index("Other_pupil") < text.index("Физика") < text.index("Pupil Иван") < text.index("19.11")
    assert f"http://127.0.0.1:8000/diary/pupils/{cast.pupil.pk}/" in text
    assert pupil.subject == "Новые отметки: Pupil Иван"
    assert "Математика: 5" in pupil.body_text and "по болезни" not in pupil.body_text
    assert "Other_pupil" not in pupil.body_text
    assert parent2.subject == "Новые отметки: Other_pupil Иван"
    assert "Физика: 4" in parent2.body_text and "Pupil Иван" not in parent2.body_text
    assert sorted(m.to[0] for m in mail.outbox) == ["ivan@example.ru", "olga@example.ru", "p2@example.ru"]
    assert "<b>б</b> — по болезни" in parent.body_html

    assert scan(10, 20) == 0  # nothing new: a second run queues nothing
    assert OutgoingEmail.objects.count() == 3


def test_only_those_who_opted_in_and_have_an_address(family):
    cast = family
    wants(cast.parent_user, email="", email_marks=True)  # no address
    wants(cast.pupil_user, email="ivan@example.ru", email_absences=True)  # absences only, and there are none
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
    assert scan(10, 10) == 0
    assert not OutgoingEmail.objects.exists()


def test_users_without_preferences_get_no_marks_emails(family):
    family.parent_user.email = "olga@example.ru"
    family.parent_user.save()
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=family.teacher, lesson=lesson(family.math_a, D(2026, 11, 19)), pupil=family.pupil, value="5")
    assert scan(10, 10) == 0  # the default is off


def test_cleared_marks_are_not_announced(family):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 10, 0):
        day = lesson(cast.math_a, D(2026, 11, 19))
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="2")
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="")
    assert scan(10, 10) == 0


def test_the_lag_leaves_the_last_minutes_for_the_next_run(family):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 10, 9):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
    assert scan(10, 10) == 0  # written a minute ago: a transaction like it may still be running
    assert NotificationCursor.objects.get(name=RECORDS_CURSOR).position == moment(2026, 11, 20, 10, 8)
    assert scan(10, 20) == 1


def test_a_changed_mark_is_announced_again_with_its_new_value(family):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    day = lesson(cast.math_a, D(2026, 11, 19))
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="3")
    assert scan(10, 10) == 1
    with at(2026, 11, 20, 10, 30):
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="4")
    assert scan(10, 40) == 1
    latest = OutgoingEmail.objects.order_by("-pk").first()
    assert "Математика: 4" in latest.body_text and "Математика: 3" not in latest.body_text


def test_two_beats_at_once_send_once(family):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
    with at(2026, 11, 20, 10, 10):
        assert new_records_notify() == 1
        assert new_records_notify() == 0  # the cursor was claimed: the window is empty
    assert OutgoingEmail.objects.count() == 1


def test_a_repeated_window_is_harmless(family):
    """If the cursor were moved back (a restored backup), the same window queues nothing twice (dedup_key)."""
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
    assert scan(10, 10) == 1
    NotificationCursor.objects.filter(name=RECORDS_CURSOR).update(position=moment(2026, 11, 20, 9, 0))
    assert scan(10, 10) == 0
    assert OutgoingEmail.objects.count() == 1


def test_the_first_run_looks_back_ten_minutes(cast):
    wants(cast.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 9, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="2")
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 20)), pupil=cast.pupil, value="5")
    assert scan(10, 5) == 1
    body = OutgoingEmail.objects.get().body_text
    assert "Математика: 5" in body and "Математика: 2" not in body  # older records are not sent on the first run


def test_quiet_hours_wait_and_a_later_run_merges(family, django_capture_on_commit_callbacks):
    cast = family
    wants(cast.parent_user, email="olga@example.ru", email_marks=True, quiet_from=T(21, 0), quiet_to=T(8, 0))
    day = lesson(cast.math_a, D(2026, 11, 20))
    with at(2026, 11, 20, 21, 30):
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="3")
    assert scan(21, 40) == 1
    first = OutgoingEmail.objects.get()
    assert first.status == EmailStatus.PENDING and first.send_after == moment(2026, 11, 21, 8, 0)
    with at(2026, 11, 20, 22, 0):
        mark_set(actor=cast.teacher, lesson=day, pupil=cast.pupil, value="4")  # corrected
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 19)), pupil=cast.pupil, value="5")
    assert scan(22, 10) == 1
    first.refresh_from_db()
    assert first.status == EmailStatus.SKIPPED
    merged = OutgoingEmail.objects.get(status=EmailStatus.PENDING)
    assert merged.send_after == moment(2026, 11, 21, 8, 0)
    assert [m["value"] for m in merged.payload["children"][0]["marks"]] == ["5", "4"]  # by date; 3 became 4
    with at(2026, 11, 21, 7, 59):
        assert tasks.send_due_emails() == 0
    with at(2026, 11, 21, 8, 0):
        assert tasks.send_due_emails() == 1
    [email] = mail.outbox
    assert "19.11, Математика: 5" in email.body and "20.11, Математика: 4" in email.body
    assert "Математика: 3" not in email.body


def test_quiet_hours_in_another_time_zone(family):
    cast = family
    cast.school.time_zone = "Asia/Yekaterinburg"
    cast.school.save()
    wants(cast.parent_user, email="olga@example.ru", email_marks=True, quiet_from=T(21, 0), quiet_to=T(8, 0))
    with at(2026, 11, 20, 19, 30):  # 21:30 in Yekaterinburg
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 20)), pupil=cast.pupil, value="5")
    assert scan(19, 40) == 1
    assert OutgoingEmail.objects.get().send_after == moment(2026, 11, 21, 6, 0)  # 08:00 there


def test_the_task_runs_the_scan(family):
    wants(family.parent_user, email="olga@example.ru", email_marks=True)
    with at(2026, 11, 20, 10, 0):
        mark_set(actor=family.teacher, lesson=lesson(family.math_a, D(2026, 11, 19)), pupil=family.pupil, value="5")
    with at(2026, 11, 20, 10, 10):
        assert tasks.notify_new_records.delay().get() == 1


def test_the_scan_takes_a_constant_number_of_queries(family):
    """The same queries for one mark of one pupil as for forty marks and absences of two families."""
    cast = family
    for user, name in ((cast.parent_user, "olga"), (cast.pupil_user, "ivan"), (cast.parent2_user, "p2")):
        wants(user, email=f"{name}@example.ru", email_marks=True, email_absences=True)

    def run(minute: int, records) -> int:
        with at(2026, 11, 20, 10, minute):
            records()
        with time_machine.travel(moment(2026, 11, 20, 10, minute + 5), tick=False):
            with CaptureQueriesContext(connection) as queries:
                assert new_records_notify() > 0
        return len(queries.captured_queries)

    def one():
        mark_set(actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, 9), 5), pupil=cast.pupil, value="5")

    def many():
        for day in (9, 10, 11, 12, 13, 16, 17, 18, 19, 20):
            for number, pupil, assignment, teacher in (
                (1, cast.pupil, cast.math_a, cast.teacher),
                (2, cast.other_pupil, cast.physics_b, cast.other_teacher),
            ):
                mark_set(actor=teacher, lesson=lesson(assignment, D(2026, 11, day), number), pupil=pupil, value="4")
            attendance_set(
                actor=cast.teacher, lesson=lesson(cast.math_a, D(2026, 11, day), 3), pupil=cast.pupil, code="н"
            )

    small, big = run(0, one), run(20, many)
    # SAVEPOINT, the cursor, UPDATE it (the claim), new marks (with lesson, subject, kind of work), new absences, their
    # pupils, the pupils' parents, the families' settings, unsent e-mails to merge into, the e-mails already queued
    # (dedup), INSERT the e-mails, those due now, RELEASE
    assert small == big == 13
