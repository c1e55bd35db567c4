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


# Every lesson of an absent teacher -----------------------------------------------------------------------------------

BULK = "journal:substitution_bulk"


@pytest.fixture
def before_the_week():
    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def week(cast, before_the_week) -> list[Lesson]:
    lessons = [
        Lesson.objects.create(assignment=cast.math_a, date=DAY, number=1),
        Lesson.objects.create(assignment=cast.math_a, date=DAY, number=3),
        Lesson.objects.create(assignment=cast.math_a, date=DAY + dt.timedelta(days=1), number=2),
    ]
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=3)  # other_teacher is busy on Monday 3rd
    return lessons


def bulk_query(cast, substitute, **more):
    return {
        "teacher": cast.teacher.pk,
        "date_from": "2026-09-14",
        "date_to": "2026-09-18",
        "substitute": substitute.pk if substitute else "",
        "reason": "курсы",
        **more,
    }


def test_the_deputy_previews_the_lessons_and_conflicts_then_confirms(client, cast, week):
    client.force_login(cast.deputy)
    log = client.get(reverse("journal:substitutions")).content.decode()
    assert reverse(BULK) in log and "Заменить все уроки учителя за день / период" in log
    assert client.get(reverse(BULK)).status_code == 200  # the empty form

    # The preview: every lesson, the conflict of the busy substitute, no button to save; nothing written.
    page = client.get(reverse(BULK), bulk_query(cast, cast.other_teacher)).content.decode()
    assert page.count('name="s_') == 3
    assert "ведёт свой урок: 3 урок 14.09.2026, Физика — 8 «Б»" in page
    assert "конфликтов: 1" in page and 'value="save"' not in page
    assert not Substitution.objects.exists()

    # Saving anyway (a stale page) is refused whole, back to the preview with the reason.
    query = bulk_query(cast, cast.other_teacher)
    response = client.post(reverse(BULK), {**query, "action": "save"})
    assert response.status_code == 302 and response.url.startswith(reverse(BULK) + "?")
    assert "конфликтов — 1" in client.get(response.url).content.decode()
    assert not Substitution.objects.exists()

    # Another substitute for the busy lesson: «Проверить ещё раз» comes back to the preview with the choice kept.
    choice = {f"s_{week[1].pk}": str(cast.classteacher.pk)}
    response = client.post(reverse(BULK), {**query, **choice, "action": "check"})
    assert response.status_code == 302 and f"s_{week[1].pk}={cast.classteacher.pk}" in response.url
    page = client.get(response.url).content.decode()
    assert "конфликтов" not in page and 'value="save"' in page and "Оформить замены (3)" in page

    # Confirm: all three, then the log of those dates (POST/redirect/GET).
    response = client.post(reverse(BULK), {**query, **choice, "action": "save"})
    assert response.status_code == 302
    assert response.url == reverse("journal:substitutions") + "?date_from=2026-09-14&date_to=2026-09-18"
    assert "Оформлено замен: 3." in client.get(response.url).content.decode()
    assert dict(Substitution.objects.values_list("lesson_id", "substitute_id")) == {
        week[0].pk: cast.other_teacher.pk,
        week[1].pk: cast.classteacher.pk,
        week[2].pk: cast.other_teacher.pk,
    }
    assert set(Substitution.objects.values_list("reason", flat=True)) == {"курсы"}


def test_a_lesson_may_be_left_out(client, cast, week):
    client.force_login(cast.admin)
    query = {**bulk_query(cast, cast.other_teacher), f"s_{week[1].pk}": "0", "action": "save"}
    assert client.post(reverse(BULK), query).status_code == 302
    assert set(Substitution.objects.values_list("lesson_id", flat=True)) == {week[0].pk, week[2].pk}


def test_bad_input_is_refused_in_russian_and_changes_nothing(client, cast, week):
    client.force_login(cast.deputy)
    page = client.get(reverse(BULK), bulk_query(cast, cast.classteacher, date_to="2026-12-31")).content.decode()
    assert "не больше 31 календарного дня" in page
    page = client.get(reverse(BULK), bulk_query(cast, None, teacher="x")).content.decode()
    assert "Выберите корректный вариант" in page
    response = client.post(reverse(BULK), {**bulk_query(cast, None), "action": "save"}, follow=True)
    assert "не выбран заменяющий ни для одного урока" in response.content.decode()
    assert not Substitution.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 403), ("teacher", 403), ("classteacher", 403), ("pupil_user", 403), ("foreign_admin", 404)],
)
def test_only_those_who_record_substitutions_replace_in_bulk(client, cast, week, role, status):
    client.force_login(getattr(cast, role))
    assert client.get(reverse(BULK), bulk_query(cast, cast.classteacher)).status_code == status
    response = client.post(reverse(BULK), {**bulk_query(cast, cast.classteacher), "action": "save"})
    assert response.status_code == status
    assert not Substitution.objects.exists()


def test_the_bulk_page_is_refused_to_anonymous_and_in_a_closed_year(client, cast, week):
    assert client.get(reverse(BULK)).status_code == 302
    cast.year.status = "closed"
    cast.year.save(update_fields=["status"])
    client.force_login(cast.deputy)
    assert client.get(reverse(BULK)).status_code == 403


@pytest.mark.parametrize("weeks", [1, 3])
def test_the_bulk_preview_queries_do_not_grow_with_lessons(client, cast, week, django_assert_num_queries, weeks):
    for n in range(1, weeks):
        for lesson in week:
            Lesson.objects.create(
                assignment=cast.math_a, date=lesson.date + dt.timedelta(weeks=n), number=lesson.number
            )
    client.force_login(cast.deputy)
    query = bulk_query(cast, cast.other_teacher, date_to=f"{DAY + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)}")
    # session, user+school, the current year, the staff (the pickers); the plan: the absent teacher's lessons (with
    # class, subject, substitution), the other lessons at those times, the active staff (each row's free people),
    # the school (today in its time zone), the grade's calendar (years, grade settings, calendar days, vacations),
    # the lessons the substitute is busy with (their labels); menu: unread
    with django_assert_num_queries(14):
        response = client.get(reverse(BULK), query)
    assert response.content.decode().count('name="s_') == 3 * weeks
