"""Lists and detail pages agree (journal.access): for every user of the cast, each object a list shows opens on its
detail page, and an object the list does not show is 404 there; another school's objects are in neither.

The lists are read through the selectors the list pages use; the details are requested through the client, so the
status is the one a user gets.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.tests.factories import SchoolFactory, UserFactory
from journal import selectors, services
from journal.access import (
    assignment_for_user,
    visible_assignments,
    visible_classes,
    visible_lessons,
    visible_pupils,
    visible_years,
)
from journal.models import Lesson, SchoolClass, TeachingAssignment
from journal.services.substitution import substitution_record

pytestmark = pytest.mark.django_db

ROLES = ["admin", "director", "deputy", "teacher", "other_teacher", "classteacher", "pupil", "parent", "parent2"]


def user_of(cast, role):
    return (
        {"pupil": cast.pupil_user, "parent": cast.parent_user}.get(role)
        or getattr(cast, role, None)
        or getattr(cast, f"{role}_user")
    )


def foreign_objects(cast):
    """A second school with its own year, class, assignment and lesson, which nobody of the cast may see."""
    school = SchoolFactory(short_name="СОШ № 9")
    admin = UserFactory(school=school, role="admin")
    year = services.school_year_create(
        actor=admin, school=school, name="2026/2027", start_date=cast.year.start_date, end_date=cast.year.end_date
    )
    school_class = services.class_create(actor=admin, year=year, grade=7, letter="В")
    teacher = UserFactory(school=school)
    subject = services.subject_create(actor=admin, school=school, name="Химия")
    assignment = services.assignment_create(
        actor=admin, school_class=school_class, subject=subject, teacher=teacher, hours_per_week=2
    )
    lesson = Lesson.objects.create(assignment=assignment, date=cast.year.start_date, number=1)
    return year, school_class, assignment, lesson


def test_assignments_the_list_shows_open_and_the_rest_do_not(client, cast):
    foreign = foreign_objects(cast)[2]
    everything = list(TeachingAssignment.objects.all())
    for role in ROLES:
        user = user_of(cast, role)
        client.force_login(user)
        listed = set(selectors.assignments_for_user(user, cast.year))
        assert foreign not in listed
        for assignment in everything:
            status = client.get(reverse("journal:assignment_detail", args=[assignment.pk])).status_code
            assert status == (200 if assignment in listed else 404), (role, assignment)


def test_the_class_teacher_sees_every_subject_of_the_class_and_edits_them(cast):
    listed = set(selectors.assignments_for_user(cast.classteacher, cast.year))
    assert cast.math_a in listed  # taught by a colleague, in the class they lead
    assert cast.russian_b in listed  # their own subject in another class
    assert cast.physics_b not in listed
    assert assignment_for_user(cast.classteacher, cast.math_a.pk)[1] is True
    assert set(selectors.teacher_assignments(cast.classteacher, cast.year)) == {cast.russian_b}


def test_the_assignment_page_lists_own_load_and_the_class_journals_apart(client, cast):
    client.force_login(cast.classteacher)
    response = client.get(reverse("journal:assignment_list"))
    assert [a.pk for a in response.context["assignments"]] == [cast.russian_b.pk]
    assert [a.pk for a in response.context["class_assignments"]] == [cast.math_a.pk]
    assert response.context["total"] == cast.russian_b.hours_per_week


def test_classes_the_list_shows_open_and_the_rest_do_not(client, cast):
    foreign = foreign_objects(cast)[1]
    for role in ["admin", "director", "deputy"]:
        user = user_of(cast, role)
        client.force_login(user)
        listed = set(selectors.class_list(user, cast.year, cast.year.start_date))
        assert listed == {cast.class_a, cast.class_b}
        assert client.get(reverse("journal:class_detail", args=[foreign.pk])).status_code == 404
    for role in ROLES:
        user = user_of(cast, role)
        client.force_login(user)
        visible = set(visible_classes(user))
        for school_class in SchoolClass.objects.all():
            status = client.get(reverse("journal:class_detail", args=[school_class.pk])).status_code
            assert status == (200 if school_class in visible else 404), (role, school_class)


def test_lessons_follow_the_assignments_and_the_substitute_gets_one_lesson(cast):
    lessons = [Lesson.objects.create(assignment=cast.math_a, date=cast.year.start_date, number=n) for n in (1, 2)]
    substitution_record(actor=cast.deputy, lesson=lessons[0], substitute=cast.other_teacher, reason="болезнь")
    assert set(visible_lessons(cast.other_teacher)) == {lessons[0]}
    assert set(visible_lessons(cast.teacher)) == set(lessons)
    assert set(visible_lessons(cast.classteacher)) == set(lessons)  # the class teacher of 7 «А»
    assert set(visible_lessons(cast.parent_user)) == set()


def test_pupils_families_class_teachers_and_the_administration(cast):
    assert set(visible_pupils(cast.parent_user)) == {cast.pupil}
    assert set(visible_pupils(cast.pupil_user)) == {cast.pupil}
    assert set(visible_pupils(cast.classteacher)) == {cast.pupil}
    assert set(visible_pupils(cast.teacher)) == set()
    assert set(visible_pupils(cast.director)) == {cast.pupil, cast.other_pupil}
    assert set(visible_pupils(cast.foreign_admin)) == set()


def test_years_are_the_administrations(cast):
    assert set(visible_years(cast.admin)) == {cast.year}
    assert set(visible_years(cast.teacher)) == set()
    assert set(visible_years(cast.foreign_admin)) == set()


def test_anonymous_and_deactivated_users_see_nothing(cast):
    cast.teacher.is_active = False
    for user in (AnonymousUser(), cast.teacher):
        for visible in (visible_years, visible_classes, visible_assignments, visible_lessons, visible_pupils):
            assert not visible(user).exists(), (user, visible.__name__)
