"""The audit's накопляемость checks (reports/selectors/audit/accumulation.py): pupils with 0–1 marks so far in the
period, pupils below the minimum for a period mark near the period's end, long gaps between marks; each with a
planted lapse it finds and a clean case it does not flag. The roster follows movement and exemptions."""

import datetime as dt

import pytest
import time_machine

from journal.models import Lesson, Mark, SubjectExemption
from reports.access import report_scope
from reports.selectors.audit.base import AuditContext, run_audit
from reports.tests.test_results import make_pupil

D = dt.date
ACCUMULATION = {"few_marks", "below_minimum", "mark_gap"}


@pytest.fixture(autouse=True)
def on_20_october():
    # The 1st quarter runs 01.09–23.10: three days before its end.
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def mark(cast, assignment, pupil, day, value="4"):
    lesson, _created = Lesson.objects.get_or_create(assignment=assignment, date=day, number=1)
    return Mark.objects.create(lesson=lesson, pupil=pupil, value=value, updated_by=cast.admin)


WEEKLY = [D(2026, 9, 7), D(2026, 9, 21), D(2026, 10, 5), D(2026, 10, 12), D(2026, 10, 19)]


def audit(cast, start=D(2026, 10, 1), end=D(2026, 10, 31), only=ACCUMULATION):
    context = AuditContext(scope=report_scope(cast.deputy), start=start, end=end)
    return run_audit(context, only=only)


def flagged(result, slug, assignment):
    return sorted(
        finding.pupil_id
        for finding in result.findings
        if finding.check == slug and finding.assignment_id == assignment.pk
    )


@pytest.fixture
def pupils(cast):
    """7 «А», math (5 h a week: the minimum is 4 marks). The cast's pupil has weekly marks: clean."""
    math = cast.math_a
    p = {
        "none": make_pupil(cast, "Нулев", cast.class_a),
        "one": make_pupil(cast, "Одинов", cast.class_a),
        "two": make_pupil(cast, "Двоев", cast.class_a),
        "regular": make_pupil(cast, "Ровнов", cast.class_a),
        "exempt": make_pupil(cast, "Освобождённов", cast.class_a),
        "arrived": make_pupil(cast, "Новенький", cast.class_a, date_from=D(2026, 10, 12)),
        "left": make_pupil(cast, "Ушедший", cast.class_a, date_to=D(2026, 10, 10)),
    }
    for day in WEEKLY:
        mark(cast, math, cast.pupil, day)
        mark(cast, math, p["regular"], day)
    mark(cast, math, p["one"], D(2026, 10, 5))
    mark(cast, math, p["two"], D(2026, 9, 10))
    mark(cast, math, p["two"], D(2026, 10, 15))
    SubjectExemption.objects.create(
        pupil=p["exempt"], subject=math.subject, year=cast.year, reason="справка", created_by=cast.admin
    )
    return p


def test_few_marks_found(cast, pupils):
    result = audit(cast)
    assert flagged(result, "few_marks", cast.math_a) == sorted([pupils["none"].pk, pupils["one"].pk])
    finding = next(f for f in result.findings if f.check == "few_marks" and f.pupil_id == pupils["none"].pk)
    assert finding.text == "Нулев Иван: нет ни одной отметки за 1 четверть (с 01.09.2026 по 20.10.2026)"
    assert finding.teacher_id == cast.teacher.pk and finding.class_id == cast.class_a.pk
    assert finding.url.startswith(f"/journal/assignments/{cast.math_a.pk}/grid/?period=")
    one = next(f for f in result.findings if f.check == "few_marks" and f.pupil_id == pupils["one"].pk)
    assert "всего одна отметка" in one.text


def test_few_marks_waits_for_four_lessons(cast, pupils):
    """A subject of an hour a week: after three weeks of the quarter (three lessons) no mark is not a lapse yet; after
    four weeks it is."""
    from decimal import Decimal

    from journal import services

    music = services.subject_create(actor=cast.admin, school=cast.school, name="Музыка")
    assignment = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=music,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(1),
    )
    for day in WEEKLY:
        Lesson.objects.create(assignment=assignment, date=day, number=3)
    with time_machine.travel(dt.datetime(2026, 9, 24, 9, 0, tzinfo=dt.UTC), tick=False):
        assert flagged(audit(cast, start=D(2026, 9, 1), end=D(2026, 9, 30)), "few_marks", assignment) == []
        assert pupils["none"].pk in flagged(
            audit(cast, start=D(2026, 9, 1), end=D(2026, 9, 30)), "few_marks", cast.math_a
        )
    with time_machine.travel(dt.datetime(2026, 9, 29, 9, 0, tzinfo=dt.UTC), tick=False):
        assert pupils["none"].pk in flagged(
            audit(cast, start=D(2026, 9, 1), end=D(2026, 9, 30)), "few_marks", assignment
        )


def test_few_marks_clean_cases(cast, pupils):
    """Two marks and more, the exempt, the newcomer of 8 days and the pupil who left: none flagged; early in the
    period (the first two weeks) nobody is."""
    flagged_ids = flagged(audit(cast), "few_marks", cast.math_a)
    for name in ("two", "regular", "exempt", "arrived", "left"):
        assert pupils[name].pk not in flagged_ids
    assert cast.pupil.pk not in flagged_ids
    with time_machine.travel(dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        assert flagged(audit(cast, start=D(2026, 9, 1), end=D(2026, 9, 30)), "few_marks", cast.math_a) == []


def test_below_minimum_found_near_the_end(cast, pupils):
    result = audit(cast)
    assert flagged(result, "below_minimum", cast.math_a) == [pupils["two"].pk]
    (finding,) = [f for f in result.findings if f.check == "below_minimum" and f.assignment_id == cast.math_a.pk]
    assert finding.text == (
        "Двоев Иван: 2 отметки, а для отметки за 1 четверть нужно не меньше 4 (период кончается 23.10.2026)"
    )


def test_below_minimum_clean_far_from_the_end(cast, pupils):
    """On 5 October the quarter's end is 18 days away: not yet a lapse."""
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        assert flagged(audit(cast), "below_minimum", cast.math_a) == []


def test_long_gap_found(cast, pupils):
    result = audit(cast)
    assert flagged(result, "mark_gap", cast.math_a) == [pupils["two"].pk]
    (finding,) = [f for f in result.findings if f.check == "mark_gap" and f.assignment_id == cast.math_a.pk]
    assert finding.text == "Двоев Иван: 35 дн. без отметок (с 10.09.2026 по 15.10.2026)"


def test_long_gap_does_not_count_the_holidays(cast, pupils):
    """The holidays of the class's grade are not days without marks; another grade's holidays are."""
    from journal.models import Vacation

    year = cast.math_a.year
    Vacation.objects.create(
        year=year, name="Доп. каникулы", start_date=D(2026, 9, 14), end_date=D(2026, 9, 30), grade_from=1, grade_to=1
    )
    assert flagged(audit(cast), "mark_gap", cast.math_a) == [pupils["two"].pk]
    Vacation.objects.create(year=year, name="Каникулы", start_date=D(2026, 9, 21), end_date=D(2026, 9, 27))
    result = audit(cast)
    (finding,) = [f for f in result.findings if f.check == "mark_gap" and f.assignment_id == cast.math_a.pk]
    assert finding.text == "Двоев Иван: 28 дн. без отметок, не считая каникул (с 10.09.2026 по 15.10.2026)"
    Vacation.objects.create(
        year=year, name="Каникулы 5–9", start_date=D(2026, 9, 28), end_date=D(2026, 10, 4), grade_from=5, grade_to=9
    )
    assert flagged(audit(cast), "mark_gap", cast.math_a) == []  # 35 days less 14 of holidays: three weeks


def test_long_gap_at_the_end_found_and_regular_marks_clean(cast, pupils):
    """Marks every two weeks are clean; a pupil whose last mark is more than 3 weeks old is flagged."""
    late = make_pupil(cast, "Забытов", cast.class_a)
    for day in (D(2026, 9, 3), D(2026, 9, 10), D(2026, 9, 17), D(2026, 9, 24)):
        mark(cast, cast.math_a, late, day)
    result = audit(cast)
    assert flagged(result, "mark_gap", cast.math_a) == sorted([pupils["two"].pk, late.pk])
    assert pupils["regular"].pk not in flagged(result, "mark_gap", cast.math_a)


def test_roster_follows_movement_into_a_subgroup(cast, pupils):
    """A subgroup's assignment: only its members are judged."""
    from decimal import Decimal

    from journal import services

    group = services.subgroup_create(
        actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[pupils["one"]]
    )
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    eng = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(2),
        subgroup=group,
    )
    assert flagged(audit(cast), "few_marks", eng) == [pupils["one"].pk]
