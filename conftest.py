"""The fixed cast of users, built through the services so object permissions are granted the real way."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts import services as account_services
from accounts.choices import ParentKind, Role
from accounts.models import ParentProfile, PupilProfile, School, User
from accounts.tests.factories import TEST_PASSWORD, SchoolFactory, UserFactory
from journal import services
from journal.choices import PeriodKind
from journal.models import SchoolClass, SchoolYear, TeachingAssignment


@dataclass
class Cast:
    school: School
    year: SchoolYear
    admin: User
    director: User
    deputy: User
    teacher: User
    other_teacher: User
    classteacher: User
    pupil_user: User
    pupil: PupilProfile
    other_pupil: PupilProfile
    parent_user: User
    parent: ParentProfile
    parent2_user: User
    class_a: SchoolClass
    class_b: SchoolClass
    math_a: TeachingAssignment
    physics_b: TeachingAssignment
    russian_b: TeachingAssignment
    foreign_admin: User


def build_cast() -> Cast:
    school = SchoolFactory(short_name="СОШ № 1")
    admin = UserFactory(school=school, username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    year = services.school_year_create(
        actor=admin, school=school, name="2026/2027", start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 5, 26)
    )
    services.study_periods_set(
        actor=admin,
        year=year,
        kind=PeriodKind.QUARTER,
        dates=[
            (dt.date(2026, 9, 1), dt.date(2026, 10, 23)),
            (dt.date(2026, 11, 2), dt.date(2026, 12, 26)),
            (dt.date(2027, 1, 12), dt.date(2027, 3, 20)),
            (dt.date(2027, 3, 30), dt.date(2027, 5, 26)),
        ],
    )

    def staff(username: str, role: str = Role.TEACHER) -> User:
        return account_services.user_create(
            actor=admin,
            school=school,
            role=role,
            username=username,
            last_name=username.capitalize(),
            first_name="Анна",
            middle_name="Петровна",
            password=TEST_PASSWORD,
        )

    director, deputy = staff("director", Role.DIRECTOR), staff("deputy", Role.DEPUTY)
    teacher, other_teacher, classteacher = staff("teacher"), staff("other_teacher"), staff("classteacher")
    class_a = services.class_create(actor=admin, year=year, grade=7, letter="А", class_teacher=classteacher)
    class_b = services.class_create(actor=admin, year=year, grade=8, letter="Б")
    math = services.subject_create(actor=admin, school=school, name="Математика")
    physics = services.subject_create(actor=admin, school=school, name="Физика")
    russian = services.subject_create(actor=admin, school=school, name="Русский язык")
    math_a = services.assignment_create(
        actor=admin, school_class=class_a, subject=math, teacher=teacher, hours_per_week=Decimal(5)
    )
    physics_b = services.assignment_create(
        actor=admin, school_class=class_b, subject=physics, teacher=other_teacher, hours_per_week=Decimal(2)
    )
    russian_b = services.assignment_create(
        actor=admin, school_class=class_b, subject=russian, teacher=classteacher, hours_per_week=Decimal(4)
    )

    def pupil(username: str, school_class: SchoolClass) -> PupilProfile:
        profile = account_services.pupil_create(
            actor=admin,
            school=school,
            username=username,
            last_name=username.capitalize(),
            first_name="Иван",
            date_of_birth=dt.date(2013, 3, 1),
            sex="m",
            password=TEST_PASSWORD,
        )
        services.enrollment_create(actor=admin, pupil=profile, school_class=school_class, date_from=year.start_date)
        return profile

    pupil_a, other_pupil = pupil("pupil", class_a), pupil("other_pupil", class_b)

    def parent(username: str, child: PupilProfile) -> ParentProfile:
        profile = account_services.parent_create(
            actor=admin,
            school=school,
            username=username,
            last_name="Родитель",
            first_name="Ольга",
            password=TEST_PASSWORD,
        )
        account_services.parent_link(actor=admin, parent=profile, pupil=child, kind=ParentKind.MOTHER)
        return profile

    parent_a = parent("parent", pupil_a)
    parent_b = parent("parent2", other_pupil)

    other_school = SchoolFactory(short_name="СОШ № 2")
    foreign_admin = UserFactory(
        school=other_school, username="foreign_admin", role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    return Cast(
        school=school,
        year=year,
        admin=admin,
        director=director,
        deputy=deputy,
        teacher=teacher,
        other_teacher=other_teacher,
        classteacher=classteacher,
        pupil_user=pupil_a.user,
        pupil=pupil_a,
        other_pupil=other_pupil,
        parent_user=parent_a.user,
        parent=parent_a,
        parent2_user=parent_b.user,
        class_a=class_a,
        class_b=class_b,
        math_a=math_a,
        physics_b=physics_b,
        russian_b=russian_b,
        foreign_admin=foreign_admin,
    )


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()
