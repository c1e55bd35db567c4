import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from journal.models import Lesson, Substitution
from journal.selectors.substitution import teacher_substitutions

DAY = dt.date(2026, 9, 14)


@pytest.fixture
def lesson(cast) -> Lesson:
    return Lesson.objects.create(assignment=cast.math_a, date=DAY, number=2)


def log_url(**query):
    url = reverse("journal:substitutions")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_deputy_records_through_the_form(client, cast, lesson):
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=2)  # other_teacher is busy at lesson 2
    client.force_login(cast.deputy)
    html = client.get(log_url(day="2026-09-14", **{"class": cast.class_a.pk})).content.decode()
    assert "2 урок — Математика" in html
    assert "занят(а) на уроках: 2" in html
    data = {"day": "2026-09-14", "class": cast.class_a.pk, "lesson": lesson.pk, "reason": "курсы"}
    response = client.post(
        reverse("journal:substitution_record"), {**data, "substitute": cast.other_teacher.pk}, follow=True
    )
    assert "в это время ведёт другой урок" in response.content.decode()
    assert not Substitution.objects.exists()
    response = client.post(reverse("journal:substitution_record"), {**data, "substitute": cast.classteacher.pk})
    assert response.status_code == 302
    substitution = Substitution.objects.get()
    assert (substitution.substitute, substitution.reason, substitution.recorded_by) == (
        cast.classteacher,
        "курсы",
        cast.deputy,
    )


def test_the_log_lists_substitutions_of_the_period(client, cast, lesson):
    Substitution.objects.create(lesson=lesson, substitute=cast.other_teacher, reason="болезнь", recorded_by=cast.deputy)
    late = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 12, 1), number=1)
    Substitution.objects.create(lesson=late, substitute=cast.classteacher, reason="курсы", recorded_by=cast.admin)
    client.force_login(cast.director)
    response = client.get(log_url(date_from="2026-09-01", date_to="2026-10-23"))
    assert response.status_code == 200
    assert [s.lesson for s in response.context["log"]] == [lesson]
    html = response.content.decode()
    assert "болезнь" in html and "Оформить замену" not in html  # the director reads only
    assert cast.teacher.short_name in html and cast.other_teacher.short_name in html


def test_the_default_period_is_the_current_quarter(client, cast):
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.deputy)
        response = client.get(log_url())
    assert (response.context["start"], response.context["end"]) == (dt.date(2026, 11, 2), dt.date(2026, 12, 26))


def test_the_log_queries_are_fixed(client, cast, django_assert_num_queries):
    client.force_login(cast.deputy)
    for i in range(20):
        lesson = Lesson.objects.create(assignment=cast.math_a, date=DAY + dt.timedelta(days=i), number=1)
        Substitution.objects.create(lesson=lesson, substitute=cast.other_teacher, recorded_by=cast.deputy)
    # session, user+school, current year, study periods (the default range), the log (substitutions with lesson,
    # teacher, class, subgroup, subject), classes, the chosen class's lessons of the day, staff, the school's lessons
    # of the day (who is busy), menu: unread
    with django_assert_num_queries(10):
        client.get(
            log_url(date_from="2026-09-01", date_to="2026-12-31", day="2026-09-14", **{"class": cast.class_a.pk})
        )


@pytest.mark.parametrize("who", ["teacher", "classteacher", "other_teacher", "pupil_user", "parent_user"])
def test_others_are_refused(client, cast, lesson, who):
    client.force_login(getattr(cast, who))
    assert client.get(log_url()).status_code == 403
    data = {"day": "2026-09-14", "class": cast.class_a.pk, "lesson": lesson.pk, "substitute": cast.other_teacher.pk}
    assert client.post(reverse("journal:substitution_record"), data).status_code == 403
    assert not Substitution.objects.exists()


def test_the_director_cannot_record(client, cast, lesson):
    client.force_login(cast.director)
    data = {"day": "2026-09-14", "class": cast.class_a.pk, "lesson": lesson.pk, "substitute": cast.other_teacher.pk}
    assert client.post(reverse("journal:substitution_record"), data).status_code == 403


def test_cancel(client, cast, lesson):
    substitution = Substitution.objects.create(lesson=lesson, substitute=cast.other_teacher, recorded_by=cast.deputy)
    url = reverse("journal:substitution_cancel", args=[substitution.pk])
    client.force_login(cast.director)
    assert client.post(url).status_code == 403
    client.force_login(cast.foreign_admin)
    assert client.post(url).status_code == 404
    client.force_login(cast.admin)
    response = client.post(url, {"date_from": "2026-09-01", "date_to": "2026-10-23"})
    assert response.status_code == 302 and "date_from=2026-09-01" in response.url
    assert not Substitution.objects.exists()


def test_post_only(client, cast):
    client.force_login(cast.deputy)
    assert client.get(reverse("journal:substitution_record")).status_code == 405


def test_the_teachers_own_substitutions_for_the_home_page(cast, lesson):
    Substitution.objects.create(lesson=lesson, substitute=cast.other_teacher, reason="курсы", recorded_by=cast.deputy)
    rows = list(teacher_substitutions(cast.other_teacher, DAY, DAY + dt.timedelta(days=14)))
    assert [s.lesson for s in rows] == [lesson]
    assert not teacher_substitutions(cast.teacher, DAY, DAY).exists()
    html = render_to_string("journal/substitution/_teacher_list.html", {"substitutions": rows})
    assert "Мои замены" in html and reverse("journal:grid_lesson", args=[lesson.pk]) in html and "курсы" in html
