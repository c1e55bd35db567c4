import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_perms

from accounts import services as account_services
from accounts.choices import ParentKind
from accounts.tests.factories import PupilFactory, SchoolFactory, UserFactory
from journal import services
from journal.choices import PeriodKind, YearStatus
from journal.models import SchoolYear, StudyPeriod


def test_assignment_grants_the_teacher_the_journal(cast):
    assert set(get_perms(cast.teacher, cast.math_a)) == {"view_assignment_journal", "edit_assignment_journal"}
    assert get_perms(cast.other_teacher, cast.math_a) == []


def test_changing_the_teacher_moves_the_access(cast):
    services.assignment_teacher_change(actor=cast.admin, assignment=cast.math_a, teacher=cast.other_teacher)
    assert get_perms(cast.teacher, cast.math_a) == []
    assert "edit_assignment_journal" in get_perms(cast.other_teacher, cast.math_a)


def test_class_teacher_appointment_moves_the_class(cast):
    assert "manage_class" in get_perms(cast.classteacher, cast.class_a)
    services.class_teacher_set(actor=cast.admin, school_class=cast.class_a, teacher=cast.teacher)
    assert get_perms(cast.classteacher, cast.class_a) == []
    assert set(get_perms(cast.teacher, cast.class_a)) == {"view_class_journal", "manage_class"}
    services.class_teacher_set(actor=cast.admin, school_class=cast.class_a, teacher=None)
    assert get_perms(cast.teacher, cast.class_a) == []


def test_parent_link_and_unlink(cast):
    assert get_perms(cast.parent_user, cast.pupil) == ["view_pupil_diary"]
    assert get_perms(cast.parent_user, cast.other_pupil) == []
    link = cast.pupil.parent_links.get(parent=cast.parent)
    account_services.parent_unlink(actor=cast.admin, link=link)
    assert get_perms(cast.parent_user, cast.pupil) == []
    # The pupil keeps access to themself.
    assert get_perms(cast.pupil_user, cast.pupil) == ["view_pupil_diary"]


def test_a_parent_cannot_be_linked_twice(cast):
    with pytest.raises(ValidationError, match="уже связан"):
        account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.pupil, kind=ParentKind.FATHER)


def test_only_the_school_admin_changes_the_structure(cast):
    for actor in (cast.deputy, cast.teacher, cast.parent_user, cast.foreign_admin):
        with pytest.raises(PermissionDenied):
            services.class_create(actor=actor, year=cast.year, grade=9, letter="В")


def test_staff_of_another_school_cannot_be_assigned(cast):
    stranger = UserFactory(school=SchoolFactory())
    with pytest.raises(ValidationError, match="не является сотрудником"):
        services.assignment_create(
            actor=cast.admin,
            school_class=cast.class_a,
            subject=cast.math_a.subject,
            teacher=stranger,
            hours_per_week=Decimal(1),
        )
    with pytest.raises(ValidationError, match="не является сотрудником"):
        services.class_teacher_set(actor=cast.admin, school_class=cast.class_b, teacher=cast.pupil_user)


def test_a_closed_year_refuses_writes(cast):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    cast.year.refresh_from_db()
    cast.class_a.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыт"):
        services.class_create(actor=cast.admin, year=cast.year, grade=9, letter="В")
    with pytest.raises(ValidationError, match="закрыт"):
        services.class_teacher_set(actor=cast.admin, school_class=cast.class_a, teacher=cast.teacher)
    assert "manage_class" in get_perms(cast.classteacher, cast.class_a)


def test_enrollment_refuses_a_second_class_and_dates_outside_the_year(cast):
    with pytest.raises(ValidationError, match="уже числится"):
        services.enrollment_create(
            actor=cast.admin, pupil=cast.pupil, school_class=cast.class_b, date_from=dt.date(2026, 10, 1)
        )
    newcomer = PupilFactory(user__school=cast.school)
    with pytest.raises(ValidationError, match="внутри учебного года"):
        services.enrollment_create(
            actor=cast.admin, pupil=newcomer, school_class=cast.class_b, date_from=dt.date(2027, 7, 1)
        )


def test_study_periods_must_not_overlap(cast):
    with pytest.raises(ValidationError, match="не должны пересекаться"):
        services.study_periods_set(
            actor=cast.admin,
            year=cast.year,
            kind=PeriodKind.HALF,
            dates=[(dt.date(2026, 9, 1), dt.date(2026, 12, 28)), (dt.date(2026, 12, 20), dt.date(2027, 5, 26))],
        )
    assert not StudyPeriod.objects.filter(year=cast.year, kind=PeriodKind.HALF).exists()


def test_subgroup_assignment_must_use_a_subgroup_of_the_class(cast):
    group_b = services.subgroup_create(actor=cast.admin, school_class=cast.class_b, name="Группа 1", pupils=[])
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=cast.admin,
            school_class=cast.class_a,
            subject=cast.math_a.subject,
            teacher=cast.teacher,
            hours_per_week=Decimal(1),
            subgroup=group_b,
        )


def test_the_same_whole_class_assignment_cannot_be_made_twice(cast):
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=cast.admin,
            school_class=cast.class_a,
            subject=cast.math_a.subject,
            teacher=cast.teacher,
            hours_per_week=Decimal(5),
        )


def test_vacation_outside_the_year_is_refused(cast):
    with pytest.raises(ValidationError, match="внутри учебного года"):
        services.vacation_add(
            actor=cast.admin,
            year=cast.year,
            name="Летние",
            start_date=dt.date(2027, 6, 1),
            end_date=dt.date(2027, 8, 31),
        )


def test_overlapping_years_are_refused(cast):
    with pytest.raises(ValidationError, match="пересекаются"):
        services.school_year_create(
            actor=cast.admin,
            school=cast.school,
            name="2027/2028",
            start_date=dt.date(2027, 5, 1),
            end_date=dt.date(2028, 5, 26),
        )


def test_subgroup_takes_only_pupils_of_the_class(cast):
    with pytest.raises(ValidationError, match="только учащихся класса"):
        services.subgroup_create(
            actor=cast.admin, school_class=cast.class_a, name="Группа 1", pupils=[cast.other_pupil]
        )
