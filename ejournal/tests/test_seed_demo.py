import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ParentChild, PupilProfile, School, User
from journal.choices import YearStatus
from journal.demo.school import current_start_year, year_calendar
from journal.models import (
    Attendance,
    AttendanceCode,
    CurriculumEntry,
    Enrollment,
    Homework,
    Mark,
    SchoolClass,
    SchoolYear,
    Subgroup,
    TeachingAssignment,
)
from journal.selectors.structure import assignment_pupils

FIXED_ROLES = {
    "admin": Role.ADMIN,
    "director": Role.DIRECTOR,
    "deputy": Role.DEPUTY,
    "teacher": Role.TEACHER,
    "classteacher": Role.TEACHER,
    "pupil": Role.PUPIL,
    "parent": Role.PARENT,
    "parent2": Role.PARENT,
}


def class_of(pupil: PupilProfile) -> SchoolClass:
    return Enrollment.objects.get(pupil=pupil, school_class__year=current_year()).school_class


def current_year() -> SchoolYear:
    """The year being kept (the demo also has last year, closed: journal.demo.past_year)."""
    return SchoolYear.objects.get(promoted_at__isnull=True)


# The demo school is seeded once for the module (about 10 s; 60 pupils) and each test that reads it runs in its own
# savepoint inside the seeding transaction (pytest-django's ``db``), so what a test writes is undone as before and
# the whole school at the end. The module runs in one xdist process (`make test`), so it is seeded once in all.
pytestmark = pytest.mark.xdist_group("seed_demo")


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", pupils=60, past_year=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded_demo, db):
    return seeded_demo


# First: the demo tests share one seeded school, present until the end of the module.
@pytest.mark.django_db
def test_too_few_pupils_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", pupils=10, stdout=StringIO())
    assert not School.objects.exists()


def test_fixed_accounts_have_their_roles(demo):
    users = {user.username: user for user in User.objects.filter(username__in=FIXED_ROLES)}
    assert {name: user.role for name, user in users.items()} == FIXED_ROLES
    assert not users["admin"].is_staff and not users["admin"].is_superuser  # the Django admin is the operator's
    assert all(user.check_password("demo12345") for user in users.values())
    school = School.objects.get()
    assert all(user.school == school for user in users.values())
    for username in FIXED_ROLES:
        assert username in demo
    assert "demo12345" in demo


def test_all_users_share_one_password_hash(demo):
    assert User.objects.values("password").distinct().count() == 1


def test_year_is_open_with_periods_and_vacations(demo):
    year = current_year()
    assert year.status == YearStatus.OPEN
    assert year.periods.filter(kind="quarter").count() == 4
    assert year.periods.filter(kind="half").count() == 2
    assert year.vacations.filter(grade_from=1, grade_to=1).count() == 1
    assert year.grades.get(grade=11).days_per_week == 6
    assert year.grades.get(grade=5).days_per_week == 5
    assert year.calendar_days.exists()


def test_pupil_is_in_the_class_of_classteacher(demo):
    classteacher = User.objects.get(username="classteacher")
    school_class = SchoolClass.objects.get(class_teacher=classteacher, year=current_year())
    assert (school_class.grade, school_class.letter) == (7, "А")
    last_year = SchoolClass.objects.get(class_teacher=classteacher, year=past_year())  # she went up with the class
    assert (last_year.grade, last_year.letter) == (6, "А")
    pupil = PupilProfile.objects.get(user__username="pupil")
    assert class_of(pupil) == school_class
    assert classteacher.has_perm("journal.manage_class", school_class)
    assert classteacher.has_perm("journal.view_class_journal", school_class)
    other_class = SchoolClass.objects.exclude(pk__in=[school_class.pk, last_year.pk]).first()
    assert not classteacher.has_perm("journal.manage_class", other_class)
    assert TeachingAssignment.objects.filter(teacher=classteacher).exists()


def test_parents_see_their_own_children_only(demo):
    pupil = PupilProfile.objects.get(user__username="pupil")
    parent = User.objects.get(username="parent")
    children = [link.pupil for link in ParentChild.objects.filter(parent__user=parent)]
    assert len(children) == 2
    assert pupil in children
    assert len({class_of(child).pk for child in children}) == 2
    for child in children:
        assert parent.has_perm("accounts.view_pupil_diary", child)
    stranger = PupilProfile.objects.exclude(pk__in=[child.pk for child in children]).first()
    assert not parent.has_perm("accounts.view_pupil_diary", stranger)

    parent2 = User.objects.get(username="parent2")
    (child,) = [link.pupil for link in ParentChild.objects.filter(parent__user=parent2)]
    assert child != pupil
    assert class_of(child) == class_of(pupil)
    assert parent2.has_perm("accounts.view_pupil_diary", child)
    assert not parent2.has_perm("accounts.view_pupil_diary", pupil)

    assert pupil.user.has_perm("accounts.view_pupil_diary", pupil)
    assert not pupil.user.has_perm("accounts.view_pupil_diary", child)


def test_teacher_keeps_journals_of_several_classes(demo):
    teacher = User.objects.get(username="teacher")
    assignments = list(TeachingAssignment.objects.filter(teacher=teacher).select_related("school_class", "subject"))
    assert len({a.school_class_id for a in assignments}) >= 3
    assert all(5 <= a.school_class.grade <= 9 for a in assignments)
    assert all(teacher.has_perm("journal.edit_assignment_journal", a) for a in assignments)
    others = TeachingAssignment.objects.exclude(teacher=teacher).first()
    assert not teacher.has_perm("journal.edit_assignment_journal", others)
    assert not teacher.has_perm("journal.view_assignment_journal", others)


def test_every_curriculum_line_is_taught(demo):
    for entry in CurriculumEntry.objects.select_related("school_class"):
        assignments = TeachingAssignment.objects.filter(school_class=entry.school_class, subject=entry.subject_id)
        if entry.split_into_subgroups:
            assert sorted(a.subgroup.name for a in assignments) == ["1 подгруппа", "2 подгруппа"]
        else:
            assert [a.subgroup_id for a in assignments] == [None]
    assert CurriculumEntry.objects.filter(
        subject__short_name="ОРКСЭ", school_class__grade=4, is_pass_fail=True
    ).exists()


def test_the_demo_journal_is_written_when_the_lessons_were_held(demo):
    """Each mark, absence and homework has its creation in the history, by the lesson's teacher, on the lesson day
    (a mark up to three days later), never after the seed; a few were corrected later and keep the old value."""
    zone = ZoneInfo(School.objects.get().time_zone)
    now = timezone.now()
    for model in (Mark, Attendance, Homework):
        rows = {row.pk: row for row in model.objects.select_related("lesson__assignment")}
        created = {h.id: h for h in model.history.filter(history_type="+")}
        assert rows and set(created) == set(rows), model
        for pk, row in rows.items():
            first = created[pk]
            day = first.history_date.astimezone(zone).date()
            assert row.lesson.date <= day <= row.lesson.date + dt.timedelta(days=3), (model, pk)
            assert first.history_date <= row.updated_at <= now
            assert first.history_user_id in (row.lesson.assignment.teacher_id, row.lesson.taught_by_id)
    marks = Mark.objects.count()
    corrected = list(Mark.history.filter(history_type="~"))
    assert 0 < len(corrected) <= 0.03 * marks
    for change in corrected:
        before = Mark.history.get(id=change.id, history_type="+")
        assert before.value != change.value and before.history_date < change.history_date
        assert Mark.objects.get(pk=change.id).value == change.value
    reasons = list(Attendance.history.filter(history_type="~"))
    assert reasons and all(r.code in (AttendanceCode.ILL, AttendanceCode.EXCUSED) for r in reasons)
    for change in reasons:
        before = Attendance.history.get(id=change.id, history_type="+")
        assert before.code == AttendanceCode.ABSENT and change.history_user.led_classes.exists()


def test_periods_over_have_their_marks_and_exemptions_hold(demo):
    """Every class has the marks of the periods already over (the 1st quarter on 02.12 for grades 1–9): the forecast
    of the pupil's current marks, set by the assignment's teacher 2–5 days before the period's end, with enough
    marks (one pupil stays «не аттестован»); exempt pupils get none (journal.demo.period_marks)."""
    from journal.models import GradeSettings, PeriodMark, StudyPeriod, SubjectExemption
    from journal.selectors.averages import forecast, period_mark_minimum, weighted_average
    from journal.selectors.period_marks import pupil_marks

    today = timezone.localdate()
    year = current_year()
    zone = ZoneInfo(year.school.time_zone)
    scheme = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))
    over = [p for p in StudyPeriod.objects.filter(year=year) if p.end_date < today]
    exemptions = list(SubjectExemption.objects.filter(year=year))
    assert 2 <= len(exemptions) <= 3 and all(e.reason for e in exemptions)
    exempt = {(e.pupil_id, e.subject_id, e.period_id) for e in exemptions}
    if not over:
        assert not PeriodMark.objects.exists()
        return
    marks = {(m.assignment_id, m.pupil_id, m.period_id): m for m in PeriodMark.objects.filter(assignment__year=year)}
    created = {h.id: h for h in PeriodMark.history.filter(history_type="+", assignment__year=year)}
    assert set(created) == {m.pk for m in marks.values()}
    missing = judged = graded = 0
    for school_class in SchoolClass.objects.filter(year=year):
        periods = [p for p in over if p.kind == scheme[school_class.grade]]
        assert periods or school_class.grade >= 10, school_class
        for period in periods:
            assert PeriodMark.objects.filter(assignment__school_class=school_class, period=period).exists()
            for assignment in TeachingAssignment.objects.filter(school_class=school_class).select_related("subject"):
                current = pupil_marks(assignment, period.start_date, period.end_date)
                pass_fail = CurriculumEntry.objects.get(
                    school_class=school_class, subject=assignment.subject
                ).is_pass_fail
                for pupil in assignment_pupils(assignment, period.end_date):
                    row = marks.get((assignment.pk, pupil.pk, period.pk))
                    if {(pupil.pk, assignment.subject_id, None), (pupil.pk, assignment.subject_id, period.pk)} & exempt:
                        assert row is None
                        continue
                    if row is None:
                        missing += 1
                        continue
                    values = current.get(pupil.pk, [])
                    assert len(values) >= period_mark_minimum(assignment.hours_per_week) or row.overridden_by_id
                    if pass_fail:
                        assert row.value in ("зч", "нз")
                    else:
                        expected = forecast(weighted_average(values))
                        # The teacher's judgement now and then: a point above the forecast they were proposed.
                        assert row.proposed_value == expected, (assignment, pupil)
                        judged += row.value != expected
                        assert row.value == expected or int(row.value) == int(expected) + 1, (assignment, pupil)
                        graded += 1
                    assert row.updated_by_id == assignment.teacher_id == created[row.pk].history_user_id
                    day = row.updated_at.astimezone(zone).date()
                    assert period.end_date - dt.timedelta(days=5) <= day <= period.end_date - dt.timedelta(days=2)
    assert missing == 1  # the one pupil «не аттестован»
    assert 0 < judged < graded * 0.02  # a few marks for the average-versus-mark check, not many


def test_whats_new_tells_the_demo_parent_the_truth(demo, client):
    """The first look at «Что нового» (the last 7 days): new marks are new, and «исправлена» only on marks their
    teacher really changed in those days (the seed's own moment is no correction)."""
    since = timezone.now() - dt.timedelta(days=7)
    parent = User.objects.get(username="parent")
    client.force_login(parent)
    new_total = 0
    for link in ParentChild.objects.filter(parent__user=parent):
        changed = {
            h.id
            for h in Mark.history.filter(history_type="~", history_date__gte=since, pupil_id=link.pupil_id)
            if Mark.history.filter(id=h.id, history_type="+", history_date__lt=since).exists()
        }
        created = Mark.history.filter(history_type="+", history_date__gte=since, pupil_id=link.pupil_id).count()
        page = client.get(reverse("diary:news", args=[link.pupil_id])).content.decode()
        assert page.count("исправлена") == len(changed)
        shown = len(re.findall(r'<li><span class="mk m', page))  # marks with a value, new or changed
        assert created == 0 or shown > len(changed)
        new_total += shown - len(changed)
    assert new_total > 0


def test_sizes_follow_the_pupils_option(demo):
    year = current_year()
    # 60 on the first day; the demo's movement adds a few arrivals during the year.
    assert Enrollment.objects.filter(date_from=year.start_date).values("pupil").distinct().count() == 60
    assert 60 < PupilProfile.objects.filter(enrollments__school_class__year=year).distinct().count() <= 66
    assert SchoolClass.objects.filter(year=year).count() == 22  # at least two classes per grade
    assert SchoolClass.objects.filter(class_teacher__isnull=True).count() == 0


def test_if_empty_creates_nothing_the_second_time(demo):
    before = (User.objects.count(), School.objects.count(), Enrollment.objects.count())
    out = StringIO()
    call_command("seed_demo", pupils=60, if_empty=True, stdout=out)
    assert (User.objects.count(), School.objects.count(), Enrollment.objects.count()) == before
    assert out.getvalue().strip()
    with pytest.raises(CommandError):
        call_command("seed_demo", pupils=60, stdout=StringIO())


@pytest.mark.parametrize(
    ("today", "start_year"),
    [(dt.date(2026, 11, 22), 2026), (dt.date(2027, 3, 1), 2026), (dt.date(2027, 7, 1), 2027)],
)
def test_current_start_year(today, start_year):
    assert current_start_year(today) == start_year


@pytest.mark.parametrize("start_year", range(2024, 2036))
def test_year_calendar_is_consistent(start_year):
    calendar = year_calendar(start_year)
    periods = calendar.quarters
    assert periods[0][0] == calendar.start and periods[-1][1] == calendar.end
    for (_start, end), (next_start, _end) in zip(periods, periods[1:]):
        assert end < next_start
    for name, first, last, _grade_from, grade_to in calendar.vacations:
        assert first <= last, name
        if grade_to == 1:
            continue  # the first graders' extra week lies inside the third quarter
        assert not any(start <= first <= end or start <= last <= end for start, end in periods), name
    assert calendar.halves == [(periods[0][0], periods[1][1]), (periods[2][0], periods[3][1])]


def test_year_calendar_2026():
    calendar = year_calendar(2026)
    assert calendar.name == "2026/2027"
    assert calendar.quarters[0] == (dt.date(2026, 9, 1), dt.date(2026, 10, 23))
    assert calendar.quarters[1] == (dt.date(2026, 11, 2), dt.date(2026, 12, 26))
    assert calendar.quarters[3][1] == dt.date(2027, 5, 26)


def test_the_audit_finds_the_demos_planted_lapses_and_little_else(demo):
    """The demo's journal is kept well but for three careless teachers' lapses of the last four weeks
    (journal.demo.lapses): each check the demo is meant to show finds one at least, the lessons' lapses are all
    theirs, and накопляемость flags few pupils (the teachers ask everyone every few lessons)."""
    from journal.demo.lapses import WINDOW_DAYS, careless_teachers
    from journal.lock import school_today
    from journal.models import Lesson
    from reports.access import report_scope
    from reports.selectors.audit.base import AuditContext, run_audit

    year = current_year()
    deputy = User.objects.get(username="deputy")
    today = school_today(deputy.school)
    start = today - dt.timedelta(days=WINDOW_DAYS)
    held = Lesson.objects.filter(assignment__year=year, date__gte=start, date__lt=today)
    if not held.exists() or start - dt.timedelta(days=7) < year.start_date:
        return  # the summer, the first weeks of the year: not every lapse has its lessons yet
    assert 0 < held.filter(attendance_taken_at__isnull=True).count() <= 10  # a handful
    result = run_audit(AuditContext(scope=report_scope(deputy), start=start, end=today, today=today))
    found = result.by_check()
    planted = ["no_topic", "no_homework", "no_attendance", "late_record", "late_homework", "late_marks"]
    for check in [*planted, "control_unmarked", "plan_missing"]:
        assert found[check], check
    fixed, others = careless_teachers(year)
    careless = {fixed, *others}
    for check in ["no_topic", "no_homework", "no_attendance", "late_record", "late_homework"]:
        assert {finding.teacher_id for finding in found[check]} <= careless, check
    assert {finding.teacher_id for finding in found["control_unmarked"]} <= set(others)
    # The control works are marked for everyone present but at one lesson.
    assert len({finding.lesson_id for finding in found["control_unmarked"]}) == 1
    pairs = sum(
        len(assignment_pupils(assignment, today))
        for assignment in TeachingAssignment.objects.filter(year=year).select_related("school_class", "subgroup")
    )
    assert len(found["few_marks"]) + len(found["mark_gap"]) <= 0.03 * pairs + 10
    lapses = sum(len(found[check]) for check in planted)
    assert 10 <= lapses <= 100


# Last year (journal.demo.past_year): kept in full, closed at the council, its pupils promoted into this year.
def past_year() -> SchoolYear:
    return SchoolYear.objects.get(promoted_at__isnull=False)


def test_last_year_is_closed_and_its_pupils_promoted(demo):
    from journal.models import Promotion, PromotionDecision

    past, year = past_year(), current_year()
    assert past.name == f"{year.start_date.year - 1}/{year.start_date.year}" and past.is_closed
    assert past.promoted_at.date() > past.end_date and past.promoted_at < timezone.now()
    promotions = list(Promotion.objects.filter(year=past).select_related("from_class", "target_class"))
    enrolled = Enrollment.objects.filter(school_class__year=past)
    assert {p.pupil_id for p in promotions} == set(enrolled.values_list("pupil_id", flat=True))
    assert all(p.applied_at == past.promoted_at for p in promotions)
    assert not enrolled.filter(date_to__isnull=True).exists()  # every enrolment of last year ended with it
    for p in promotions:
        if p.decision == PromotionDecision.PROMOTE:
            now = Enrollment.objects.get(pupil_id=p.pupil_id, school_class__year=year, date_from=year.start_date)
            assert now.school_class == p.target_class
            assert (p.target_class.grade, p.target_class.letter) == (p.from_class.grade + 1, p.from_class.letter)
            assert now.reason_in == f"переведён из {p.from_class}"
        else:  # the 11th grades, and a few who left after the 9th
            assert p.decision == PromotionDecision.GRADUATE and p.from_class.grade in (9, 11)
            assert not Enrollment.objects.filter(pupil_id=p.pupil_id, school_class__year=year).exists()
            assert not User.objects.get(pupil__pk=p.pupil_id).is_active
    # Everyone who started this year at the school in grades 2–11 was here last year, a grade lower.
    started = Enrollment.objects.filter(school_class__year=year, date_from=year.start_date, school_class__grade__gte=2)
    assert set(started.values_list("pupil_id", flat=True)) <= {p.pupil_id for p in promotions}
    assert not Enrollment.objects.filter(school_class__year=year, school_class__grade=1, pupil__promotions__year=past)


def test_last_year_was_kept_in_full(demo):
    """Every lesson of last year was held (its topic, marks, registers), the period marks of every quarter and
    half-year are set, the year marks follow them, and the 9th and 11th grades have exam and final marks."""
    from journal.models import Lesson, PeriodMark, PeriodMarkKind, StudyPeriod

    past = past_year()
    lessons = Lesson.objects.filter(assignment__year=past)
    assert lessons.count() > 1000 and not lessons.filter(date__gt=past.end_date).exists()
    assert lessons.exclude(topic="").count() >= 0.97 * lessons.count()
    assert Mark.objects.filter(lesson__assignment__year=past).count() > 2 * lessons.count()
    assert Attendance.objects.filter(lesson__assignment__year=past).exists()
    periods = StudyPeriod.objects.filter(year=past)
    marks = PeriodMark.objects.filter(assignment__year=past)
    for period in periods:
        assert marks.filter(kind=PeriodMarkKind.PERIOD, period=period).exists(), period
    year_marks = marks.filter(kind=PeriodMarkKind.YEAR)
    assert year_marks.count() > 100 and not year_marks.exclude(value__in=["2", "3", "4", "5", "зч", "нз"]).exists()
    for mark in year_marks.filter(assignment__school_class__grade=7)[:30]:
        values = marks.filter(kind=PeriodMarkKind.PERIOD, assignment=mark.assignment, pupil=mark.pupil).values_list(
            "value", flat=True
        )
        numbers = [int(v) for v in values if v.isdigit()]
        if numbers:
            assert abs(int(mark.value) - sum(numbers) / len(numbers)) <= 0.5
    finals = marks.filter(kind=PeriodMarkKind.FINAL)
    assert set(finals.values_list("assignment__school_class__grade", flat=True)) == {9, 11}
    assert marks.filter(kind=PeriodMarkKind.EXAM, assignment__subject__name="Русский язык").exists()
    assert all(m.updated_at <= past.promoted_at for m in marks)  # everything was in before the year closed
    created = set(PeriodMark.history.filter(history_type="+", assignment__year=past).values_list("id", flat=True))
    assert created == set(marks.values_list("pk", flat=True))


def test_this_years_subgroups_are_intact_after_the_promotion(demo):
    """The promotion carries subgroups by name: nobody may end up in both subgroups of a class this year."""
    membership = Subgroup.pupils.through
    rows = membership.objects.filter(subgroup__school_class__year=current_year()).values_list(
        "subgroup__school_class_id", "subgroup__assignments__subject_id", "pupilprofile_id"
    )
    seen: dict[tuple, int] = {}
    for class_id, subject_id, pupil_id in rows:
        key = (class_id, subject_id, pupil_id)
        seen[key] = seen.get(key, 0) + 1
    assert seen and max(seen.values()) == 1


def test_families_see_last_years_marks(demo, client):
    pupil = User.objects.get(username="pupil")
    profile = pupil.pupil
    past = past_year()
    client.force_login(User.objects.get(username="parent"))
    response = client.get(f"/diary/pupils/{profile.pk}/years/{past.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "6 «А»" in page and "переведён" in page.lower()


def test_seed_demo_past_builds_nothing_twice(demo):
    out = StringIO()
    call_command("seed_demo_past", no_archive=True, stdout=out)
    assert "уже есть" in out.getvalue()
    assert SchoolYear.objects.count() == 2
