"""Period marks (четверть/полугодие/триместр, год, экзамен, итоговая): proposed, set, and the deputy's override.

The teacher proposes (``proposed_value``); the teacher or the class teacher of the class sets (``value``)
[003 §4.4]. A mark for a study period needs the minimum number of current marks in that period (000 §6.1 sets it
for the quarter; we apply it to every study period)
(``period_mark_minimum`` by the assignment's hours per week) unless the deputy head has allowed it with a
written reason (``period_mark_override``). "н/а" and "осв." are not marks [002 §5.3, 000 §6.2].

The year mark stands on the period marks [002 §5.1]: it is allowed once the pupil has a *set* mark (not a
proposal, not a cleared one) for every study period of the grade's scheme during which they belonged to the class
(and subgroup) — all four quarters for a pupil who was there all year, only the later ones for a pupil who arrived
during the year (the earlier ones were given by another school). Not "at least one": a year mark over one quarter
of four is not justified. Not "the periods already ended": the year mark is set in the last week of the last
period, whose mark is due 2 days before the period ends [002 §5.4], so that mark must come first. A pupil not
attested in a period (too few marks) gets more time and is assessed later [002 §5.3], and the year mark waits for
it, unless the deputy head allows it with a written reason, as for the minimum of current marks. Exam and final
marks have no prerequisite here (the exam is its own assessment; the final mark is decided by the teachers'
council).
Every change keeps its history (who, when, old → new); clearing a mark sets "" and keeps the row.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import PupilProfile, User

from ..access import assignment_user_edits
from ..models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Mark,
    MarkValue,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    TeachingAssignment,
)
from ..selectors.averages import period_mark_minimum
from ..selectors.period_marks import periods_studied
from .structure import ensure_year_writable

NUMERIC_VALUES = ("1", "2", "3", "4", "5")
PASS_FAIL_VALUES = (MarkValue.PASS.value, MarkValue.FAIL.value)
# What teachers type for "not attested" and "exempt": refused with their own explanation.
NOT_MARKS = {"на", "н/а", "н\\а", "н.а", "н.а.", "неатт", "осв", "осв.", "освоб", "освобожден", "освобождена"}
# Spelled-out pass/fail accepted as typed.
ALIASES = {"зачет": "зч", "зачёт": "зч", "зач": "зч", "незачет": "нз", "незачёт": "нз", "незач": "нз"}


# --- who may do what ------------------------------------------------------------------------------


def can_keep_journal(user: User, assignment: TeachingAssignment) -> bool:
    """The assignment's teacher or the class teacher of its class: the rule of ``journal.access``, answered without
    a query when the assignment came from ``assignment_for_user``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return assignment_user_edits(user, assignment)


def ensure_journal_keeper(actor: User, assignment: TeachingAssignment) -> None:
    if not can_keep_journal(actor, assignment):
        raise PermissionDenied(_("Вести журнал по этому предмету могут только его учитель и классный руководитель."))


def can_override(user: User, school_id: int) -> bool:
    """The deputy head or the admin of the school allows a period mark with too few current marks."""
    if user.is_platform_operator:
        return True
    return user.role in (Role.DEPUTY, Role.ADMIN) and user.school_id == school_id


# --- values -----------------------------------------------------------------------------------------


def normalize_value(raw: str) -> str:
    """The stored value for what a user typed: trimmed, lower case, «зачёт» → «зч»; not validated."""
    value = " ".join(str(raw or "").split()).lower()
    return ALIASES.get(value, value)


def is_pass_fail(assignment: TeachingAssignment) -> bool:
    return CurriculumEntry.objects.filter(
        school_class_id=assignment.school_class_id, subject_id=assignment.subject_id, is_pass_fail=True
    ).exists()


def validate_value(value: str, *, pass_fail: bool, subject: str) -> None:
    """Refuse anything that is not a period mark of this subject, with a Russian explanation."""
    if value == "":
        return
    if value in NOT_MARKS or value.replace(" ", "") in NOT_MARKS:
        raise ValidationError(
            _(
                "«н/а» и «осв.» не являются отметками и не выставляются. Если текущих отметок мало, "
                "заместитель директора может разрешить выставить отметку, указав основание."
            )
        )
    if value not in MarkValue.values:
        raise ValidationError(
            _("«%(value)s» — недопустимая отметка: выставляются 1, 2, 3, 4, 5 или «зч»/«нз» (зачёт/незачёт).")
            % {"value": value}
        )
    if pass_fail and value not in PASS_FAIL_VALUES:
        raise ValidationError(
            _("По предмету «%(subject)s» в этом классе ставится «зч» (зачёт) или «нз» (незачёт).")
            % {"subject": subject}
        )
    if not pass_fail and value in PASS_FAIL_VALUES:
        raise ValidationError(_("По предмету «%(subject)s» ставятся отметки от 1 до 5.") % {"subject": subject})


# --- the period and the pupil --------------------------------------------------------------------------


def grade_period_kind(assignment: TeachingAssignment) -> str | None:
    return (
        GradeSettings.objects.filter(year_id=assignment.year_id, grade=assignment.school_class.grade)
        .values_list("period_kind", flat=True)
        .first()
    )


def _check_kind(assignment: TeachingAssignment, kind: str, period: StudyPeriod | None) -> None:
    if kind not in PeriodMarkKind.values:
        raise ValidationError(_("Неизвестный вид итоговой отметки."))
    if kind != PeriodMarkKind.PERIOD:
        if period is not None:
            raise ValidationError(_("Годовая, экзаменационная и итоговая отметки не относятся к учебному периоду."))
        return
    if period is None:
        raise ValidationError(_("Укажите учебный период (четверть, триместр или полугодие)."))
    if period.year_id != assignment.year_id:
        raise ValidationError(_("Учебный период относится к другому учебному году."))
    scheme = grade_period_kind(assignment)
    if scheme and period.kind != scheme:
        raise ValidationError(
            _("В %(grade)s классах учатся не по этим периодам: «%(period)s» здесь не используется.")
            % {"grade": assignment.school_class.grade, "period": period}
        )


def _span(assignment: TeachingAssignment, period: StudyPeriod | None) -> tuple[dt.date, dt.date]:
    if period is not None:
        return period.start_date, period.end_date
    return assignment.year.start_date, assignment.year.end_date


def _check_pupil(assignment: TeachingAssignment, pupil: PupilProfile, period: StudyPeriod | None) -> None:
    start, end = _span(assignment, period)
    enrolled = (
        Enrollment.objects.filter(pupil=pupil, school_class_id=assignment.school_class_id, date_from__lte=end)
        .exclude(date_to__lt=start)
        .exists()
    )
    in_group = not assignment.subgroup_id or assignment.subgroup.pupils.filter(pk=pupil.pk).exists()
    if not (enrolled and in_group):
        raise ValidationError(
            _("%(pupil)s не учится в %(what)s в это время.") % {"pupil": pupil, "what": _group_name(assignment)}
        )


def _group_name(assignment: TeachingAssignment) -> str:
    if assignment.subgroup_id:
        return f"{assignment.school_class}, {assignment.subgroup.name}"
    return str(assignment.school_class)


def _hours_text(hours) -> str:
    text = f"{Decimal(hours):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def current_marks_count(assignment: TeachingAssignment, pupil: PupilProfile, period: StudyPeriod) -> int:
    """Current marks (any value, pass/fail included) of the pupil in the assignment's lessons of the period."""
    return (
        Mark.objects.filter(
            lesson__assignment=assignment,
            pupil=pupil,
            lesson__date__gte=period.start_date,
            lesson__date__lte=period.end_date,
        )
        .exclude(value="")
        .count()
    )


def _check_minimum(assignment: TeachingAssignment, pupil: PupilProfile, kind: str, period, row) -> None:
    """The rule of the minimum number of current marks; the deputy's override lifts it."""
    if row is not None and row.overridden_by_id:
        return
    if kind == PeriodMarkKind.PERIOD:
        needed = period_mark_minimum(assignment.hours_per_week)
        have = current_marks_count(assignment, pupil, period)
        if have < needed:
            raise ValidationError(
                _(
                    "Недостаточно текущих отметок для отметки за %(period)s: у учащегося %(have)s, нужно не менее "
                    "%(needed)s (при %(hours)s ч в неделю). Выставить отметку можно только с разрешения заместителя "
                    "директора с указанием основания."
                )
                % {
                    "period": period,
                    "have": have,
                    "needed": needed,
                    "hours": _hours_text(assignment.hours_per_week),
                }
            )
    elif kind == PeriodMarkKind.YEAR:
        set_periods = set(
            PeriodMark.objects.filter(assignment=assignment, pupil=pupil, kind=PeriodMarkKind.PERIOD)
            .exclude(value="")
            .values_list("period_id", flat=True)
        )
        if not set_periods:
            raise ValidationError(
                _(
                    "Годовая отметка выставляется по отметкам за учебные периоды, а у учащегося нет ни одной. "
                    "Выставить её без них можно только с разрешения заместителя директора."
                )
            )
        missing = [period for period in year_mark_periods(assignment, pupil) if period.pk not in set_periods]
        if missing:
            raise ValidationError(
                _(
                    "Годовая отметка выставляется по отметкам за все учебные периоды, а за %(periods)s отметка не "
                    "выставлена (предложенная не считается). Выставить годовую без них можно только с разрешения "
                    "заместителя директора."
                )
                % {"periods": ", ".join(str(period) for period in missing)}
            )


def year_mark_periods(assignment: TeachingAssignment, pupil: PupilProfile) -> list[StudyPeriod]:
    """The study periods whose set marks the pupil's year mark needs: the grade's periods during which the pupil
    belonged to the class (3 queries)."""
    periods = list(
        StudyPeriod.objects.filter(year_id=assignment.year_id, kind=grade_period_kind(assignment)).order_by("number")
    )
    spans = list(
        Enrollment.objects.filter(pupil=pupil, school_class_id=assignment.school_class_id).values_list(
            "date_from", "date_to"
        )
    )
    return periods_studied(periods, spans)


# --- writes ----------------------------------------------------------------------------------------------


def _row_query(assignment: TeachingAssignment, pupil: PupilProfile, kind: str, period: StudyPeriod | None):
    return PeriodMark.objects.select_for_update().filter(assignment=assignment, pupil=pupil, kind=kind, period=period)


def _save(row: PeriodMark, actor: User) -> PeriodMark:
    row.updated_by = actor
    row._history_user = actor
    row.full_clean(validate_constraints=False)
    row.save()
    return row


def _upsert(assignment, pupil, kind, period, actor: User, change) -> PeriodMark:
    """Lock the pupil's row (or create it) and apply ``change(row)``; a concurrent first write is retried once."""
    for attempt in range(2):
        row = _row_query(assignment, pupil, kind, period).first()
        if row is not None:
            change(row)
            return _save(row, actor)
        row = PeriodMark(assignment=assignment, pupil=pupil, kind=kind, period=period)
        change(row)
        try:
            with transaction.atomic():
                return _save(row, actor)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def period_mark_set(
    *,
    actor: User,
    assignment: TeachingAssignment,
    pupil: PupilProfile,
    kind: str,
    period: StudyPeriod | None = None,
    value: str,
    proposed: bool = False,
    override_reason: str = "",
) -> PeriodMark:
    """Set (or with ``proposed`` propose) a pupil's period/year/exam/final mark; "" clears it.

    ``override_reason`` lets a user who is both allowed to set the mark and to override (a deputy head who is
    also the class teacher) do both in one step; everyone else overrides with ``period_mark_override``.
    """
    ensure_year_writable(assignment.year)
    ensure_journal_keeper(actor, assignment)
    value = normalize_value(value)
    validate_value(value, pass_fail=is_pass_fail(assignment), subject=assignment.subject.name)
    _check_kind(assignment, kind, period)
    _check_pupil(assignment, pupil, period)
    override_reason = " ".join(override_reason.split())
    if override_reason and not can_override(actor, assignment.year.school_id):
        raise PermissionDenied(_("Разрешить отметку без минимума текущих отметок может только заместитель директора."))

    def change(row: PeriodMark) -> None:
        if override_reason:
            row.override_reason = override_reason
            row.overridden_by = actor
        if proposed:
            row.proposed_value = value
            return
        if value and value != row.value:
            _check_minimum(assignment, pupil, kind, period, row)
        row.value = value

    return _upsert(assignment, pupil, kind, period, actor, change)


@transaction.atomic
def period_mark_override(
    *,
    actor: User,
    reason: str,
    period_mark: PeriodMark | None = None,
    assignment: TeachingAssignment | None = None,
    pupil: PupilProfile | None = None,
    kind: str | None = None,
    period: StudyPeriod | None = None,
) -> PeriodMark:
    """The deputy head (or the admin) allows a period mark despite too few current marks, with a written reason.

    Give the existing ``period_mark`` or (``assignment``, ``pupil``, ``kind``, ``period``); the row is created
    if the mark has not been proposed yet. The teacher or class teacher then sets the mark as usual.
    """
    if period_mark is not None:
        assignment, pupil, kind, period = (
            period_mark.assignment,
            period_mark.pupil,
            period_mark.kind,
            period_mark.period,
        )
    if assignment is None or pupil is None or kind is None:
        raise ValidationError(_("Не указано, для какой отметки дать разрешение."))
    ensure_year_writable(assignment.year)
    if not can_override(actor, assignment.year.school_id):
        raise PermissionDenied(_("Разрешить отметку без минимума текущих отметок может только заместитель директора."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Укажите основание: почему отметку можно выставить при недостаточном числе отметок."))
    if len(reason) > PeriodMark._meta.get_field("override_reason").max_length:
        raise ValidationError(_("Основание слишком длинное: не больше 300 знаков."))
    _check_kind(assignment, kind, period)
    _check_pupil(assignment, pupil, period)

    def change(row: PeriodMark) -> None:
        row.override_reason = reason
        row.overridden_by = actor

    return _upsert(assignment, pupil, kind, period, actor, change)
