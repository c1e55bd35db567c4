"""«Посещаемость отмечена»: Lesson.attendance_taken_at, stamped when a code is entered or the teacher confirms.

The journal keeps absences and lateness only, so a lesson where all came looked like one where nobody took the
register; the stamp tells them apart (the audit's «не отмечена посещаемость» reads it).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from journal.models import Lesson
from journal.services.journal import (
    attendance_set,
    lesson_attendance_taken,
    lesson_record_and_homework_set,
    mark_set,
)

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
OPEN_DAY = dt.date(2026, 12, 16)  # within 10 working days of the clock's day
LOCKED_DAY = dt.date(2026, 11, 9)  # long past the lock
FUTURE_DAY = dt.date(2026, 12, 22)
NOW = dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def lesson(cast, day: dt.date = OPEN_DAY, number: int = 1) -> Lesson:
    return Lesson.objects.create(assignment=cast.math_a, date=day, number=number)


def stamp(lesson_obj: Lesson):
    return Lesson.objects.values_list("attendance_taken_at", flat=True).get(pk=lesson_obj.pk)


def page(lesson_obj: Lesson) -> str:
    return reverse("journal:grid_lesson", args=[lesson_obj.pk])


def form_data(**extra) -> dict:
    return {"homework": "new", "topic": "Дроби", "plan_topic": "", "work_type": "", "homework_text": "", **extra}


# The service -------------------------------------------------------------------------------------------------------


def test_an_absence_stamps_the_lesson_once(cast):
    held = lesson(cast)
    attendance_set(actor=cast.teacher, lesson=held, pupil=cast.pupil, code="н")
    first = stamp(held)
    assert first == NOW
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        attendance_set(actor=cast.teacher, lesson=Lesson.objects.get(pk=held.pk), pupil=cast.pupil, code="б")
    assert stamp(held) == first  # when the register was first taken


def test_a_mark_or_a_cleared_cell_does_not_stamp(cast):
    held = lesson(cast)
    mark_set(actor=cast.teacher, lesson=held, pupil=cast.pupil, value="5")
    attendance_set(actor=cast.teacher, lesson=held, pupil=cast.pupil, code="")
    assert stamp(held) is None


def test_the_teacher_confirms_all_present(cast):
    held = lesson(cast)
    lesson_attendance_taken(actor=cast.teacher, lesson=held)
    assert stamp(held) == NOW
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        lesson_attendance_taken(actor=cast.teacher, lesson=Lesson.objects.get(pk=held.pk))
    assert stamp(held) == NOW


@pytest.mark.parametrize("day", [FUTURE_DAY, LOCKED_DAY])
def test_no_confirmation_before_the_lesson_or_after_the_lock(cast, day):
    later = lesson(cast, day)
    with pytest.raises(ValidationError):
        lesson_attendance_taken(actor=cast.teacher, lesson=later)
    assert stamp(later) is None


@pytest.mark.parametrize("who", ["deputy", "other_teacher"])
def test_only_the_lessons_keepers_confirm(cast, who):
    held = lesson(cast)
    with pytest.raises(PermissionDenied):
        lesson_attendance_taken(actor=getattr(cast, who), lesson=held)
    assert stamp(held) is None


def test_saving_the_topic_alone_does_not_stamp(cast):
    held = lesson(cast)
    lesson_record_and_homework_set(
        actor=cast.teacher, lesson=held, topic="Дроби", plan_topic=None, work_type=None, is_control=False,
        homework_text="",
    )  # fmt: skip
    assert stamp(held) is None
    lesson_record_and_homework_set(
        actor=cast.teacher, lesson=held, topic="Дроби", plan_topic=None, work_type=None, is_control=False,
        homework_text="", attendance_taken=True,
    )  # fmt: skip
    assert stamp(held) == NOW


def test_a_refused_confirmation_rolls_back_the_record(cast):
    later = lesson(cast, FUTURE_DAY)
    with pytest.raises(ValidationError):
        lesson_record_and_homework_set(
            actor=cast.teacher, lesson=later, topic="Дроби", plan_topic=None, work_type=None, is_control=False,
            homework_text="", attendance_taken=True,
        )  # fmt: skip
    later.refresh_from_db()
    assert later.topic == "" and later.attendance_taken_at is None


# The lesson page ---------------------------------------------------------------------------------------------------


def test_the_lesson_form_ticks_and_stamps(client, cast):
    held = lesson(cast)
    client.force_login(cast.teacher)
    form = client.get(page(held)).context["form"]
    assert form["attendance_taken"].value() is False  # an empty column is never ticked for the teacher
    assert not form.fields["attendance_taken"].disabled
    assert client.post(page(held), form_data()).status_code == 302
    assert stamp(held) is None  # the topic saved, the register not confirmed
    assert client.post(page(held), form_data(attendance_taken="on")).status_code == 302
    assert stamp(held) == NOW
    shown = client.get(page(held))
    assert shown.context["form"]["attendance_taken"].value() is True
    assert shown.context["form"].fields["attendance_taken"].disabled
    assert "Отмечена 18.12.2026 10:00." in shown.content.decode()


def test_the_form_is_checked_when_codes_were_entered_before_the_stamp(client, cast):
    held = lesson(cast)
    attendance_set(actor=cast.teacher, lesson=held, pupil=cast.pupil, code="н")
    Lesson.objects.filter(pk=held.pk).update(attendance_taken_at=None)  # a row from before the stamp existed
    client.force_login(cast.teacher)
    form = client.get(page(held)).context["form"]
    assert form["attendance_taken"].value() is True and not form.fields["attendance_taken"].disabled
    assert client.post(page(held), form_data(attendance_taken="on")).status_code == 302
    assert stamp(held) == NOW


def test_a_future_lesson_offers_no_confirmation(client, cast):
    later = lesson(cast, FUTURE_DAY)
    client.force_login(cast.teacher)
    form = client.get(page(later)).context["form"]
    assert form.fields["attendance_taken"].disabled and form["attendance_taken"].value() is False
    # A forged tick is ignored (the field is disabled): the topic is saved, nothing is stamped.
    assert client.post(page(later), form_data(attendance_taken="on")).status_code == 302
    later.refresh_from_db()
    assert later.topic == "Дроби" and later.attendance_taken_at is None


# The grid's «в» (все присутствуют) -------------------------------------------------------------------------------


def post_taken(client, lesson_obj: Lesson):
    return client.post(reverse("journal:grid_attendance_taken", args=[lesson_obj.pk]))


@pytest.mark.parametrize("who", ["teacher", "classteacher"])
def test_the_grid_confirms_all_present(client, cast, who):
    held = lesson(cast)
    client.force_login(getattr(cast, who))
    response = post_taken(client, held)
    assert response.status_code == 200 and response.json() == {"ok": True, "at": "18.12.2026 10:00"}
    assert stamp(held) == NOW
    grid = client.get(reverse("journal:grid", args=[cast.math_a.pk])).content.decode()
    assert 'title="посещаемость отмечена">✓</span>' in grid


def test_the_grid_shows_no_mark_before_the_register(client, cast):
    lesson(cast)
    client.force_login(cast.teacher)
    assert 'посещаемость отмечена">✓' not in client.get(reverse("journal:grid", args=[cast.math_a.pk])).content.decode()


@pytest.mark.parametrize(
    "who, status",
    [("deputy", 403), ("director", 403), ("other_teacher", 404), ("pupil_user", 404), ("foreign_admin", 404)],
)
def test_readers_and_outsiders_cannot_confirm(client, cast, who, status):
    held = lesson(cast)
    client.force_login(getattr(cast, who))
    response = post_taken(client, held)
    assert response.status_code == status and response.json()["error"]
    assert stamp(held) is None


def test_the_grid_endpoint_refusals(client, cast):
    assert post_taken(client, lesson(cast)).status_code == 401  # signed out: JSON, not a redirect
    client.force_login(cast.teacher)
    assert client.get(reverse("journal:grid_attendance_taken", args=[lesson(cast, number=2).pk])).status_code == 405
    later = lesson(cast, FUTURE_DAY)
    refused = post_taken(client, later)
    assert refused.status_code == 409 and "урок" in refused.json()["error"].lower()  # as a cell of it: not yet
    locked = lesson(cast, LOCKED_DAY)
    assert post_taken(client, locked).status_code == 409
    assert stamp(later) is None and stamp(locked) is None
