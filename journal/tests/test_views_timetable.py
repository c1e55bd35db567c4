"""The timetable pages: who sees, who edits, errors as Russian messages, and a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from journal import services
from journal.demo.timetable import bell_times
from journal.models import Bell, Lesson, Room, TimetableEntry
from journal.services.timetable import bells_set, room_create, timetable_entry_add

MONDAY, TUESDAY = 0, 1


@pytest.fixture
def tt_cast(cast):
    bells_set(actor=cast.deputy, year=cast.year, bells=bell_times())
    cast.room1 = room_create(actor=cast.deputy, school=cast.school, name="101")
    return cast


def add_url(cast):
    return reverse("journal:timetable_entry_add", args=[cast.class_a.pk])


def entry_data(cast, **overrides):
    data = {
        "assignment": cast.math_a.pk,
        "weekday": MONDAY,
        "number": 1,
        "room": cast.room1.pk,
        "valid_from": "2026-09-01",
    }
    return {**data, **overrides}


def test_the_deputy_adds_a_lesson_from_the_class_grid(client, tt_cast):
    client.force_login(tt_cast.deputy)
    page = client.get(reverse("journal:timetable_class", args=[tt_cast.class_a.pk]) + "?weekday=2&number=3")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="add"' in html and "Добавить урок в расписание" in html
    response = client.post(add_url(tt_cast), entry_data(tt_cast))
    assert response.status_code == 302
    entry = TimetableEntry.objects.get()
    assert (entry.assignment, entry.weekday, entry.number, entry.room) == (tt_cast.math_a, MONDAY, 1, tt_cast.room1)
    page = client.get(response.url)
    assert "Урок добавлен в расписание" in page.content.decode()
    assert "Математика" in page.content.decode()


def test_a_conflict_is_shown_in_russian_and_nothing_is_saved(client, tt_cast):
    timetable_entry_add(
        actor=tt_cast.deputy, assignment=tt_cast.physics_b, weekday=MONDAY, number=1, room=tt_cast.room1
    )
    client.force_login(tt_cast.admin)
    response = client.post(add_url(tt_cast), entry_data(tt_cast))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Кабинет 101 в это время занят" in html
    assert TimetableEntry.objects.count() == 1
    # The page is shown at the POST's URL: its links and the date picker still lead to the grid.
    grid = reverse("journal:timetable_class", args=[tt_cast.class_a.pk])
    assert f'href="{grid}?date=' in html and f'action="{grid}"' in html


def test_a_bad_form_is_shown_again(client, tt_cast):
    client.force_login(tt_cast.deputy)
    response = client.post(add_url(tt_cast), entry_data(tt_cast, number=9, assignment=tt_cast.physics_b.pk))
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    assert not TimetableEntry.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "classteacher", "director", "other_teacher"])
def test_read_only_staff_see_the_grid_but_cannot_write(client, tt_cast, role):
    entry = timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=TUESDAY, number=2)
    client.force_login(getattr(tt_cast, role))
    page = client.get(reverse("journal:timetable_class", args=[tt_cast.class_a.pk]))
    assert page.status_code == 200
    assert "Математика" in page.content.decode()
    assert 'id="add"' not in page.content.decode() and "timetable/entry" not in page.content.decode()

    writes = [
        (add_url(tt_cast), entry_data(tt_cast)),
        (reverse("journal:timetable_entry_remove", args=[entry.pk]), {"from_date": "2026-09-01"}),
        (reverse("journal:timetable_bells"), {"start_1": "09:00", "end_1": "09:45"}),
        (reverse("journal:timetable_rooms"), {"name": "999"}),
        (reverse("journal:lessons_layout"), {"from_date": "2026-09-01"}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert list(TimetableEntry.objects.values_list("pk", flat=True)) == [entry.pk]
    assert Bell.objects.get(number=1).start_time == dt.time(8, 30)
    assert not Room.objects.filter(name="999").exists()
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("role", ["pupil_user", "parent_user", "foreign_admin"])
def test_pupils_parents_and_strangers_get_404_on_writes(client, tt_cast, role):
    entry = timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=TUESDAY, number=2)
    client.force_login(getattr(tt_cast, role))
    assert client.post(add_url(tt_cast), entry_data(tt_cast)).status_code == 404
    assert client.post(reverse("journal:timetable_entry_remove", args=[entry.pk])).status_code == 404
    assert client.post(reverse("journal:lessons_layout"), {"from_date": "2026-09-01"}).status_code == 404
    assert TimetableEntry.objects.count() == 1


def test_anonymous_writes_go_to_the_login(client, tt_cast):
    response = client.post(add_url(tt_cast), entry_data(tt_cast))
    assert response.status_code == 302 and "login" in response.url
    assert not TimetableEntry.objects.exists()


def test_the_deputy_removes_a_lesson(client, tt_cast):
    entry = timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=TUESDAY, number=2)
    client.force_login(tt_cast.deputy)
    response = client.post(reverse("journal:timetable_entry_remove", args=[entry.pk]), {"from_date": "2026-09-01"})
    assert response.status_code == 302
    assert not TimetableEntry.objects.exists()


def test_the_bell_schedule_is_edited_with_errors_in_russian(client, tt_cast):
    client.force_login(tt_cast.deputy)
    bad = {"start_1": "08:30", "end_1": "09:15", "start_2": "09:00", "end_2": "09:45"}
    response = client.post(reverse("journal:timetable_bells"), bad)
    assert response.status_code == 400
    assert "раньше, чем заканчивается 1 урок" in response.content.decode()
    assert Bell.objects.count() == 7
    response = client.post(reverse("journal:timetable_bells"), {"start_1": "09:00"})
    assert response.status_code == 400 and "Укажите и начало, и окончание" in response.content.decode()
    good = {"start_1": "09:00", "end_1": "09:45", "start_2": "09:55", "end_2": "10:40"}
    assert client.post(reverse("journal:timetable_bells"), good).status_code == 302
    assert list(Bell.objects.values_list("number", flat=True)) == [1, 2]


def test_the_admin_adds_a_room(client, tt_cast):
    client.force_login(tt_cast.admin)
    assert client.post(reverse("journal:timetable_rooms"), {"name": "Спортзал", "capacity": 60}).status_code == 302
    response = client.post(reverse("journal:timetable_rooms"), {"name": "101"})
    assert response.status_code == 400 and "Кабинет «101» уже есть" in response.content.decode()
    assert Room.objects.filter(school=tt_cast.school).count() == 2


def test_the_layout_page_lays_out_and_counts(client, tt_cast):
    timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=MONDAY, number=1)
    client.force_login(tt_cast.deputy)
    page = client.get(reverse("journal:lessons_layout"))
    assert page.status_code == 200 and 'value="2026-09-01"' in page.content.decode()
    response = client.post(reverse("journal:lessons_layout"), {"from_date": "2026-09-01"}, follow=True)
    html = response.content.decode()
    count = Lesson.objects.count()
    assert count > 30
    assert f"создано {count}" in html
    assert "20.02.2027 (понедельник)" in html  # the working Saturday follows Monday
    assert f'<td class="text-end">{count}</td>' in html


def test_teacher_and_room_grids(client, tt_cast):
    timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=MONDAY, number=1, room=tt_cast.room1)
    client.force_login(tt_cast.other_teacher)
    page = client.get(reverse("journal:timetable_teacher", args=[tt_cast.teacher.pk]))
    assert page.status_code == 200 and "7 «А»" in page.content.decode()
    page = client.get(reverse("journal:timetable_room", args=[tt_cast.room1.pk]))
    assert page.status_code == 200 and "Математика" in page.content.decode()
    # The timetable of a date before the entry starts is empty.
    services.timetable.timetable_entry_remove(
        actor=tt_cast.deputy, entry=TimetableEntry.objects.get(), from_date=dt.date(2026, 9, 1)
    )
    page = client.get(reverse("journal:timetable_room", args=[tt_cast.room1.pk]))
    assert "Математика" not in page.content.decode()


def test_the_index_flags_hours_that_do_not_match(client, tt_cast):
    services.curriculum_set(
        actor=tt_cast.admin, school_class=tt_cast.class_a, subject=tt_cast.math_a.subject, hours_per_week=5
    )
    timetable_entry_add(actor=tt_cast.deputy, assignment=tt_cast.math_a, weekday=MONDAY, number=1)
    client.force_login(tt_cast.director)
    html = client.get(reverse("journal:timetable_index")).content.decode()
    assert "не совпадают с учебным планом или нагрузкой: 2" in html
    html = client.get(reverse("journal:timetable_class", args=[tt_cast.class_a.pk])).content.decode()
    assert "tt-bad" in html


def fill_timetable(cast, count):
    """``count`` weekly lessons of 7 «А» (more than its hours: only the queries matter here)."""
    slots = [(weekday, number) for weekday in range(5) for number in range(1, 8)][:count]
    for weekday, number in slots:
        timetable_entry_add(actor=cast.deputy, assignment=cast.math_a, weekday=weekday, number=number)


# Each pin is exact and names its queries (a deputy signed in: session, user+school first, the menu's unread count last).


@pytest.mark.parametrize("entries", [0, 30])
def test_class_grid_queries_do_not_grow_with_the_timetable(client, tt_cast, django_assert_num_queries, entries):
    fill_timetable(tt_cast, entries)
    client.force_login(tt_cast.deputy)
    # session, user+school, class (visibility, with year, school, class teacher), its entries on the day (with
    # assignment, teacher, subgroup, subject, room), bells, grade settings, curriculum, assignments, entries per
    # assignment (the hours check), menu: unread; the add form's choices: assignments (read a second time), rooms
    with django_assert_num_queries(12):
        response = client.get(reverse("journal:timetable_class", args=[tt_cast.class_a.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="tt-item"') == entries


@pytest.mark.parametrize("kind", ["teacher", "room"])
def test_a_teachers_and_a_rooms_week_have_fixed_queries(client, tt_cast, django_assert_num_queries, kind):
    fill_timetable(tt_cast, 20)
    TimetableEntry.objects.update(room=tt_cast.room1)
    target = tt_cast.teacher if kind == "teacher" else tt_cast.room1
    client.force_login(tt_cast.deputy)
    # session, user+school, current year, the teacher or the room (visibility), its entries on the day (with
    # assignment, teacher, class, subgroup, subject, room), bells, menu: unread
    with django_assert_num_queries(7):
        assert client.get(reverse(f"journal:timetable_{kind}", args=[target.pk])).status_code == 200


@pytest.mark.parametrize(
    "view, queries",
    [
        # session, user+school, current year, classes, curriculum, entries per assignment, assignments (with teacher,
        # subject, class), entries per room, rooms, bells, menu: unread
        ("journal:timetable_index", 11),
        # session, user+school, current year, any lesson laid out yet, lessons per class (with records), entries per
        # class, classes, menu: unread
        ("journal:lessons_layout", 8),
        # session, user+school, current year, entries per room, rooms, menu: unread
        ("journal:timetable_rooms", 6),
        # session, user+school, current year, bells, menu: unread
        ("journal:timetable_bells", 5),
    ],
)
def test_school_pages_have_fixed_queries(client, tt_cast, django_assert_num_queries, view, queries):
    fill_timetable(tt_cast, 20)
    client.force_login(tt_cast.deputy)
    with django_assert_num_queries(queries):
        assert client.get(reverse(view)).status_code == 200
