import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_perms

from accounts import services as account_services
from accounts.choices import Role
from journal import services
from journal.choices import PeriodKind
from journal.models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subject,
    TeachingAssignment,
    Vacation,
)
from journal.services.year_copy import plan_year_copy, suggested_year, year_copy_structure

D = dt.date


def staff(cast, username):
    return account_services.user_create(
        actor=cast.admin, school=cast.school, role=Role.TEACHER, username=username, last_name=username, first_name="А"
    )


@pytest.fixture
def school(cast):
    """The cast with curricula, a subgroup, primary classes and an 11th grade."""
    admin = cast.admin
    subjects = {s.name: s for s in Subject.objects.filter(school=cast.school)}
    english = services.subject_create(actor=admin, school=cast.school, name="Английский язык")
    reading = services.subject_create(actor=admin, school=cast.school, name="Литературное чтение")
    math, physics, russian = subjects["Математика"], subjects["Физика"], subjects["Русский язык"]
    # 7 «А»: maths (the cast's teacher) and English in two subgroups.
    services.curriculum_set(actor=admin, school_class=cast.class_a, subject=math, hours_per_week=Decimal(5))
    services.curriculum_set(
        actor=admin, school_class=cast.class_a, subject=english, hours_per_week=Decimal(3), split_into_subgroups=True
    )
    group = services.subgroup_create(actor=admin, school_class=cast.class_a, name="1 подгруппа", pupils=[cast.pupil])
    services.subgroup_create(actor=admin, school_class=cast.class_a, name="2 подгруппа", pupils=[])
    cast.english_teacher = staff(cast, "english")
    services.assignment_create(
        actor=admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.english_teacher,
        hours_per_week=Decimal(3),
        subgroup=group,
    )
    # 8 «Б»: the 8th grade's plan (maths 3 hours, physics, Russian).
    for subject, hours in ((math, 3), (physics, 2), (russian, 4)):
        services.curriculum_set(actor=admin, school_class=cast.class_b, subject=subject, hours_per_week=Decimal(hours))
    # Primary school: 1 «А» and 4 «А», each with its own teacher who teaches the core subjects.
    cast.first_teacher, cast.fourth_teacher, cast.music_teacher = (
        staff(cast, "first"),
        staff(cast, "fourth"),
        staff(cast, "music"),
    )
    music = services.subject_create(actor=admin, school=cast.school, name="Музыка")
    for grade, teacher in ((1, cast.first_teacher), (4, cast.fourth_teacher)):
        school_class = services.class_create(
            actor=admin, year=cast.year, grade=grade, letter="А", class_teacher=teacher
        )
        for subject, hours, who in ((reading, 4, teacher), (russian, 5, teacher), (music, 1, cast.music_teacher)):
            services.curriculum_set(
                actor=admin, school_class=school_class, subject=subject, hours_per_week=Decimal(hours)
            )
            services.assignment_create(
                actor=admin, school_class=school_class, subject=subject, teacher=who, hours_per_week=Decimal(hours)
            )
    services.class_create(actor=admin, year=cast.year, grade=11, letter="А", class_teacher=cast.other_teacher)
    # A second period scheme and the vacations.
    services.study_periods_set(
        actor=admin,
        year=cast.year,
        kind=PeriodKind.HALF,
        dates=[(D(2026, 9, 1), D(2026, 12, 26)), (D(2027, 1, 12), D(2027, 5, 26))],
    )
    services.vacation_add(
        actor=admin, year=cast.year, name="Осенние каникулы", start_date=D(2026, 10, 24), end_date=D(2026, 11, 1)
    )
    GradeSettings.objects.filter(year=cast.year, grade=11).update(days_per_week=6)
    GradeSettings.objects.filter(year=cast.year, grade=9).update(period_kind=PeriodKind.TRIMESTER)
    return cast


def copy(cast, **kwargs):
    options = {"name": "2027/2028", "start_date": D(2027, 9, 1), "end_date": D(2028, 5, 26), **kwargs}
    return year_copy_structure(actor=cast.admin, source_year=cast.year, **options)


def classes(year):
    return {str(c): c for c in SchoolClass.objects.filter(year=year).select_related("class_teacher")}


def test_suggested_dates():
    year = SchoolYear(name="2026/2027", start_date=D(2026, 9, 1), end_date=D(2027, 5, 26))
    assert suggested_year(year) == ("2027/2028", D(2027, 9, 1), D(2028, 5, 26))
    # 1 September 2030 is a Sunday.
    year = SchoolYear(name="2029/2030", start_date=D(2029, 9, 1), end_date=D(2030, 5, 25))
    assert suggested_year(year)[1] == D(2030, 9, 2)


def test_classes_go_one_grade_up(school):
    year = copy(school)
    assert year.status == "draft"
    assert sorted(classes(year)) == ["1 «А»", "2 «А»", "5 «А»", "8 «А»", "9 «Б»"]
    assert not Enrollment.objects.filter(school_class__year=year).exists()


def test_class_teachers_follow_their_classes_with_permissions(school):
    new = classes(copy(school))
    assert new["8 «А»"].class_teacher == school.classteacher
    assert set(get_perms(school.classteacher, new["8 «А»"])) == {"view_class_journal", "manage_class"}
    assert new["2 «А»"].class_teacher == school.first_teacher
    # The primary teacher of 4 «А» takes the new 1 «А»; 5 «А» waits for a class teacher.
    assert new["1 «А»"].class_teacher == school.fourth_teacher
    assert set(get_perms(school.fourth_teacher, new["1 «А»"])) == {"view_class_journal", "manage_class"}
    assert new["5 «А»"].class_teacher is None
    # Last year's class keeps its class teacher (and the rights on it): it is a record of that year.
    assert set(get_perms(school.classteacher, school.class_a)) == {"view_class_journal", "manage_class"}


def test_curriculum_comes_from_the_grade_and_assignments_follow_the_class(school):
    new = classes(copy(school))
    eight = new["8 «А»"]
    # 8 «А» takes the 8th grade's plan (8 «Б» last year): maths 3 h, physics, Russian; English is not in it.
    curriculum = {e.subject.name: e.hours_per_week for e in CurriculumEntry.objects.filter(school_class=eight)}
    assert curriculum == {"Математика": Decimal(3), "Физика": Decimal(2), "Русский язык": Decimal(4)}
    assignments = list(TeachingAssignment.objects.filter(school_class=eight).select_related("subject", "teacher"))
    # The maths teacher follows the class, with the new plan's hours; English is gone with the subject.
    assert [(a.subject.name, a.teacher, a.hours_per_week) for a in assignments] == [
        ("Математика", school.teacher, Decimal(3))
    ]
    assert set(get_perms(school.teacher, assignments[0])) == {"view_assignment_journal", "edit_assignment_journal"}


def test_without_a_plan_of_the_grade_the_class_keeps_its_own(school):
    new = classes(copy(school))
    # No 9th grade last year: 9 «Б» (from 8 «Б») keeps 8 «Б»'s plan and its teachers.
    nine = new["9 «Б»"]
    assert CurriculumEntry.objects.filter(school_class=nine).count() == 3
    taught = {(a.subject.name, a.teacher.username) for a in TeachingAssignment.objects.filter(school_class=nine)}
    assert taught == {("Физика", "other_teacher"), ("Русский язык", "classteacher")}


def test_new_first_grade_gets_last_years_first_grade_lessons(school):
    new = classes(copy(school))
    first = new["1 «А»"]
    taught = {(a.subject.name, a.teacher.username) for a in TeachingAssignment.objects.filter(school_class=first)}
    assert taught == {("Литературное чтение", "fourth"), ("Русский язык", "fourth"), ("Музыка", "music")}
    # 5 «А»: the primary teacher does not follow; the music teacher does (music is not in the 5th grade's plan
    # here: there was no 5th grade, so 5 «А» keeps 4 «А»'s plan).
    fifth = {(a.subject.name, a.teacher.username) for a in TeachingAssignment.objects.filter(school_class=new["5 «А»"])}
    assert fifth == {("Музыка", "music")}


def test_subgroups_are_copied_by_name_without_pupils(school):
    year = copy(school)
    # 7 «А» → 8 «А»: the subgroups come along, empty; English is not in the 8th grade's plan, so no assignment.
    eight = classes(year)["8 «А»"]
    assert sorted(eight.subgroups.values_list("name", flat=True)) == ["1 подгруппа", "2 подгруппа"]
    assert not eight.subgroups.filter(pupils__isnull=False).exists()


def test_subgroup_assignments_follow_when_the_subject_continues(school):
    english = Subject.objects.get(name="Английский язык")
    services.curriculum_set(
        actor=school.admin,
        school_class=school.class_b,
        subject=english,
        hours_per_week=Decimal(3),
        split_into_subgroups=True,
    )
    eight = classes(copy(school))["8 «А»"]
    assignment = TeachingAssignment.objects.get(school_class=eight, subject=english)
    assert (assignment.teacher, assignment.subgroup.name) == (school.english_teacher, "1 подгруппа")


def test_calendar_is_shifted_by_whole_weeks(school):
    year = copy(school)
    settings = {gs.grade: gs for gs in GradeSettings.objects.filter(year=year)}
    assert settings[11].days_per_week == 6 and settings[5].days_per_week == 5
    assert settings[9].period_kind == PeriodKind.TRIMESTER and settings[10].period_kind == PeriodKind.HALF
    quarters = list(StudyPeriod.objects.filter(year=year, kind=PeriodKind.QUARTER).order_by("number"))
    assert quarters[0].start_date == D(2027, 9, 1) and quarters[-1].end_date == D(2028, 5, 26)
    # The middle boundaries moved by 52 weeks: same weekdays.
    source = list(StudyPeriod.objects.filter(year=school.year, kind=PeriodKind.QUARTER).order_by("number"))
    assert quarters[1].start_date == source[1].start_date + dt.timedelta(weeks=52)
    assert quarters[1].start_date.weekday() == source[1].start_date.weekday()
    vacation = Vacation.objects.get(year=year)
    assert (vacation.start_date, vacation.end_date) == (D(2027, 10, 23), D(2027, 10, 31))
    assert vacation.start_date.weekday() == 5  # a Saturday, as last year
    assert year.calendar_days.filter(date=D(2027, 11, 4)).exists()  # the production calendar is filled in


def test_periods_that_do_not_fit_are_left_for_the_admin(school):
    plan = plan_year_copy(school.year, D(2027, 9, 1), D(2027, 10, 15))
    assert "quarter" not in plan.periods
    assert any("Периоды «четверть» не перенесены" in note for note in plan.calendar_notes)
    assert any("Каникулы «Осенние каникулы» не перенесены" in note for note in plan.calendar_notes)


def test_copy_refuses_an_existing_name_overlapping_dates_and_strangers(school):
    copy(school)
    with pytest.raises(ValidationError, match="уже есть"):
        copy(school)
    with pytest.raises(ValidationError, match="пересекаются"):
        copy(school, name="2027/2028 бис", start_date=D(2028, 1, 10), end_date=D(2028, 12, 1))
    with pytest.raises(ValidationError, match="после окончания 2026/2027"):
        copy(school, name="ранний", start_date=D(2027, 5, 1), end_date=D(2027, 8, 30))
    with pytest.raises(PermissionDenied):
        year_copy_structure(
            actor=school.deputy,
            source_year=school.year,
            name="2028/2029",
            start_date=D(2028, 9, 1),
            end_date=D(2029, 5, 26),
        )
    assert SchoolYear.objects.filter(school=school.school).count() == 2


def test_the_plan_counts_what_the_copy_creates(school):
    plan = plan_year_copy(school.year, D(2027, 9, 1), D(2028, 5, 26))
    year = copy(school)
    assert plan.class_count == SchoolClass.objects.filter(year=year).count()
    assert plan.curriculum_count == CurriculumEntry.objects.filter(school_class__year=year).count()
    assert plan.assignment_count == TeachingAssignment.objects.filter(year=year).count()
    assert plan.class_teacher_count == SchoolClass.objects.filter(year=year, class_teacher__isnull=False).count()
    assert [c.name for c in plan.leaving] == ["11 «А»"]
    assert plan.without_teacher_count >= 1  # physics in 8 «А»: a new subject for the class


def test_a_primary_class_teacher_takes_the_subjects_the_grades_class_teacher_taught(school):
    second = staff(school, "second")
    world = services.subject_create(actor=school.admin, school=school.school, name="Окружающий мир")
    russian = Subject.objects.get(name="Русский язык")
    two_a = services.class_create(actor=school.admin, year=school.year, grade=2, letter="А", class_teacher=second)
    for subject, hours in ((russian, 5), (world, 2)):
        services.curriculum_set(actor=school.admin, school_class=two_a, subject=subject, hours_per_week=Decimal(hours))
        services.assignment_create(
            actor=school.admin, school_class=two_a, subject=subject, teacher=second, hours_per_week=Decimal(hours)
        )
    new = classes(copy(school))
    # 1 «А» → 2 «А» with its teacher; the 2nd grade's plan adds «Окружающий мир», which she teaches too.
    taught = {
        (a.subject.name, a.teacher.username) for a in TeachingAssignment.objects.filter(school_class=new["2 «А»"])
    }
    assert taught == {("Русский язык", "first"), ("Окружающий мир", "first")}
    # The teacher of last year's 2 «А» follows her class to the 3rd grade.
    assert new["3 «А»"].class_teacher == second
