"""Edit windows: the service (who, why, how long), the log, and the deputy's page."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from journal.choices import YearStatus
from journal.lock import edit_state
from journal.models import EditWindow, Lesson, StudyPeriod
from journal.selectors.unlock import edit_windows_for, open_windows, school_edit_windows
from journal.services.unlock import edit_window_open

D = dt.date
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
TODAY = D(2026, 11, 20)


@pytest.fixture
def now():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW), tick=False):
        yield timezone.now()


@pytest.fixture
def old_lesson(cast):
    return Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 5), number=1)


def open_window(cast, **kwargs):
    kwargs.setdefault("actor", cast.deputy)
    kwargs.setdefault("assignment", cast.math_a)
    kwargs.setdefault("reason", "Сбой сервера 02.10: перенос отметок из бумажного журнала")
    kwargs.setdefault("until", TODAY + dt.timedelta(days=2))
    return edit_window_open(**kwargs)


# The service -----------------------------------------------------------------------------------------------------


def test_the_deputy_opens_an_assignment_until_the_end_of_a_day(cast, now, old_lesson):
    window = open_window(cast)
    assert window.lesson is None and window.opened_by == cast.deputy
    assert timezone.localtime(window.valid_until, MOSCOW) == dt.datetime(2026, 11, 22, 23, 59, 59, tzinfo=MOSCOW)
    assert edit_state(old_lesson)[0]


def test_the_admin_opens_one_lesson(cast, now, old_lesson):
    other = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 6), number=1)
    window = open_window(cast, actor=cast.admin, lesson=old_lesson, until=now + dt.timedelta(hours=3))
    assert window.valid_until == now + dt.timedelta(hours=3)
    assert edit_state(old_lesson)[0] and not edit_state(other)[0]


@pytest.mark.parametrize("who", ["teacher", "classteacher", "director", "foreign_admin", "pupil_user"])
def test_only_the_deputy_and_the_admin_of_the_school_open_windows(cast, now, who):
    with pytest.raises(PermissionDenied):
        open_window(cast, actor=getattr(cast, who))
    assert not EditWindow.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": "   "}, "Укажите основание"),
        ({"until": TODAY - dt.timedelta(days=1)}, "в будущем"),
        ({"until": TODAY + dt.timedelta(days=11)}, "не больше чем на 10 дней"),
    ],
)
def test_a_window_needs_a_reason_and_a_short_future_end(cast, now, changes, message):
    with pytest.raises(ValidationError, match=message):
        open_window(cast, **changes)
    assert not EditWindow.objects.exists()


def test_the_lesson_must_be_of_the_assignment(cast, now):
    foreign = Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 10, 5), number=1)
    with pytest.raises(ValidationError, match="другой нагрузке"):
        open_window(cast, lesson=foreign)


def test_no_window_in_a_closed_year(cast, now):
    cast.year.status = YearStatus.CLOSED
    cast.year.save()
    with pytest.raises(ValidationError, match="закрыт"):
        open_window(cast)


def test_every_window_is_kept_in_the_log(cast, old_lesson):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=MOSCOW), tick=False):
        first = open_window(cast, until=D(2026, 11, 3))
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=MOSCOW), tick=False):
        second = open_window(cast, lesson=old_lesson)
        assert list(edit_windows_for(cast.math_a)) == [second, first]
        assert open_windows(cast.math_a) == [second]
        assert list(school_edit_windows(cast.year)) == [second, first]


# The page --------------------------------------------------------------------------------------------------------


def test_the_deputy_sees_the_log_and_the_form(client, cast, now, old_lesson):
    open_window(cast, lesson=old_lesson)
    client.force_login(cast.deputy)
    response = client.get(reverse("journal:unlock_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Сбой сервера 02.10" in html and "05.10.2026, 1 урок" in html and "открыто" in html
    assert 'action="/journal/unlock/open/"' in html


def test_the_director_reads_the_log_without_the_form(client, cast, now):
    open_window(cast)
    client.force_login(cast.director)
    response = client.get(reverse("journal:unlock_list"))
    assert response.status_code == 200
    assert "Сбой сервера" in response.content.decode() and response.context["form"] is None


def test_a_past_window_shows_as_closed(client, cast, old_lesson):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=MOSCOW), tick=False):
        open_window(cast, until=D(2026, 11, 3))
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=MOSCOW), tick=False):
        client.force_login(cast.deputy)
        html = client.get(reverse("journal:unlock_list")).content.decode()
    assert "закрыто" in html and "text-bg-success" not in html


def test_the_list_has_a_fixed_number_of_queries(client, cast, now, django_assert_num_queries):
    for day in range(1, 20):
        lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, day), number=1)
        open_window(cast, lesson=lesson)
        open_window(cast, assignment=cast.russian_b)
    client.force_login(cast.deputy)
    # session, user+school, current year, the windows (with assignment, teacher, class, subgroup, subject, lesson),
    # menu: unread; in the template: the form's assignments (a server-side cursor on PostgreSQL, one query all the same)
    with django_assert_num_queries(6):
        response = client.get(reverse("journal:unlock_list"))
    assert response.content.decode().count("text-bg-success") == 38


def test_the_form_prefills_from_the_grid(client, cast, now):
    client.force_login(cast.deputy)
    response = client.get(reverse("journal:unlock_list"), {"assignment": cast.math_a.pk, "date": "2026-10-05"})
    form = response.context["form"]
    assert form.initial["assignment"] == cast.math_a.pk and form.initial["lesson_date"] == D(2026, 10, 5)


def post(client, cast, **data):
    payload = {
        "assignment": cast.math_a.pk,
        "lesson_date": "",
        "lesson_number": "",
        "until": "2026-11-22",
        "reason": "Служебная записка № 14",
    }
    payload.update(data)
    return client.post(reverse("journal:unlock_open"), payload)


def test_the_deputy_opens_a_window_for_the_assignment(client, cast, now):
    client.force_login(cast.deputy)
    response = post(client, cast)
    assert response.status_code == 302 and response.url == reverse("journal:unlock_list")
    window = EditWindow.objects.get()
    assert (window.assignment, window.lesson, window.reason) == (cast.math_a, None, "Служебная записка № 14")
    assert "Окно исправлений открыто" in client.get(response.url).content.decode()


def test_a_window_for_a_lesson_by_its_date(client, cast, now, old_lesson):
    client.force_login(cast.admin)
    assert post(client, cast, lesson_date="2026-10-05").status_code == 302
    assert EditWindow.objects.get().lesson == old_lesson


def test_two_lessons_on_the_date_need_the_number(client, cast, now, old_lesson):
    second = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 5), number=4)
    client.force_login(cast.deputy)
    response = post(client, cast, lesson_date="2026-10-05")
    assert response.status_code == 400 and "несколько уроков (№ 1, 4)" in response.content.decode()
    assert post(client, cast, lesson_date="2026-10-05", lesson_number="4").status_code == 302
    assert EditWindow.objects.get().lesson == second


def test_a_date_without_a_lesson_is_refused(client, cast, now):
    client.force_login(cast.deputy)
    response = post(client, cast, lesson_date="2026-10-04")
    assert response.status_code == 400 and "урока по этому предмету" in response.content.decode()
    assert not EditWindow.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Обязательное поле"),
        ({"until": "2026-12-31"}, "не больше чем на 10 дней"),
        ({"until": "2026-11-19"}, "в будущем"),
    ],
)
def test_bad_input_is_shown_and_changes_nothing(client, cast, now, data, message):
    client.force_login(cast.deputy)
    response = post(client, cast, **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not EditWindow.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "classteacher", "director", "pupil_user", "parent_user"])
def test_others_cannot_open_a_window(client, cast, now, who):
    client.force_login(getattr(cast, who))
    assert post(client, cast).status_code == 403
    assert not EditWindow.objects.exists()


def test_anonymous_post_goes_to_login_and_get_is_not_allowed(client, cast, now):
    response = post(client, cast)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(cast.deputy)
    assert client.get(reverse("journal:unlock_open")).status_code == 405
    assert not EditWindow.objects.exists()


def test_an_assignment_of_another_year_is_not_offered(client, cast, now):
    from journal import services

    next_year = services.school_year_create(
        actor=cast.admin, school=cast.school, name="2027/2028", start_date=D(2027, 9, 1), end_date=D(2028, 5, 26)
    )
    other_class = services.class_create(actor=cast.admin, year=next_year, grade=7, letter="А")
    foreign = services.assignment_create(
        actor=cast.admin,
        school_class=other_class,
        subject=cast.math_a.subject,
        teacher=cast.teacher,
        hours_per_week=5,
    )
    client.force_login(cast.deputy)
    assert post(client, cast, assignment=foreign.pk).status_code == 400
    assert not EditWindow.objects.exists()


# Issue 10: limits that a changed line got past (hand mutation testing) -----------------------------------------------


def test_a_window_may_last_exactly_10_days_and_not_a_second_more(cast, now):
    assert open_window(cast, until=now + dt.timedelta(days=10)).valid_until == now + dt.timedelta(days=10)
    with pytest.raises(ValidationError, match="не больше чем на 10 дней"):
        open_window(cast, until=now + dt.timedelta(days=10, seconds=1))
    assert EditWindow.objects.count() == 1


def test_a_window_must_close_after_now(cast, now):
    with pytest.raises(ValidationError, match="должно закрываться в будущем"):
        open_window(cast, until=now)
    assert open_window(cast, until=now + dt.timedelta(seconds=1)).valid_until == now + dt.timedelta(seconds=1)


def test_a_one_lesson_window_opens_that_column_of_the_grid_only(cast, now, old_lesson):
    """The grid reads the windows with its lessons (one query) and passes them to edit_state: a window for one
    lesson must not open the other locked columns."""
    from journal.selectors.grid import ColumnState, journal_grid

    neighbour = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 6), number=1)
    open_window(cast, lesson=old_lesson)
    grid = journal_grid(cast.math_a, period_of(cast, old_lesson.date), today=TODAY)
    states = {column.lesson.pk: (column.state, column.editable) for column in grid.columns}
    assert states == {old_lesson.pk: (ColumnState.UNLOCKED, True), neighbour.pk: (ColumnState.LOCKED, False)}
    # The same through the preloaded windows the grid's callers pass to edit_state.
    windows = open_windows(cast.math_a)
    assert edit_state(old_lesson, windows=windows)[0]
    assert edit_state(neighbour, windows=windows) == edit_state(neighbour)
    assert not edit_state(neighbour, windows=windows)[0]


def period_of(cast, day: dt.date) -> int:
    """The id of the cast's study period holding the day."""
    return StudyPeriod.objects.get(year=cast.year, start_date__lte=day, end_date__gte=day).pk
