import datetime as dt
import re

import pytest
from django.urls import reverse

from journal.models import CurriculumEntry, GradeSettings, SchoolClass, SchoolYear, TeachingAssignment, Vacation


def test_setup_index_lists_the_steps(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("journal:setup")).content.decode()
    assert "Учебный год и календарь" in page and "Учебная нагрузка" in page
    assert "не заданы каникулы" in page  # the cast's year has none


def _step_links(page: str) -> list[str]:
    """The addresses the year-opening page links its steps to (the list of steps, step 0 included)."""
    steps = page.split('<div class="list-group mb-3', 1)[1].split("</main>", 1)[0].split("<form", 1)[0]
    return re.findall(r'href="([^"]+)"', steps)


@pytest.mark.parametrize("role", ["admin", "director", "deputy"])
def test_every_step_link_opens_for_the_user_it_is_offered_to(client, cast, role):
    # Issue 10: the director's page linked step 6 to the lesson layout, which answers 403 to the director.
    user = getattr(cast, role)
    client.force_login(user)
    page = client.get(reverse("journal:setup")).content.decode()
    links = _step_links(page)
    assert len(links) >= 5
    for url in links:
        assert client.get(url).status_code == 200, (role, url)
    layout = reverse("journal:lessons_layout")
    assert (layout in links) == (role != "director")
    if role == "director":
        assert "Уроки на год по расписанию" in page  # the step is listed, without a link, with who does it
        assert "Этот шаг выполняют заместитель директора и администратор." in page


def test_admin_creates_a_year_with_the_production_calendar(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:year_create"),
        {"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-26", "six_day_from": "10"},
    )
    year = SchoolYear.objects.get(school=cast.school, name="2027/2028")
    assert response.status_code == 302 and response.url == reverse("journal:setup_calendar", args=[year.pk])
    assert year.calendar_days.filter(date=dt.date(2027, 11, 4)).exists()
    assert GradeSettings.objects.get(year=year, grade=11).days_per_week == 6
    assert GradeSettings.objects.get(year=year, grade=9).days_per_week == 5


def test_overlapping_year_is_refused_in_russian(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:year_create"),
        {"name": "2026/2027-б", "start_date": "2026-09-01", "end_date": "2027-05-26", "six_day_from": "0"},
    )
    assert response.status_code == 200
    assert "пересекаются" in response.content.decode()


def test_vacation_and_periods_through_the_pages(client, cast):
    client.force_login(cast.admin)
    client.post(
        reverse("journal:setup_vacation_add", args=[cast.year.pk]),
        {
            "name": "Осенние каникулы",
            "start_date": "2026-10-24",
            "end_date": "2026-11-01",
            "grade_from": 1,
            "grade_to": 11,
        },
    )
    assert Vacation.objects.filter(year=cast.year).count() == 1
    response = client.post(
        reverse("journal:setup_vacation_add", args=[cast.year.pk]),
        {"name": "Летние", "start_date": "2027-06-01", "end_date": "2027-08-31", "grade_from": 1, "grade_to": 11},
        follow=True,
    )
    assert "внутри учебного года" in response.content.decode()
    assert Vacation.objects.filter(year=cast.year).count() == 1
    client.post(
        reverse("journal:setup_periods", args=[cast.year.pk, "half"]),
        {
            "half-start_1": "2026-09-01",
            "half-end_1": "2026-12-26",
            "half-start_2": "2027-01-11",
            "half-end_2": "2027-05-26",
        },
    )
    assert cast.year.periods.filter(kind="half").count() == 2


def test_class_and_class_teacher_through_the_pages(client, cast):
    client.force_login(cast.admin)
    client.post(
        reverse("journal:setup_class_add", args=[cast.year.pk]),
        {"grade": 5, "letter": "в", "class_teacher": cast.teacher.pk},
    )
    new = SchoolClass.objects.get(year=cast.year, grade=5, letter="В")
    assert new.class_teacher == cast.teacher
    assert cast.teacher.has_perm("journal.manage_class", new)
    response = client.post(
        reverse("journal:setup_class_add", args=[cast.year.pk]), {"grade": 5, "letter": "В"}, follow=True
    )
    assert SchoolClass.objects.filter(year=cast.year, grade=5, letter="В").count() == 1
    assert response.status_code == 200


def test_curriculum_grid_saves_and_refuses_bad_cells(client, cast):
    client.force_login(cast.admin)
    physics = cast.physics_b.subject
    key = f"h_{cast.class_a.pk}_{physics.pk}"
    client.post(reverse("journal:setup_curriculum", args=[cast.year.pk]), {key: "2"})
    assert CurriculumEntry.objects.get(school_class=cast.class_a, subject=physics).hours_per_week == 2
    response = client.post(reverse("journal:setup_curriculum", args=[cast.year.pk]), {key: "два"}, follow=True)
    assert "не число часов" in response.content.decode()
    assert CurriculumEntry.objects.get(school_class=cast.class_a, subject=physics).hours_per_week == 2


def test_assignment_add_and_transfer(client, cast):
    client.force_login(cast.admin)
    physics = cast.physics_b.subject
    client.post(
        reverse("journal:setup_assignment_add", args=[cast.year.pk]),
        {
            "school_class": cast.class_a.pk,
            "subject_id": physics.pk,
            "teacher": cast.other_teacher.pk,
            "hours_per_week": "1,5",
        },
    )
    assignment = TeachingAssignment.objects.get(school_class=cast.class_a, subject=physics)
    assert str(assignment.hours_per_week) == "1.5"
    client.post(
        reverse("journal:setup_assignment_transfer", args=[cast.year.pk]),
        {"assignment": assignment.pk, "teacher": cast.teacher.pk},
    )
    assignment.refresh_from_db()
    assert assignment.teacher == cast.teacher
    assert cast.teacher.has_perm("journal.edit_assignment_journal", assignment)
    assert not cast.other_teacher.has_perm("journal.edit_assignment_journal", assignment)


@pytest.mark.parametrize("role", ["deputy", "director"])
def test_read_only_management_cannot_write(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.post(reverse("journal:setup_class_add", args=[cast.year.pk]), {"grade": 5, "letter": "Д"})
    assert response.status_code == 403
    response = client.post(
        reverse("journal:setup_curriculum", args=[cast.year.pk]), {f"h_{cast.class_a.pk}_{cast.math_a.subject_id}": "9"}
    )
    assert response.status_code == 403
    assert not SchoolClass.objects.filter(letter="Д").exists()
    assert client.get(reverse("journal:setup_curriculum", args=[cast.year.pk])).status_code == 200


@pytest.mark.parametrize("role", ["teacher", "classteacher", "parent_user", "foreign_admin"])
def test_outsiders_get_404_on_writes(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.post(reverse("journal:setup_class_add", args=[cast.year.pk]), {"grade": 5, "letter": "Д"})
    assert response.status_code == 404
    assert not SchoolClass.objects.filter(letter="Д").exists()


def test_closed_year_is_read_only_in_the_flow(client, cast):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status="closed")
    client.force_login(cast.admin)
    assert (
        client.post(reverse("journal:setup_class_add", args=[cast.year.pk]), {"grade": 5, "letter": "Д"}).status_code
        == 403
    )
    assert "только просмотр" in client.get(reverse("journal:setup_classes", args=[cast.year.pk])).content.decode()


# Exact, with the queries named (the admin signed in: session, user+school first; the menu's unread count). The year
# comes from journal.access's visibility queryset with its school, in one query.
@pytest.mark.parametrize(
    "view, queries",
    [
        # session, user+school, year, classes, subjects, curriculum, menu: unread
        ("journal:setup_curriculum", 7),
        # session, user+school, year, classes, subgroups, assignments (with teacher, subgroup, subject, class),
        # curriculum, hours per teacher, staff (the loads table), staff again (the teacher select), menu: unread
        ("journal:setup_assignments", 11),
        # session, user+school, year, classes (with pupil counts and class teachers), subgroups, menu: unread; in the
        # template: staff for the new class's teacher select, staff again for the class teacher form's select
        ("journal:setup_classes", 8),
        # session, user+school, year, study periods, grade settings, vacations, calendar days, the periods again for
        # each kind in use (quarters, halves: the period forms), menu: unread
        ("journal:setup_calendar", 10),
    ],
)
@pytest.mark.parametrize("extra_classes", [0, 6])
def test_setup_pages_have_fixed_queries(client, cast, django_assert_num_queries, view, queries, extra_classes):
    from decimal import Decimal

    from journal import services

    for n in range(extra_classes):
        school_class = services.class_create(
            actor=cast.admin, year=cast.year, grade=9, letter=f"К{n}", class_teacher=None
        )
        services.curriculum_set(
            actor=cast.admin, school_class=school_class, subject=cast.math_a.subject, hours_per_week=Decimal(3)
        )
        services.assignment_create(
            actor=cast.admin,
            school_class=school_class,
            subject=cast.math_a.subject,
            teacher=cast.teacher,
            hours_per_week=Decimal(3),
        )
    client.force_login(cast.admin)
    with django_assert_num_queries(queries):
        assert client.get(reverse(view, args=[cast.year.pk])).status_code == 200
