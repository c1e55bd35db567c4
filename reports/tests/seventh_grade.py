"""7 «А» built by hand for the year-end reports' tests (the summary sheet, the final data): Математика (5 ч),
Физическая культура (зачёт/незачёт), Английский язык in two subgroups, and five pupils — Алексеев (the whole year),
Борисова (left on 20.11.2026), Волков (arrived on 12.01.2027), Григорьев (exempt from Физическая культура for the
year), Дмитриева. Each test module adds its own marks and decisions."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts import services as account_services
from accounts.models import PupilProfile
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.models import Subject, TeachingAssignment
from journal.services.exemptions import exemption_create
from journal.services.movement import pupil_leave


def make_pupil(cast, last_name: str, first_name: str, sex: str, school_class, date_from: dt.date) -> PupilProfile:
    profile = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=f"p{abs(hash((last_name, first_name))) % 10**8}",
        last_name=last_name,
        first_name=first_name,
        date_of_birth=dt.date(2013, 5, 1),
        sex=sex,
        password=TEST_PASSWORD,
    )
    services.enrollment_create(actor=cast.admin, pupil=profile, school_class=school_class, date_from=date_from)
    return profile


@dataclass
class SeventhGrade:
    math: Subject
    pe: Subject
    english1: TeachingAssignment  # Группа 1: Алексеев, Борисова (the cast's teacher)
    english2: TeachingAssignment  # Группа 2: Волков, Григорьев, Дмитриева (the cast's other teacher)
    pe_a: TeachingAssignment
    alekseev: PupilProfile
    borisova: PupilProfile
    volkov: PupilProfile
    grigoriev: PupilProfile
    dmitrieva: PupilProfile


def seventh_grade(cast) -> SeventhGrade:
    """The cast's 7 «А» with the subjects, subgroups, pupils, Борисова's leaving and Григорьев's exemption."""
    admin, a = cast.admin, cast.class_a
    math = cast.math_a.subject
    pe = services.subject_create(actor=admin, school=cast.school, name="Физическая культура")
    english = services.subject_create(actor=admin, school=cast.school, name="Английский язык")
    services.curriculum_set(actor=admin, school_class=a, subject=math, hours_per_week=Decimal(5))
    services.curriculum_set(actor=admin, school_class=a, subject=pe, hours_per_week=Decimal(2), is_pass_fail=True)
    services.curriculum_set(
        actor=admin, school_class=a, subject=english, hours_per_week=Decimal(3), split_into_subgroups=True
    )
    start = cast.year.start_date
    alekseev = make_pupil(cast, "Алексеев", "Андрей", "m", a, start)
    borisova = make_pupil(cast, "Борисова", "Белла", "f", a, start)
    volkov = make_pupil(cast, "Волков", "Виктор", "m", a, dt.date(2027, 1, 12))
    grigoriev = make_pupil(cast, "Григорьев", "Глеб", "m", a, start)
    dmitrieva = make_pupil(cast, "Дмитриева", "Дарья", "f", a, start)
    pupil_leave(actor=admin, pupil=borisova, date=dt.date(2026, 11, 20), reason="переезд, приказ № 12")
    group1 = services.subgroup_create(actor=admin, school_class=a, name="Группа 1", pupils=[alekseev, borisova])
    group2 = services.subgroup_create(
        actor=admin, school_class=a, name="Группа 2", pupils=[volkov, grigoriev, dmitrieva]
    )
    english1 = services.assignment_create(
        actor=admin, school_class=a, subject=english, teacher=cast.teacher, hours_per_week=Decimal(3), subgroup=group1
    )
    english2 = services.assignment_create(
        actor=admin, school_class=a, subject=english, teacher=cast.other_teacher, hours_per_week=Decimal(3),
        subgroup=group2,
    )  # fmt: skip
    pe_a = services.assignment_create(
        actor=admin, school_class=a, subject=pe, teacher=cast.other_teacher, hours_per_week=Decimal(2)
    )
    exemption_create(actor=admin, school_class=a, pupil=grigoriev, subject=pe, reason="справка № 5")
    return SeventhGrade(math, pe, english1, english2, pe_a, alekseev, borisova, volkov, grigoriev, dmitrieva)
