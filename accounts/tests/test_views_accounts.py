import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD


def login(client, username, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_login_page_is_russian(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Логин" in content and "Пароль" in content and "Войти" in content


@pytest.mark.parametrize(
    "username, marker",
    [
        ("admin", "Учащихся сегодня"),
        ("director", "Учащихся сегодня"),
        ("deputy", "Учащихся сегодня"),
        ("teacher", "Мои классы и предметы"),
        ("classteacher", "Классное руководство"),
        ("pupil", "7 «А»"),
        ("parent", "7 «А»"),
    ],
)
def test_each_role_lands_on_its_home_page(client, cast, username, marker):
    response = login(client, username)
    assert response.status_code == 302 and response.url == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert marker in page


def test_menus_differ_by_role(client, cast):
    client.force_login(cast.deputy)
    page = client.get(reverse("home")).content.decode()
    assert reverse("journal:staff_list") in page
    assert reverse("admin:index") not in page
    client.force_login(cast.admin)  # a school's admin works in the application, not in the Django admin
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(cast.pupil_user)
    page = client.get(reverse("home")).content.decode()
    assert reverse("diary:home") in page
    assert reverse("journal:class_list") not in page
    assert reverse("journal:assignment_list") not in page


def test_parent_home_shows_only_own_children(client, cast):
    client.force_login(cast.parent_user)
    page = client.get(reverse("home")).content.decode()
    assert cast.pupil.user.full_name in page
    assert cast.other_pupil.user.full_name not in page


def test_wrong_password_gives_a_russian_message_and_no_session(client, cast):
    response = login(client, "teacher", "wrong-password")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_by_username_and_ip_spares_the_rest_of_the_school(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "teacher", "wrong-password")
    locked = login(client, "teacher")  # even the right password is refused during the cool-off
    assert locked.status_code == 429
    assert "заблокирован" in locked.content.decode()
    # Another user behind the same school IP still signs in.
    other = login(client, "classteacher")
    assert other.status_code == 302
    # The same user from another IP is not locked either.
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, cast, settings):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "teacher", "wrong-password")
        assert login(client, "teacher").status_code == 429
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 16, tzinfo=dt.UTC), tick=False):
        assert login(client, "teacher").status_code == 302


def test_logout_is_post_only(client, cast):
    client.force_login(cast.teacher)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Nov-Parol-2026", "new_password2": "Nov-Parol-2026"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=cast.teacher.pk).check_password("Nov-Parol-2026")


def test_password_change_refuses_a_weak_password_in_russian(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    refusals = ["Введённый пароль слишком широко распространён.", "Введённый пароль состоит только из цифр."]
    assert response.context["form"].errors["new_password2"] == refusals
    page = response.content.decode()
    assert all(refusal in page for refusal in refusals)
    assert User.objects.get(pk=cast.teacher.pk).check_password(TEST_PASSWORD)


def test_sessions_expire():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_idle_limit_is_renewed_every_few_minutes_not_every_request(client, cast):
    from django.contrib.sessions.models import Session

    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    profile = reverse("accounts:profile")
    with time_machine.travel(start, tick=False):
        client.force_login(cast.teacher)
        key = client.session.session_key
        first_expiry = Session.objects.get(pk=key).expire_date
        client.get(profile)
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        client.get(profile)
        assert Session.objects.get(pk=key).expire_date == first_expiry  # no write within the refresh interval
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        client.get(profile)
        assert Session.objects.get(pk=key).expire_date == first_expiry + dt.timedelta(minutes=6)
    later = start + dt.timedelta(minutes=6) + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(profile)
        assert response.status_code == 302 and reverse("accounts:login") in response.url  # idle too long


def test_profile_shows_own_data(client, cast):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save(update_fields=["email"])
    client.force_login(cast.parent_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    # The header names the user on every page: look at the profile's own heading and list only.
    assert '<h1 class="h4">Родитель Ольга</h1>' in page
    profile = page[page.index('<dl class="row">') : page.index("</dl>")]
    for label, value in [
        ("Логин", "parent"),
        ("Роль", "Родитель"),
        ("Школа", cast.school.name),
        ("Электронная почта", "olga@example.ru"),
    ]:
        assert f'<dt class="col-sm-3">{label}</dt><dd class="col-sm-9">{value}</dd>' in profile, label


def test_class_teacher_menu_links_the_class(client, cast):
    client.force_login(cast.classteacher)
    page = client.get(reverse("journal:year_detail")).content.decode()
    assert "Мой класс" in page and reverse("journal:class_detail", args=[cast.class_a.pk]) in page
    client.force_login(cast.teacher)
    assert "Мой класс" not in client.get(reverse("journal:year_detail")).content.decode()


def test_times_follow_the_school_time_zone(client, cast):
    from django.utils import timezone

    cast.school.time_zone = "Asia/Yekaterinburg"
    cast.school.save()
    client.force_login(cast.teacher)
    assert client.get(reverse("accounts:profile")).status_code == 200
    # The test client runs the request in this thread, so the middleware's activation is visible here.
    assert timezone.get_current_timezone_name() == "Asia/Yekaterinburg"
    client.logout()
    client.get(reverse("accounts:login"))
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


# Query counts ----------------------------------------------------------------------------------------------------
# Exact, with the queries named: when the number moves, the comment says which query came or went. Every signed-in
# page reads the session and the user with their school (one query: accounts.backends.UserBackend); the menu adds the
# class a teacher leads and the unread count (one query: diary.selectors.menu.menu_facts). The clock stands in the year: the home pages read "today".

MEASURED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "role, queries",
    [
        ("teacher", 3),  # session, user+school, menu: led class and unread in one (the floor of a teacher's page)
        ("parent_user", 4),  # session, user+school, menu: unread; in the template: the parent's card
    ],
)
def test_profile_page_queries(client, cast, django_assert_num_queries, role, queries):
    client.force_login(getattr(cast, role))
    with django_assert_num_queries(queries):
        assert client.get(reverse("accounts:profile")).status_code == 200


# The administration: session, user+school, current year, then the summary's four counts (classes, pupils on the roll,
# staff, weekly hours), the dashboard on a school without lessons (the bells rung so far, the open correction windows,
# their own lessons today), the audit (the last справка, the weekly remarks' counts, the справки awaiting
# acknowledgement), menu: unread. (With lessons: ejournal/tests/test_home.py.)
MANAGEMENT_HOME = 14
# A teacher: session, user+school, current year, their assignments, the class they lead, substitutions of the next two
# weeks, their day without lessons (today's, the unrecorded, the columns about to lock: one query each), the audit's
# open remarks and справки to acknowledge, menu: led
# class (read a second time: the menu does not reuse the page's) and unread, in one query. The class teacher adds the class's missing
# marks (the period, the subjects, the class list, the exemptions, the lessons held, the marks). (With lessons:
# ejournal/tests/test_home.py.)
TEACHER_HOME = 12
CLASSTEACHER_HOME = TEACHER_HOME + 6
# A family: session, user+school, current year (unused by the family page), the children (visible pupils), their
# classes today, pupil_days (enrollments+subgroups, lessons with bells, homework, marks+attendance, calendar), menu:
# unread.
FAMILY_HOME = 11


@pytest.mark.parametrize(
    "role, queries",
    [
        ("admin", MANAGEMENT_HOME),
        ("director", MANAGEMENT_HOME),
        ("deputy", MANAGEMENT_HOME),
        ("teacher", TEACHER_HOME),
        ("classteacher", CLASSTEACHER_HOME),
        ("pupil_user", FAMILY_HOME),
        ("parent_user", FAMILY_HOME),
    ],
)
def test_home_page_queries(client, cast, django_assert_num_queries, role, queries):
    with time_machine.travel(MEASURED, tick=False):
        client.force_login(getattr(cast, role))
        with django_assert_num_queries(queries):
            assert client.get(reverse("home")).status_code == 200
