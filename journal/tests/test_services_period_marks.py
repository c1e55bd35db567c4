import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services as account_services
from journal import services
from journal.choices import YearStatus
from journal.models import Lesson, Mark, PeriodMark, PeriodMarkKind, StudyPeriod
from journal.services.period_marks import period_mark_override, period_mark_set
from journal.tests.concurrency import run_at_once, skip_unless_postgres


@pytest.fixture
def quarter(cast) -> StudyPeriod:
    return StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)


def give_marks(cast, assignment, pupil, values, start=dt.date(2026, 9, 7)):
    """One lesson per value on consecutive days inside the first quarter, each with that mark."""
    for i, value in enumerate(values):
        lesson = Lesson.objects.create(assignment=assignment, date=start + dt.timedelta(days=i), number=1)
        Mark.objects.create(lesson=lesson, pupil=pupil, value=value, updated_by=assignment.teacher)


def set_mark(cast, quarter, value, actor=None, **kwargs):
    return period_mark_set(
        actor=actor or cast.teacher,
        assignment=cast.math_a,
        pupil=cast.pupil,
        kind=kwargs.pop("kind", PeriodMarkKind.PERIOD),
        period=kwargs.pop("period", quarter),
        value=value,
        **kwargs,
    )


def test_a_period_mark_with_enough_marks_is_set_with_history(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "4", "5", "5"])  # 5 h a week: at least 4 marks
    mark = set_mark(cast, quarter, "5")
    assert (mark.value, mark.updated_by) == ("5", cast.teacher)
    set_mark(cast, quarter, "4")
    history = list(PeriodMark.history.filter(id=mark.pk).order_by("history_date"))
    assert [h.value for h in history] == ["5", "4"]
    assert {h.history_user for h in history} == {cast.teacher}


def test_too_few_marks_are_refused_and_nothing_is_written(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "4", "5"])  # 3 of 4
    with pytest.raises(ValidationError, match="Недостаточно текущих отметок.*у учащегося 3, нужно не менее 4"):
        set_mark(cast, quarter, "5")
    assert not PeriodMark.objects.exists()


def test_cleared_marks_and_other_periods_do_not_count(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "4", "5", ""])
    give_marks(cast, cast.math_a, cast.pupil, ["5"], start=dt.date(2026, 11, 10))  # the second quarter
    with pytest.raises(ValidationError, match="у учащегося 3"):
        set_mark(cast, quarter, "5")


def test_two_hours_a_week_need_three_marks(cast):
    quarter = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    give_marks(cast, cast.physics_b, cast.other_pupil, ["3", "4", "4"])
    mark = period_mark_set(
        actor=cast.other_teacher,
        assignment=cast.physics_b,
        pupil=cast.other_pupil,
        kind=PeriodMarkKind.PERIOD,
        period=quarter,
        value="4",
    )
    assert mark.value == "4"


def test_the_deputy_override_lifts_the_minimum(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5"])
    mark = period_mark_override(
        actor=cast.deputy,
        assignment=cast.math_a,
        pupil=cast.pupil,
        kind=PeriodMarkKind.PERIOD,
        period=quarter,
        reason="  длительная болезнь,   справка № 12 ",
    )
    assert (mark.override_reason, mark.overridden_by, mark.value) == (
        "длительная болезнь, справка № 12",
        cast.deputy,
        "",
    )
    mark = set_mark(cast, quarter, "4")
    assert mark.value == "4" and mark.overridden_by == cast.deputy


def test_the_override_is_the_deputys_or_admins_and_needs_a_reason(cast, quarter):
    for who in (cast.teacher, cast.classteacher, cast.director):
        with pytest.raises(PermissionDenied):
            period_mark_override(
                actor=who, assignment=cast.math_a, pupil=cast.pupil, kind="period", period=quarter, reason="так надо"
            )
    with pytest.raises(ValidationError, match="Укажите основание"):
        period_mark_override(
            actor=cast.deputy, assignment=cast.math_a, pupil=cast.pupil, kind="period", period=quarter, reason="  "
        )
    assert not PeriodMark.objects.exists()
    mark = set_mark(cast, quarter, "", proposed=True)  # the row exists; the admin overrides it by the row
    mark = period_mark_override(actor=cast.admin, period_mark=mark, reason="перевод из другой школы")
    assert mark.overridden_by == cast.admin


def test_a_teacher_cannot_pass_an_override_reason(cast, quarter):
    with pytest.raises(PermissionDenied, match="заместитель директора"):
        set_mark(cast, quarter, "5", override_reason="сам себе разрешил")


def test_the_proposal_needs_no_minimum_and_keeps_the_value(cast, quarter):
    mark = set_mark(cast, quarter, "4", proposed=True)
    assert (mark.proposed_value, mark.value) == ("4", "")


NOT_A_MARK = (
    "«н/а» и «осв.» не являются отметками и не выставляются. Если текущих отметок мало, заместитель директора может "
    "разрешить выставить отметку, указав основание."
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("н/а", NOT_A_MARK),
        ("Н/А", NOT_A_MARK),
        ("осв.", NOT_A_MARK),
        ("осв", NOT_A_MARK),
        ("6", "«6» — недопустимая отметка: выставляются 1, 2, 3, 4, 5 или «зч»/«нз» (зачёт/незачёт)."),
        ("0", "«0» — недопустимая отметка: выставляются 1, 2, 3, 4, 5 или «зч»/«нз» (зачёт/незачёт)."),
        ("отл", "«отл» — недопустимая отметка: выставляются 1, 2, 3, 4, 5 или «зч»/«нз» (зачёт/незачёт)."),
        ("5+", "«5+» — недопустимая отметка: выставляются 1, 2, 3, 4, 5 или «зч»/«нз» (зачёт/незачёт)."),
    ],
)
def test_not_a_mark_is_refused_in_russian(cast, quarter, value, message):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    with pytest.raises(ValidationError) as error:
        set_mark(cast, quarter, value)
    assert error.value.messages == [message]
    with pytest.raises(ValidationError):
        set_mark(cast, quarter, value, proposed=True)
    assert not PeriodMark.objects.exists()


def test_na_and_osv_get_their_own_explanation(cast, quarter):
    with pytest.raises(ValidationError, match="«н/а» и «осв.» не являются отметками"):
        set_mark(cast, quarter, "н/а")


def test_pass_fail_subject_takes_pass_or_fail_only(cast, quarter):
    services.curriculum_set(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=cast.math_a.subject,
        hours_per_week=Decimal(5),
        is_pass_fail=True,
    )
    give_marks(cast, cast.math_a, cast.pupil, ["зч", "зч", "нз", "зч"])
    with pytest.raises(ValidationError, match="«зч».*«нз»"):
        set_mark(cast, quarter, "5")
    assert set_mark(cast, quarter, "Зачёт").value == "зч"


def test_an_ordinary_subject_refuses_pass_fail(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    with pytest.raises(ValidationError, match="от 1 до 5"):
        set_mark(cast, quarter, "зч")


@pytest.mark.parametrize("who", ["teacher", "classteacher"])
def test_the_teacher_and_the_class_teacher_set(cast, quarter, who):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    assert set_mark(cast, quarter, "5", actor=getattr(cast, who)).updated_by == getattr(cast, who)


@pytest.mark.parametrize("who", ["other_teacher", "deputy", "director", "admin", "pupil_user", "parent_user"])
def test_nobody_else_sets(cast, quarter, who):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    with pytest.raises(PermissionDenied):
        set_mark(cast, quarter, "5", actor=getattr(cast, who))
    with pytest.raises(PermissionDenied):
        set_mark(cast, quarter, "5", actor=getattr(cast, who), proposed=True)
    assert not PeriodMark.objects.exists()


def quarters(cast) -> list[StudyPeriod]:
    return list(StudyPeriod.objects.filter(year=cast.year, kind="quarter").order_by("number"))


def set_quarter(cast, period, value="4", pupil=None, **kwargs):
    """Enough current marks in the quarter, then its mark set (or, with ``proposed``, only proposed)."""
    pupil = pupil or cast.pupil
    if not Mark.objects.filter(pupil=pupil, lesson__date__range=(period.start_date, period.end_date)).exists():
        give_marks(cast, cast.math_a, pupil, ["4"] * 4, start=period.start_date + dt.timedelta(days=7))
    return period_mark_set(
        actor=cast.teacher,
        assignment=cast.math_a,
        pupil=pupil,
        kind=PeriodMarkKind.PERIOD,
        period=period,
        value=value,
        **kwargs,
    )


def year_mark(cast, value="4", pupil=None):
    return period_mark_set(
        actor=cast.teacher,
        assignment=cast.math_a,
        pupil=pupil or cast.pupil,
        kind=PeriodMarkKind.YEAR,
        value=value,
    )


def test_the_year_mark_needs_a_period_mark(cast, quarter):
    with pytest.raises(ValidationError, match="Годовая отметка выставляется по отметкам за учебные периоды, а у"):
        set_mark(cast, None, "4", kind=PeriodMarkKind.YEAR)
    for period in quarters(cast):
        set_quarter(cast, period)
    assert set_mark(cast, None, "4", kind=PeriodMarkKind.YEAR).value == "4"


def test_the_year_mark_needs_every_quarter_set(cast):
    """One quarter of four does not justify a year mark [002 §5.1]: each quarter the pupil studied needs its mark."""
    first, second, third, fourth = quarters(cast)
    set_quarter(cast, first)
    set_quarter(cast, third)
    with pytest.raises(ValidationError) as error:
        year_mark(cast)
    assert error.value.messages == [
        "Годовая отметка выставляется по отметкам за все учебные периоды, а за 2 четверть, 4 четверть отметка не "
        "выставлена (предложенная не считается). Выставить годовую без них можно только с разрешения заместителя "
        "директора."
    ]
    set_quarter(cast, second)
    set_quarter(cast, fourth)
    assert year_mark(cast).value == "4"


def test_a_proposed_period_mark_does_not_carry_the_year_mark(cast):
    """The proposal is the teacher's draft, not a mark: the year mark over it is refused."""
    first, second, third, fourth = quarters(cast)
    for period in (first, second, third):
        set_quarter(cast, period)
    proposal = set_quarter(cast, fourth, proposed=True)
    assert (proposal.proposed_value, proposal.value) == ("4", "")
    with pytest.raises(ValidationError, match="за 4 четверть отметка не выставлена"):
        year_mark(cast)
    assert not PeriodMark.objects.filter(kind=PeriodMarkKind.YEAR).exclude(value="").exists()


def test_only_proposals_are_no_period_marks_at_all(cast):
    for period in quarters(cast):
        set_quarter(cast, period, proposed=True)
    with pytest.raises(ValidationError, match="а у учащегося нет ни одной"):
        year_mark(cast)


def test_a_cleared_period_mark_does_not_carry_the_year_mark(cast):
    first, second, third, fourth = quarters(cast)
    for period in (first, second, third, fourth):
        set_quarter(cast, period)
    set_quarter(cast, second, value="")  # cleared: the row stays with an empty value
    assert PeriodMark.objects.get(kind=PeriodMarkKind.PERIOD, period=second).value == ""
    with pytest.raises(ValidationError, match="за 2 четверть отметка не выставлена"):
        year_mark(cast)
    set_quarter(cast, second, value="5")
    assert year_mark(cast).value == "4"


def test_a_pupil_who_arrived_during_the_year_needs_the_quarters_since(cast):
    """Arrived in the third quarter: the first two were marked by another school, which the journal cannot ask for."""
    first, second, third, fourth = quarters(cast)
    newcomer = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="newcomer", last_name="Новикова", first_name="Мария"
    )
    services.enrollment_create(actor=cast.admin, pupil=newcomer, school_class=cast.class_a, date_from=third.start_date)
    set_quarter(cast, third, pupil=newcomer)
    with pytest.raises(ValidationError, match="за 4 четверть отметка"):
        year_mark(cast, pupil=newcomer)
    set_quarter(cast, fourth, pupil=newcomer)
    assert year_mark(cast, pupil=newcomer).value == "4"


def test_the_deputy_may_allow_a_year_mark_without_every_quarter(cast):
    set_quarter(cast, quarters(cast)[0])
    period_mark_override(
        actor=cast.deputy,
        assignment=cast.math_a,
        pupil=cast.pupil,
        kind=PeriodMarkKind.YEAR,
        reason="решение педсовета",
    )
    assert year_mark(cast).value == "4"


def test_exam_and_final_marks_have_no_prerequisite(cast):
    assert set_mark(cast, None, "5", kind=PeriodMarkKind.EXAM).value == "5"
    assert set_mark(cast, None, "4", kind=PeriodMarkKind.FINAL).value == "4"


def test_kind_and_period_must_agree(cast, quarter):
    with pytest.raises(ValidationError, match="Укажите учебный период"):
        set_mark(cast, None, "5")
    with pytest.raises(ValidationError, match="не относятся к учебному периоду"):
        set_mark(cast, quarter, "5", kind=PeriodMarkKind.YEAR)
    half = StudyPeriod.objects.create(
        year=cast.year, kind="half", number=1, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 26)
    )
    with pytest.raises(ValidationError, match="не используется"):
        set_mark(cast, half, "5")
    with pytest.raises(ValidationError, match="Неизвестный вид"):
        set_mark(cast, None, "5", kind="semester")


def test_a_pupil_of_another_class_is_refused(cast, quarter):
    with pytest.raises(ValidationError, match="не учится"):
        period_mark_set(
            actor=cast.teacher,
            assignment=cast.math_a,
            pupil=cast.other_pupil,
            kind=PeriodMarkKind.PERIOD,
            period=quarter,
            value="5",
            proposed=True,
        )


def test_clearing_keeps_the_row_and_history(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    mark = set_mark(cast, quarter, "5")
    set_mark(cast, quarter, "")
    mark.refresh_from_db()
    assert mark.value == ""
    assert PeriodMark.history.filter(id=mark.pk).count() == 2


def test_a_closed_year_refuses(cast, quarter):
    give_marks(cast, cast.math_a, cast.pupil, ["5", "5", "5", "5"])
    cast.year.status = YearStatus.CLOSED
    cast.year.save()
    cast.math_a.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыт"):
        set_mark(cast, quarter, "5")
    with pytest.raises(ValidationError, match="закрыт"):
        period_mark_override(
            actor=cast.deputy, assignment=cast.math_a, pupil=cast.pupil, kind="period", period=quarter, reason="x"
        )


def test_a_second_write_updates_the_same_row(cast, quarter):
    set_mark(cast, quarter, "4", proposed=True)
    set_mark(cast, quarter, "5", proposed=True, actor=cast.classteacher)
    assert PeriodMark.objects.count() == 1
    assert PeriodMark.objects.get().updated_by == cast.classteacher


# Two writers at once (PostgreSQL only) ------------------------------------------------------------------------------


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", [PeriodMarkKind.PERIOD, PeriodMarkKind.YEAR])
def test_two_teachers_set_the_same_period_mark_at_once(cast, monkeypatch, kind):
    """The teacher and the class teacher set the pupil's mark at the same moment, neither row existing yet: both
    find no row and insert; the unique constraint stops the second insert, which then updates the first's row.
    One row, the later value, both changes in its history; no error. The year mark's row has no period (NULL),
    which a plain unique constraint would not stop: the partial constraint for it must."""
    from journal.services import period_marks as period_mark_services

    skip_unless_postgres()
    quarter = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    period = quarter if kind == PeriodMarkKind.PERIOD else None
    if kind == PeriodMarkKind.YEAR:
        PeriodMark.objects.bulk_create(
            PeriodMark(
                assignment=cast.math_a, pupil=cast.pupil, kind="period", period=q, value="4", updated_by=cast.teacher
            )
            for q in quarters(cast)
        )
    else:
        give_marks(cast, cast.math_a, cast.pupil, ["5", "4", "5", "5"])
    barrier = threading.Barrier(2, timeout=10)
    real_save = period_mark_services._save
    inserted = []

    def save_after_both_looked(row, actor):
        if row.pk is not None:  # the retry: an update of the row the other writer inserted
            return real_save(row, actor)
        barrier.wait()  # both writers found no row
        try:
            result = real_save(row, actor)
        except Exception:
            inserted.append(False)
            raise
        inserted.append(True)
        return result

    monkeypatch.setattr(period_mark_services, "_save", save_after_both_looked)

    def write(actor, value):
        return period_mark_set(
            actor=actor, assignment=cast.math_a, pupil=cast.pupil, kind=kind, period=period, value=value
        )

    _results, errors = run_at_once(lambda: write(cast.teacher, "5"), lambda: write(cast.classteacher, "4"))
    assert errors == []
    assert sorted(inserted) == [False, True]  # the race happened: one insert lost and became an update
    [row] = PeriodMark.objects.filter(assignment=cast.math_a, pupil=cast.pupil, kind=kind, period=period)
    history = list(PeriodMark.history.filter(id=row.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user_id for h in history} == {cast.teacher.pk, cast.classteacher.pk}
    assert row.value == history[-1].value and row.updated_by_id == history[-1].history_user_id
