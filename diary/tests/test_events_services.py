"""Events and announcements: who publishes for whom, the date rules, cancelling, and a pupil's events."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import SchoolFactory, UserFactory
from diary.access import can_edit_event
from diary.choices import EventKind
from diary.models import Event
from diary.selectors.events import pupil_events
from diary.services.events import event_cancel, event_create, event_update
from journal import services as journal_services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 12)


@pytest.fixture(autouse=True)
def today():
    moment = dt.datetime(2026, 11, 12, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(moment, tick=False):
        yield


def create(actor, school_class, title="Родительское собрание", starts_on=dt.date(2026, 11, 26), **extra):
    return event_create(actor=actor, school_class=school_class, title=title, starts_on=starts_on, **extra)


def test_the_class_teacher_publishes_for_their_class(cast):
    event = create(
        cast.classteacher, cast.class_a, starts_at=dt.time(18, 30), place=" кабинет  214 ", text=" Повестка "
    )
    assert (event.school, event.school_class, event.created_by) == (cast.school, cast.class_a, cast.classteacher)
    assert (event.place, event.text, event.kind) == ("кабинет 214", "Повестка", EventKind.EVENT)
    assert event.history.count() == 1


def test_the_class_teacher_may_not_publish_for_another_class_or_the_whole_school(cast):
    with pytest.raises(PermissionDenied):
        create(cast.classteacher, cast.class_b)  # they teach 8 «Б», but do not lead it
    with pytest.raises(PermissionDenied, match="всей школы"):
        create(cast.classteacher, None)
    assert not Event.objects.exists()


def test_the_deputy_and_the_admin_publish_for_the_school_and_any_class(cast):
    create(cast.deputy, None, title="День знаний", kind=EventKind.ANNOUNCEMENT)
    create(cast.admin, cast.class_b, title="Экскурсия")
    assert Event.objects.count() == 2


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "director", "parent_user", "pupil_user"])
def test_others_may_not_publish(cast, role):
    actor = getattr(cast, role)
    for school_class in (None, cast.class_a):
        with pytest.raises(PermissionDenied):
            create(actor, school_class)
    assert not Event.objects.exists()


def test_nobody_publishes_for_another_schools_class(cast):
    with pytest.raises(PermissionDenied):
        create(cast.foreign_admin, cast.class_a)
    # the foreign admin's school-wide event belongs to their own school
    assert create(cast.foreign_admin, None).school == cast.foreign_admin.school


def test_dates_and_title_are_checked(cast):
    with pytest.raises(ValidationError) as error:
        create(cast.deputy, None, title="  ", starts_on=dt.date(2026, 12, 5), ends_on=dt.date(2026, 12, 4))
    assert set(error.value.message_dict) == {"title", "ends_on"}
    assert "раньше" in error.value.message_dict["ends_on"][0]
    with pytest.raises(ValidationError, match="вид"):
        create(cast.deputy, None, kind="party")
    assert not Event.objects.exists()
    one_day = create(cast.deputy, None, starts_on=dt.date(2026, 12, 5), ends_on=dt.date(2026, 12, 5))
    assert one_day.ends_on is None


def test_a_class_of_the_current_or_next_year_only(cast):
    past = journal_services.school_year_create(
        actor=cast.admin,
        school=cast.school,
        name="2025/2026",
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2026, 5, 26),
    )
    following = journal_services.school_year_create(
        actor=cast.admin,
        school=cast.school,
        name="2027/2028",
        start_date=dt.date(2027, 9, 1),
        end_date=dt.date(2028, 5, 26),
    )
    old_class = journal_services.class_create(actor=cast.admin, year=past, grade=6, letter="А")
    next_class = journal_services.class_create(actor=cast.admin, year=following, grade=8, letter="А")
    with pytest.raises(ValidationError, match="текущему или следующему"):
        create(cast.deputy, old_class)
    assert create(cast.deputy, next_class, starts_on=dt.date(2027, 9, 1)).school_class == next_class


def test_editing_follows_the_same_rule(cast):
    event = create(cast.classteacher, cast.class_a)
    assert can_edit_event(cast.classteacher, event) and can_edit_event(cast.deputy, event)
    assert not can_edit_event(cast.teacher, event) and not can_edit_event(cast.director, event)
    assert not can_edit_event(cast.foreign_admin, event)
    changed = event_update(
        actor=cast.classteacher,
        event=event,
        school_class=cast.class_a,
        title="Собрание перенесено",
        starts_on=dt.date(2026, 11, 27),
        starts_at=dt.time(19, 0),
    )
    assert (changed.title, changed.starts_on, changed.starts_at) == (
        "Собрание перенесено",
        dt.date(2026, 11, 27),
        dt.time(19, 0),
    )
    with pytest.raises(PermissionDenied):  # not to a class they do not lead
        event_update(actor=cast.classteacher, event=event, school_class=cast.class_b, title="Х", starts_on=TODAY)
    with pytest.raises(PermissionDenied):
        event_update(actor=cast.teacher, event=event, school_class=cast.class_a, title="Х", starts_on=TODAY)
    school_wide = create(cast.deputy, None)
    with pytest.raises(PermissionDenied):
        event_update(actor=cast.classteacher, event=school_wide, school_class=cast.class_a, title="Х", starts_on=TODAY)
    event.refresh_from_db()
    assert event.title == "Собрание перенесено" and event.history.count() == 2


def test_cancelling_keeps_the_event(cast):
    event = create(cast.classteacher, cast.class_a)
    with pytest.raises(PermissionDenied):
        event_cancel(actor=cast.teacher, event=event)
    cancelled = event_cancel(actor=cast.classteacher, event=event)
    assert cancelled.is_cancelled and Event.objects.filter(pk=event.pk).exists()
    assert event_cancel(actor=cast.deputy, event=event).is_cancelled  # twice: nothing changes
    assert event.history.count() == 2
    with pytest.raises(ValidationError, match="отменено"):
        event_update(actor=cast.classteacher, event=event, school_class=cast.class_a, title="Х", starts_on=TODAY)


# A pupil's events --------------------------------------------------------------------------------------------------


def test_a_pupil_sees_the_school_and_their_classes_events_in_one_query(cast, django_assert_num_queries):
    mine = create(cast.classteacher, cast.class_a, starts_on=dt.date(2026, 11, 16))
    school = create(cast.deputy, None, title="Концерт", starts_on=dt.date(2026, 11, 18))
    create(cast.deputy, cast.class_b, title="Экскурсия 8 «Б»", starts_on=dt.date(2026, 11, 17))
    long_one = create(
        cast.deputy, None, title="Каникулы", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 16)
    )
    cancelled = event_cancel(
        actor=cast.deputy, event=create(cast.deputy, None, title="Субботник", starts_on=dt.date(2026, 11, 21))
    )
    create(cast.deputy, None, title="Потом", starts_on=dt.date(2026, 11, 23))
    other_school = SchoolFactory()
    Event.objects.create(
        school=other_school, title="Чужое", starts_on=dt.date(2026, 11, 17), created_by=UserFactory(school=other_school)
    )
    with django_assert_num_queries(1):
        events = pupil_events(cast.pupil, dt.date(2026, 11, 16), dt.date(2026, 11, 22))
        titles = [(event.title, event.school_class.name if event.school_class else "") for event in events]
    assert [event.pk for event in events] == [long_one.pk, mine.pk, school.pk, cancelled.pk]
    assert titles[1] == ("Родительское собрание", "7 «А»")
    assert events[-1].is_cancelled


def test_a_pupil_who_moved_sees_each_class_only_while_in_it(cast):
    enrollment = cast.pupil.enrollments.get()
    enrollment.date_to = dt.date(2026, 11, 15)
    enrollment.save()
    journal_services.enrollment_create(
        actor=cast.admin, pupil=cast.pupil, school_class=cast.class_b, date_from=dt.date(2026, 11, 16)
    )
    create(cast.deputy, cast.class_a, title="7 А до", starts_on=dt.date(2026, 11, 13))
    create(cast.deputy, cast.class_a, title="7 А после", starts_on=dt.date(2026, 11, 20))
    create(cast.deputy, cast.class_b, title="8 Б до", starts_on=dt.date(2026, 11, 13))
    create(cast.deputy, cast.class_b, title="8 Б после", starts_on=dt.date(2026, 11, 20))
    create(
        cast.deputy, cast.class_b, title="8 Б неделя", starts_on=dt.date(2026, 11, 12), ends_on=dt.date(2026, 11, 18)
    )
    events = pupil_events(cast.pupil, dt.date(2026, 11, 9), dt.date(2026, 11, 22))
    assert [e.title for e in events] == ["8 Б неделя", "7 А до", "8 Б после"]
