"""Notification preferences: quiet hours (inside, outside, across midnight, in the school's time zone), the
service (a user edits only their own, bad input changes nothing) and the page for every kind of user."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from diary.models import NotificationSettings
from diary.selectors.notifications import settings_for
from diary.services.notifications import notification_settings_set, quiet_hours_end, send_time

from .test_notifications_support import MSK, moment, wants

T = dt.time
URL = "/diary/notifications/"


# Quiet hours ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "end"),
    [
        (moment(2026, 11, 20, 20, 59), None),  # just before
        (moment(2026, 11, 20, 21, 0), moment(2026, 11, 21, 8, 0)),  # the start is inside
        (moment(2026, 11, 20, 23, 30), moment(2026, 11, 21, 8, 0)),  # before midnight: ends tomorrow
        (moment(2026, 11, 21, 0, 15), moment(2026, 11, 21, 8, 0)),  # after midnight: ends today
        (moment(2026, 11, 21, 7, 59), moment(2026, 11, 21, 8, 0)),
        (moment(2026, 11, 21, 8, 0), None),  # the end is outside
        (moment(2026, 11, 21, 14, 0), None),
    ],
)
def test_quiet_hours_across_midnight(now, end):
    assert quiet_hours_end(T(21, 0), T(8, 0), now, MSK) == end


@pytest.mark.parametrize(
    ("now", "end"),
    [
        (moment(2026, 11, 20, 12, 59), None),
        (moment(2026, 11, 20, 13, 0), moment(2026, 11, 20, 15, 30)),
        (moment(2026, 11, 20, 15, 29), moment(2026, 11, 20, 15, 30)),
        (moment(2026, 11, 20, 15, 30), None),
        (moment(2026, 11, 20, 23, 0), None),
    ],
)
def test_quiet_hours_within_a_day(now, end):
    assert quiet_hours_end(T(13, 0), T(15, 30), now, MSK) == end


def test_no_quiet_hours():
    now = moment(2026, 11, 20, 23, 0)
    assert quiet_hours_end(None, None, now, MSK) is None
    assert quiet_hours_end(T(21, 0), None, now, MSK) is None
    assert quiet_hours_end(T(21, 0), T(21, 0), now, MSK) is None


def test_quiet_hours_are_in_the_schools_time_zone():
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")  # Moscow + 2 hours
    # 19:30 in Moscow is 21:30 in Yekaterinburg: quiet there, not in Moscow.
    now = moment(2026, 11, 20, 19, 30)
    assert quiet_hours_end(T(21, 0), T(8, 0), now, MSK) is None
    end = quiet_hours_end(T(21, 0), T(8, 0), now, yekaterinburg)
    assert end == dt.datetime(2026, 11, 21, 8, 0, tzinfo=yekaterinburg)
    assert end.astimezone(MSK).hour == 6


def test_send_time_is_now_outside_quiet_hours():
    prefs = NotificationSettings(quiet_from=T(21, 0), quiet_to=T(8, 0))
    noon, night = moment(2026, 11, 20, 12, 0), moment(2026, 11, 20, 22, 0)
    assert send_time(prefs, MSK, noon) == noon
    assert send_time(prefs, MSK, night) == moment(2026, 11, 21, 8, 0)


# The service ------------------------------------------------------------------------------------------------------


def choices(**overrides) -> dict:
    values = {
        "email_marks": True,
        "email_absences": True,
        "email_messages": False,
        "weekly_digest": True,
        "quiet_from": T(22, 0),
        "quiet_to": T(7, 30),
    }
    values.update(overrides)
    return values


def test_a_user_without_a_row_has_the_defaults(cast):
    prefs = settings_for(cast.parent_user)
    assert prefs.pk is None
    assert (prefs.email_marks, prefs.email_absences, prefs.email_messages, prefs.weekly_digest) == (
        False,
        False,
        True,
        False,
    )
    assert (prefs.quiet_from, prefs.quiet_to) == (T(21, 0), T(8, 0))


def test_a_user_sets_their_own_preferences(cast):
    prefs = notification_settings_set(
        actor=cast.parent_user, user=cast.parent_user, email=" Olga@Example.RU ", **choices()
    )
    assert prefs.pk and prefs.email_marks and prefs.weekly_digest and not prefs.email_messages
    assert (prefs.quiet_from, prefs.quiet_to) == (T(22, 0), T(7, 30))
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == "Olga@example.ru"  # the domain is normalised
    again = notification_settings_set(
        actor=cast.parent_user, user=cast.parent_user, **choices(quiet_from=None, quiet_to=None)
    )
    assert again.pk == prefs.pk and again.quiet_from is None
    assert NotificationSettings.objects.filter(user=cast.parent_user).count() == 1


@pytest.mark.parametrize("actor", ["admin", "parent2_user", "pupil_user"])
def test_nobody_sets_someone_elses_preferences(cast, actor):
    with pytest.raises(PermissionDenied):
        notification_settings_set(actor=getattr(cast, actor), user=cast.parent_user, email="x@example.ru", **choices())
    assert not NotificationSettings.objects.filter(user=cast.parent_user).exists()
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quiet_from": T(22, 0), "quiet_to": None}, "и начало, и конец"),
        ({"quiet_from": None, "quiet_to": T(7, 0)}, "и начало, и конец"),
        ({"quiet_from": T(22, 0), "quiet_to": T(22, 0)}, "совпадают"),
        ({"email": "not-an-address"}, "адрес"),
    ],
)
def test_bad_input_changes_nothing(cast, overrides, message):
    wants(cast.parent_user, email="old@example.ru", email_marks=False)
    values = choices(email="new@example.ru")
    values.update(overrides)
    with pytest.raises(ValidationError) as error:
        notification_settings_set(actor=cast.parent_user, user=cast.parent_user, **values)
    assert message in " ".join(error.value.messages)
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == "old@example.ru"
    assert not NotificationSettings.objects.get(user=cast.parent_user).email_marks


# The page ---------------------------------------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "email": "olga@example.ru",
        "email_marks": "on",
        "email_absences": "on",
        "email_messages": "on",
        "weekly_digest": "",
        "quiet_from": "21:30",
        "quiet_to": "07:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_url():
    assert reverse("diary:notifications") == URL


@pytest.mark.parametrize("role", ["pupil_user", "parent_user", "teacher", "classteacher", "admin", "director"])
def test_every_user_sees_their_own_page(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Адрес электронной почты не указан" in html  # the cast has no addresses
    assert 'name="quiet_from"' in html and 'value="21:00"' in html  # the defaults
    family = role in ("pupil_user", "parent_user")
    assert ('name="email_marks"' in html) == family
    assert ('name="weekly_digest"' in html) == family
    assert 'name="email_messages"' in html


def test_the_page_shows_the_address(client, cast):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save()
    client.force_login(cast.parent_user)
    html = client.get(URL).content.decode()
    assert "Письма приходят на <b>olga@example.ru</b>" in html
    assert "не указан" not in html


def test_the_page_names_the_schools_time_in_russian(client, cast):
    """Quiet hours are in the school's time, said as people say it, not as «Europe/Moscow»."""
    client.force_login(cast.parent_user)
    html = client.get(URL).content.decode()
    assert "Время — школьное (московское время (UTC+3))" in html and "Europe/" not in html
    cast.school.time_zone = "Asia/Yekaterinburg"
    cast.school.save()
    assert "екатеринбургское время (UTC+5)" in client.get(URL).content.decode()
    cast.school.time_zone = "Europe/Berlin"  # a zone without a Russian name: its offset
    cast.school.save()
    html = client.get(URL).content.decode()
    assert re.search(r"Время — школьное \(UTC\+[12]\)", html) and "Berlin" not in html


def test_a_parent_saves_preferences_and_an_address(client, cast):
    client.force_login(cast.parent_user)
    response = client.post(URL, form_data())
    assert response.status_code == 302 and response.url == URL
    prefs = NotificationSettings.objects.get(user=cast.parent_user)
    assert prefs.email_marks and prefs.email_absences and prefs.email_messages and not prefs.weekly_digest
    assert (prefs.quiet_from, prefs.quiet_to) == (T(21, 30), T(7, 0))
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == "olga@example.ru"
    assert "Настройки уведомлений сохранены" in client.get(URL).content.decode()


def test_quiet_hours_can_be_switched_off(client, cast):
    client.force_login(cast.parent_user)
    client.post(URL, form_data(quiet_from="", quiet_to=""))
    prefs = NotificationSettings.objects.get(user=cast.parent_user)
    assert prefs.quiet_from is None and prefs.quiet_to is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "olga@"}, "Введите правильный адрес электронной почты"),
        ({"quiet_to": ""}, "и начало, и конец"),
        ({"quiet_from": "25:99"}, "Введите правильное время"),
        ({"quiet_from": "07:00"}, "совпадают"),
    ],
)
def test_bad_input_on_the_page_changes_nothing(client, cast, overrides, message):
    client.force_login(cast.parent_user)
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NotificationSettings.objects.filter(user=cast.parent_user).exists()
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == ""


def test_staff_keep_their_hidden_choices(client, cast):
    wants(cast.teacher, email_marks=True, weekly_digest=True)
    client.force_login(cast.teacher)
    response = client.post(URL, {"email": "teacher@example.ru", "quiet_from": "22:00", "quiet_to": "06:00"})
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=cast.teacher)
    assert not prefs.email_messages  # unticked
    assert prefs.email_marks and prefs.weekly_digest  # not on the form: kept


def test_the_page_edits_only_the_signed_in_user(client, cast):
    """There is no URL for someone else's preferences; a forged field changes nothing of theirs."""
    client.force_login(cast.parent_user)
    client.post(URL, {**form_data(), "user": cast.parent2_user.pk, "user_id": cast.parent2_user.pk})
    assert NotificationSettings.objects.get().user == cast.parent_user
    cast.parent2_user.refresh_from_db()
    assert cast.parent2_user.email == ""


def test_anonymous_is_sent_to_log_in(client, cast):
    for response in (client.get(URL), client.post(URL, form_data())):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not NotificationSettings.objects.exists()


def test_wrong_method(client, cast):
    client.force_login(cast.parent_user)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_the_page_has_few_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.parent_user)
    # session, user+school, the user's settings, their last e-mails, menu: unread
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200
