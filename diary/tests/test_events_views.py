"""The events pages: the staff list with filters, create, edit, cancel, and a pupil's events in the diary."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import ParentKind
from diary.models import Event
from diary.services.events import event_cancel, event_create

pytestmark = pytest.mark.django_db

LIST, CREATE = reverse("diary:event_list"), reverse("diary:event_create")


@pytest.fixture(autouse=True)
def today():
    moment = dt.datetime(2026, 11, 12, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(moment, tick=False):
        yield


def login(client, user):
    client.force_login(user)
    return client


def create(actor, school_class, title="Родительское собрание", starts_on=dt.date(2026, 11, 26), **extra):
    return event_create(actor=actor, school_class=school_class, title=title, starts_on=starts_on, **extra)


def form_data(**values) -> dict:
    data = {"kind": "event", "school_class": "", "title": "Экскурсия", "starts_on": "2026-12-05", "ends_on": ""}
    data.update(starts_at="10:00", place="Музей", text="")
    data.update(values)
    return data


# The staff list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_schools_events_by_date_from_a_week_ago(client, cast):
    old = create(cast.deputy, None, title="Давнее", starts_on=dt.date(2026, 10, 1))
    later = create(cast.deputy, None, title="Концерт", starts_on=dt.date(2026, 12, 24))
    soon = create(cast.classteacher, cast.class_a, starts_on=dt.date(2026, 11, 26))
    cancelled = event_cancel(actor=cast.deputy, event=create(cast.deputy, cast.class_b, title="Поход"))
    response = login(client, cast.teacher).get(LIST)
    assert response.status_code == 200
    assert [row.event.pk for row in response.context["rows"]] == [soon.pk, cancelled.pk, later.pk]
    assert old.pk not in [row.event.pk for row in response.context["rows"]]
    assert not any(row.edit_url for row in response.context["rows"])  # a teacher only reads
    assert response.context["rows"][0].meta == "7 «А» класс · 26.11.2026 · Classteacher А. П."
    assert (response.context["rows"][0].day, response.context["rows"][0].month) == ("26", "ноя 2026")
    assert not response.context["may_create"]
    html = response.content.decode()
    assert "ev-cancelled" in html and "отменено" in html


def test_the_list_filters(client, cast):
    mine = create(cast.classteacher, cast.class_a)
    school = create(cast.deputy, None, title="Объявление", kind="announcement", starts_on=dt.date(2026, 11, 20))
    theirs = create(cast.deputy, cast.class_b, title="Поход")
    cancelled = event_cancel(actor=cast.deputy, event=create(cast.deputy, None, title="Отменённое"))
    client = login(client, cast.classteacher)

    def shown(query: str) -> list[int]:
        return [row.event.pk for row in client.get(LIST + "?" + query).context["rows"]]

    assert shown(f"school_class={cast.class_a.pk}") == [mine.pk]
    assert shown("school_class=school") == [school.pk, cancelled.pk]
    assert shown("kind=announcement") == [school.pk]
    assert shown("date_from=2026-11-21&date_to=2026-11-30&hide_cancelled=on") == [mine.pk, theirs.pk]
    # malformed values are ignored, never a 500
    assert client.get(LIST + "?date_from=2026-13-45&school_class=abc&kind=x&page=zz").status_code == 200
    editable = {row.event.pk: bool(row.edit_url) for row in client.get(LIST).context["rows"]}
    assert editable == {school.pk: False, mine.pk: True, cancelled.pk: False, theirs.pk: False}


def test_the_list_has_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    client = login(client, cast.deputy)
    create(cast.deputy, None)
    # session, user+school, current year, its classes (the filter), the events' count (the paginator), the page of
    # events (with class and author), which ones the user may change (event_classes: current year read again, the
    # next year, their classes), menu: unread
    with django_assert_num_queries(10) as few:
        client.get(LIST)
    for day in range(1, 30):
        create(cast.deputy, cast.class_a if day % 2 else None, starts_on=dt.date(2026, 12, day))
    with django_assert_num_queries(10) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("role", ["pupil_user", "parent_user"])
def test_pupils_and_parents_have_no_staff_list(client, cast, role):
    assert login(client, getattr(cast, role)).get(LIST).status_code == 403


# Creating -------------------------------------------------------------------------------------------------------------


def test_the_class_teacher_publishes_for_their_class(client, cast):
    client = login(client, cast.classteacher)
    form = client.get(CREATE).context["form"]
    assert [c.pk for c in form.fields["school_class"].queryset] == [cast.class_a.pk]
    assert form.fields["school_class"].required  # no «whole school» choice for them
    response = client.post(CREATE, form_data(school_class=cast.class_a.pk))
    event = Event.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#event-{event.pk}")
    assert (event.school_class, event.title, event.starts_at, event.created_by) == (
        cast.class_a,
        "Экскурсия",
        dt.time(10, 0),
        cast.classteacher,
    )


def test_the_class_teacher_cannot_publish_for_another_class_or_the_school(client, cast):
    client = login(client, cast.classteacher)
    assert client.post(CREATE, form_data(school_class=cast.class_b.pk)).status_code == 400
    assert client.post(CREATE, form_data(school_class="")).status_code == 400
    assert not Event.objects.exists()


def test_the_deputy_publishes_for_the_whole_school(client, cast):
    response = login(client, cast.deputy).post(CREATE, form_data(kind="announcement", title="Вакцинация"))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.school_class is None and event.kind == "announcement"


def test_bad_dates_and_an_empty_title_get_russian_messages(client, cast):
    client = login(client, cast.deputy)
    response = client.post(CREATE, form_data(title="   ", starts_on="2026-12-05", ends_on="2026-12-01"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Обязательное поле." in html
    response = client.post(CREATE, form_data(starts_on="2026-12-05", ends_on="2026-12-01"))
    assert "Дата окончания не может быть раньше даты начала." in response.content.decode()
    assert client.post(CREATE, form_data(starts_on="31.02.2026")).status_code == 400
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "director", "pupil_user", "parent_user"])
def test_others_cannot_create(client, cast, role):
    client = login(client, getattr(cast, role))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    assert not Event.objects.exists()


def test_create_refuses_other_methods(client, cast):
    assert login(client, cast.deputy).delete(CREATE).status_code == 405


# Editing and cancelling ------------------------------------------------------------------------------------------------


def test_the_class_teacher_edits_their_classs_event(client, cast):
    event = create(cast.classteacher, cast.class_a)
    url = reverse("diary:event_edit", args=[event.pk])
    client = login(client, cast.classteacher)
    assert client.get(url).context["form"].initial["title"] == "Родительское собрание"
    response = client.post(url, form_data(school_class=cast.class_a.pk, title="Собрание переносится"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Собрание переносится" and event.starts_on == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 403),
        ("director", 403),
        ("parent_user", 404),
        ("pupil_user", 404),
        ("parent2_user", 404),
        ("foreign_admin", 404),
    ],
)
def test_others_cannot_edit_or_cancel(client, cast, role, status):
    event = create(cast.classteacher, cast.class_a)
    client = login(client, getattr(cast, role))
    assert client.get(reverse("diary:event_edit", args=[event.pk])).status_code == status
    assert client.post(reverse("diary:event_edit", args=[event.pk]), form_data()).status_code == status
    assert client.post(reverse("diary:event_cancel", args=[event.pk])).status_code == status
    event.refresh_from_db()
    assert event.title == "Родительское собрание" and not event.is_cancelled


def test_cancelling_strikes_the_event_through(client, cast):
    event = create(cast.classteacher, cast.class_a)
    url = reverse("diary:event_cancel", args=[event.pk])
    client = login(client, cast.classteacher)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert client.get(reverse("diary:event_edit", args=[event.pk])).status_code == 403  # a cancelled event stays
    page = login(client, cast.parent_user).get(reverse("diary:events", args=[cast.pupil.pk]))
    assert "ev-cancelled" in page.content.decode()


# A pupil's events ---------------------------------------------------------------------------------------------------


def test_a_parent_sees_the_childs_class_and_school_events(client, cast):
    mine = create(cast.classteacher, cast.class_a)
    school = create(cast.deputy, None, title="Концерт", starts_on=dt.date(2026, 12, 24))
    recent = create(cast.deputy, None, title="Олимпиада", starts_on=dt.date(2026, 11, 5))
    create(cast.deputy, cast.class_b, title="Поход 8 «Б»")
    response = login(client, cast.parent_user).get(reverse("diary:events", args=[cast.pupil.pk]))
    assert response.status_code == 200
    assert [row.event.pk for row in response.context["events"].upcoming] == [mine.pk, school.pk]
    assert [row.event.pk for row in response.context["events"].recent] == [recent.pk]
    assert response.context["events"].upcoming[0].meta == "7 «А» класс"
    assert "Поход 8 «Б»" not in response.content.decode()


def test_another_familys_child_is_404(client, cast):
    client = login(client, cast.parent2_user)
    assert client.get(reverse("diary:events", args=[cast.pupil.pk])).status_code == 404
    assert client.get(reverse("diary:events", args=[cast.other_pupil.pk])).status_code == 200
    assert login(client, cast.pupil_user).get(reverse("diary:events", args=[cast.other_pupil.pk])).status_code == 404


def test_a_parent_of_two_children_switches_between_them(client, cast):
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER)
    create(cast.deputy, cast.class_b, title="Поход 8 «Б»")
    client = login(client, cast.parent_user)
    response = client.get(reverse("diary:events", args=[cast.other_pupil.pk]))
    assert "Поход 8 «Б»" in response.content.decode()
    assert reverse("diary:events", args=[cast.pupil.pk]) in response.content.decode()


def test_the_pupils_events_page_has_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    for day in range(1, 28):
        create(cast.deputy, cast.class_a if day % 2 else None, starts_on=dt.date(2026, 12, day))
    client = login(client, cast.parent_user)
    # session, user+school, pupil (visibility), the parent's children (switcher), the pupil's class, the pupil's
    # events, menu: unread
    with django_assert_num_queries(7):
        response = client.get(reverse("diary:events", args=[cast.pupil.pk]))
    assert len(response.context["events"].upcoming) == 27
