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
from journal.models import SchoolClass, SchoolYear, StudyPeriod, TeachingAssignment


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
    admin = UserFactory(school=school, username="admin", role=Role.ADMIN)
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
    foreign_admin = UserFactory(school=other_school, username="foreign_admin", role=Role.ADMIN)
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


@pytest.fixture
def operator(db, client) -> User:
    """The platform operator: a Django superuser with no school (``createsuperuser``), signed in."""
    user = UserFactory(school=None, username="operator", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@dataclass
class ForeignSchool:
    """A second school with its own people and relationships, pointed at the first school's objects in the
    cross-school matrix (ejournal/tests/test_cross_school.py): every role of it must be refused there."""

    admin: User
    director: User
    deputy: User
    teacher: User
    classteacher: User
    pupil_user: User
    parent_user: User

    def users(self) -> dict[str, User]:
        return {f"foreign_{name}": getattr(self, name) for name in self.__dataclass_fields__}


def build_foreign_school(cast: Cast) -> ForeignSchool:
    admin = cast.foreign_admin
    school = admin.school
    year = services.school_year_create(
        actor=admin, school=school, name=cast.year.name, start_date=cast.year.start_date, end_date=cast.year.end_date
    )
    services.study_periods_set(
        actor=admin,
        year=year,
        kind=PeriodKind.QUARTER,
        dates=[(p.start_date, p.end_date) for p in StudyPeriod.objects.filter(year=cast.year).order_by("number")],
    )

    def staff(username: str, role: str = Role.TEACHER) -> User:
        return account_services.user_create(
            actor=admin, school=school, role=role, username=username, last_name=username, first_name="Ф",
            password=TEST_PASSWORD,
        )  # fmt: skip

    director, deputy = staff("f_director", Role.DIRECTOR), staff("f_deputy", Role.DEPUTY)
    teacher, classteacher = staff("f_teacher"), staff("f_classteacher")
    school_class = services.class_create(actor=admin, year=year, grade=7, letter="А", class_teacher=classteacher)
    subject = services.subject_create(actor=admin, school=school, name="Математика")
    services.assignment_create(
        actor=admin, school_class=school_class, subject=subject, teacher=teacher, hours_per_week=Decimal(5)
    )
    pupil = account_services.pupil_create(
        actor=admin, school=school, username="f_pupil", last_name="Ф", first_name="Ученик", password=TEST_PASSWORD
    )
    services.enrollment_create(actor=admin, pupil=pupil, school_class=school_class, date_from=year.start_date)
    parent = account_services.parent_create(
        actor=admin, school=school, username="f_parent", last_name="Ф", first_name="Родитель", password=TEST_PASSWORD
    )
    account_services.parent_link(actor=admin, parent=parent, pupil=pupil, kind=ParentKind.FATHER)
    return ForeignSchool(
        admin=admin,
        director=director,
        deputy=deputy,
        teacher=teacher,
        classteacher=classteacher,
        pupil_user=pupil.user,
        parent_user=parent.user,
    )
