"""The journal's detail helpers in plain SQL (issue 14) answer exactly as their visibility querysets do.

``assignment_for_user`` and ``lesson_for_user`` read one plain query each and decide who may see the row in Python.
Here a queryset-based reference (``visible_assignments`` / ``visible_lessons`` and the EXISTS of the permission
tables, as the helpers were written before) is asked the same question for every user of the cast × every lesson and
assignment (and an id that does not exist): the outcome (404, or the id, whether the user may write and why) must be
the same, the objects loaded must be the database's rows, and reading what the grid and a cell's save read of them
must cost no query.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.http import Http404

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from conftest import build_foreign_school
from journal import services
from journal.access import (
    LESSON_CLASS_TEACHER,
    LESSON_SUBSTITUTE,
    LESSON_TEACHER,
    assignment_for_user,
    is_lesson_class_teacher,
    lesson_editor_role,
    lesson_for_user,
    lesson_substitute_id,
    visible_assignments,
    visible_lessons,
)
from journal.models import (
    Lesson,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    Subgroup,
    Subject,
    Substitution,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
)
from journal.services.substitution import substitution_record

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)
NOT_FOUND = "404"


# The reference: the querysets, as the helpers read them before they were plain SQL ---------------------------------


def _holds(table, codename: str, user, object_ref: str) -> Exists:
    return Exists(
        table.objects.filter(user_id=user.pk, content_object_id=OuterRef(object_ref), permission__codename=codename)
    )


def _reference_assignment(user, pk) -> tuple | str:
    assignments = visible_assignments(user).annotate(
        user_teaches=_holds(TeachingAssignmentUserObjectPermission, "edit_assignment_journal", user, "pk"),
        user_manages=_holds(SchoolClassUserObjectPermission, "manage_class", user, "school_class_id"),
    )
    assignment = assignments.filter(pk=pk).first()
    if assignment is None:
        return NOT_FOUND
    teaches, manages = assignment.user_teaches, assignment.user_manages
    return assignment.pk, teaches or manages, teaches, manages


def _reference_lesson(user, pk) -> tuple | str:
    lessons = visible_lessons(user).annotate(
        user_teaches=_holds(TeachingAssignmentUserObjectPermission, "edit_assignment_journal", user, "assignment_id"),
        user_manages=_holds(SchoolClassUserObjectPermission, "manage_class", user, "assignment__school_class_id"),
    )
    lesson = lessons.filter(pk=pk).first()
    if lesson is None:
        return NOT_FOUND
    substitute_id = Substitution.objects.filter(lesson_id=pk).values_list("substitute_id", flat=True).first()
    if lesson.user_teaches:
        role = LESSON_TEACHER
    elif lesson.user_manages:
        role = LESSON_CLASS_TEACHER
    elif substitute_id == user.pk:
        role = LESSON_SUBSTITUTE
    else:
        role = None
    return lesson.pk, role is not None, role


def _outcome(call) -> tuple | str:
    try:
        return call()
    except Http404:
        return NOT_FOUND


# The cast, widened to every case the rules tell apart ---------------------------------------------------------------


@pytest.fixture
def world(cast):
    """Users (by name) and the ids of every assignment and lesson, of this school and of another one."""
    foreign = build_foreign_school(cast)
    school = cast.school
    # A subgroup's assignment (the nullable join), taught by the other teacher in the class teacher's class.
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[cast.pupil])
    informatics = services.subject_create(actor=cast.admin, school=school, name="Информатика")
    it_a = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=informatics,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(1),
        subgroup=group,
    )
    # The deputy teaches too: the administration reads every journal and keeps its own.
    music = services.subject_create(actor=cast.admin, school=school, name="Музыка")
    services.assignment_create(
        actor=cast.admin, school_class=cast.class_b, subject=music, teacher=cast.deputy, hours_per_week=Decimal(1)
    )
    # A teacher who left: their permissions stay in the tables, the account is off.
    inactive = UserFactory(school=school, username="retired", role=Role.TEACHER)
    art = services.subject_create(actor=cast.admin, school=school, name="ИЗО")
    services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=art, teacher=inactive, hours_per_week=Decimal(1)
    )
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    number = 0
    for assignment in TeachingAssignment.objects.order_by("pk"):
        for _ in range(2):
            number += 1
            Lesson.objects.create(assignment=assignment, date=DAY, number=number)
    # Substitutes through the service: the other teacher for a maths lesson, the maths teacher for a physics one.
    math_lesson = Lesson.objects.filter(assignment=cast.math_a).order_by("pk").first()
    physics_lesson = Lesson.objects.filter(assignment=cast.physics_b).order_by("pk").first()
    substitution_record(actor=cast.deputy, lesson=math_lesson, substitute=cast.other_teacher, reason="болезнь")
    substitution_record(actor=cast.deputy, lesson=physics_lesson, substitute=cast.teacher, reason="курсы")

    users = {
        "anonymous": AnonymousUser(),
        "admin": cast.admin,
        "director": cast.director,
        "deputy": cast.deputy,
        "teacher": cast.teacher,
        "other_teacher": cast.other_teacher,
        "classteacher": cast.classteacher,
        "pupil": cast.pupil_user,
        "parent": cast.parent_user,
        "parent2": cast.parent2_user,
        "inactive": inactive,
        "operator": UserFactory(school=None, username="operator", role=Role.ADMIN, is_staff=True, is_superuser=True),
        "superuser_of_school": UserFactory(school=school, username="su", role=Role.TEACHER, is_superuser=True),
        "schoolless": UserFactory(school=None, username="nobody", role=Role.TEACHER),
        **foreign.users(),
    }
    assignments = list(TeachingAssignment.objects.order_by("pk").values_list("pk", flat=True))
    lessons = list(Lesson.objects.order_by("pk").values_list("pk", flat=True))
    assert it_a.pk in assignments and len(lessons) == 2 * len(assignments)
    return users, assignments, lessons


def _fresh(user):
    """The user as a request has them (reloaded, with the school), so nothing cached from the setup is reused."""
    if not user.is_authenticated:
        return user
    return type(user).objects.select_related("school").get(pk=user.pk)


# Equivalence ------------------------------------------------------------------------------------------------------


def test_assignment_for_user_answers_as_visible_assignments(world):
    users, assignments, _lessons = world
    pks = [*assignments, max(assignments) + 1000]
    seen = set()
    for name, user in users.items():
        user = _fresh(user)
        for pk in pks:
            expected = _reference_assignment(user, pk)

            def call(user=user, pk=pk):
                assignment, may_write = assignment_for_user(user, pk)
                return assignment.pk, may_write, assignment.user_teaches, assignment.user_manages

            assert _outcome(call) == expected, (name, pk)
            seen.add(expected if expected == NOT_FOUND else expected[1:])
    # The matrix holds every kind of answer: refused, read-only, the teacher's and the class teacher's.
    assert {NOT_FOUND, (False, False, False), (True, True, False), (True, False, True)} <= seen


@pytest.mark.parametrize("for_page", [False, True])
def test_lesson_for_user_answers_as_visible_lessons(world, for_page):
    users, _assignments, lessons = world
    pks = [*lessons, max(lessons) + 1000]
    seen = set()
    for name, user in users.items():
        user = _fresh(user)
        for pk in pks:
            expected = _reference_lesson(user, pk)

            def call(user=user, pk=pk):
                lesson, may_write = lesson_for_user(user, pk, for_page=for_page)
                return lesson.pk, may_write, lesson.__dict__["_editor_roles"][user.pk]

            assert _outcome(call) == expected, (name, pk)
            seen.add(expected if expected == NOT_FOUND else expected[1:])
    assert {
        NOT_FOUND,
        (False, None),
        (True, LESSON_TEACHER),
        (True, LESSON_CLASS_TEACHER),
        (True, LESSON_SUBSTITUTE),
    } <= seen


def test_what_cannot_be_an_id_is_not_found(world):
    users, _assignments, _lessons = world
    for pk in ("abc", None, "", 2**63, -(2**64), "1; DROP TABLE journal_lesson"):
        for helper in (assignment_for_user, lesson_for_user):
            with pytest.raises(Http404):
                helper(users["director"], pk)


# The objects: the database's rows, with what the pages read already there ------------------------------------------


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _same_row(instance, model) -> None:
    assert type(instance) is model
    assert not instance._state.adding and instance._state.db == "default"  # as the ORM leaves a row read
    assert _values(instance) == _values(model.objects.get(pk=instance.pk)), model


def test_the_lesson_and_its_related_objects_are_the_rows(world, cast, django_assert_num_queries):
    users, _assignments, lessons = world
    substituted = Lesson.objects.get(substitution__substitute=cast.other_teacher)
    grouped = Lesson.objects.filter(assignment__subgroup__isnull=False).first()
    for pk, user in ((substituted.pk, users["other_teacher"]), (grouped.pk, users["classteacher"])):
        user = _fresh(user)
        with django_assert_num_queries(1):
            lesson, _may_write = lesson_for_user(user, pk, for_page=True)
        assignment = lesson.assignment
        for instance, model in (  # each compared with its row read again
            (lesson, Lesson),
            (assignment, TeachingAssignment),
            (assignment.year, SchoolYear),
            (assignment.school_class, SchoolClass),
            (assignment.subject, Subject),
            (assignment.teacher, type(user)),
        ):
            _same_row(instance, model)
        if assignment.subgroup_id:
            _same_row(assignment.subgroup, Subgroup)
        else:
            assert assignment.subgroup is None
        if pk == substituted.pk:
            _same_row(lesson.substitution, Substitution)
            assert lesson.substitution.lesson is lesson

    classteacher = _fresh(cast.classteacher)
    for assignment in TeachingAssignment.objects.filter(school_class=cast.class_a):  # with and without a subgroup
        with django_assert_num_queries(1):
            found, _may_write = assignment_for_user(classteacher, assignment.pk)
        for instance, model in (
            (found, TeachingAssignment),
            (found.year, SchoolYear),
            (found.school_class, SchoolClass),
            (found.subject, Subject),
            (found.teacher, type(cast.teacher)),
        ):
            _same_row(instance, model)
        if found.subgroup_id:
            _same_row(found.subgroup, Subgroup)
        else:
            assert found.subgroup is None


def test_the_grid_and_a_cells_save_read_nothing_more(world, cast, django_assert_num_queries):
    users = world[0]
    math_lessons = Lesson.objects.filter(assignment=cast.math_a).order_by("pk")
    substituted, plain = math_lessons[0], math_lessons[1]
    classteacher, teacher, substitute = _fresh(cast.classteacher), _fresh(cast.teacher), _fresh(users["other_teacher"])

    with django_assert_num_queries(1):  # the grid page's assignment
        assignment, may_write = assignment_for_user(teacher, cast.math_a.pk)
    with django_assert_num_queries(0):
        assert may_write and not assignment.year.is_closed
        assert assignment.year.school is teacher.school
        assert assignment.school_class.grade == 7 and assignment.school_class.class_teacher_id == classteacher.pk
        assert str(assignment) == "Математика — 7 «А»"  # subject, class and subgroup
        assert assignment.teacher.short_name == "Teacher А. П."

    for user, pk, role in (
        (teacher, plain.pk, LESSON_TEACHER),
        (classteacher, plain.pk, LESSON_CLASS_TEACHER),
        (substitute, substituted.pk, LESSON_SUBSTITUTE),
    ):
        for for_page in (False, True):
            with django_assert_num_queries(1):  # a cell's save (for_page=False), the lesson's page (True)
                lesson, may_write = lesson_for_user(user, pk, for_page=for_page)
            with django_assert_num_queries(0):
                assert may_write and not lesson.assignment.year.is_closed
                assert lesson.assignment.year.school is user.school
                assert lesson.assignment.school_class.grade == 7
                assert lesson_substitute_id(lesson) == (substitute.pk if pk == substituted.pk else None)
                assert lesson_editor_role(user, lesson) == role
                if role == LESSON_CLASS_TEACHER:
                    assert is_lesson_class_teacher(user, lesson)  # the absence reasons' check
                if for_page:
                    assert lesson.assignment.subject.name == "Математика"
                    assert lesson.assignment.teacher.short_name == "Teacher А. П."
                    assert lesson.assignment.subgroup is None
                    assert str(lesson) == f"{DAY:%d.%m.%Y}, {lesson.number} урок: Математика — 7 «А»"


def test_the_lesson_read_is_saved_as_any_row(world, cast):
    """The lesson comes back as the ORM reads a row (not as a new object): full_clean finds no twin of it, and a
    save updates it in place."""
    lesson, _may_write = lesson_for_user(_fresh(cast.teacher), Lesson.objects.filter(assignment=cast.math_a)[1].pk)
    lesson.full_clean()
    lesson.topic = "Дроби"
    lesson.save(update_fields=["topic"])
    assert Lesson.objects.get(pk=lesson.pk).topic == "Дроби"
