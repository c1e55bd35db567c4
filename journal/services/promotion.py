"""Closing the year: promotion of pupils (перевод), graduates (выпуск), those held back; then the year is read-only.

Who: the deputy head closes the year and promotes pupils [001 §3.4.8]; the school's administrator may too.

The flow: ``promotion_preview`` proposes a decision for every pupil on the roll at the end of the year (the next
grade, same letter, in the next year; graduates of grades 9 and 11); ``promotion_set`` adjusts one pupil;
``promotion_apply`` carries it out in one transaction and closes the year. Applying twice changes nothing: the
work is claimed with a conditional update on the year. The preview may be prepared at any time; applying it (and
closing the year) opens on the day the year's last study period ends (``year_closing_opens``), so that nobody closes
a running year by mistake. Everything is written in bulk, in a number of queries
that does not grow with the number of pupils (bar the batches the database needs for very long inserts).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import School, User

from ..choices import YearStatus
from ..lock import school_today
from ..models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear, StudyPeriod, Subgroup
from ..selectors.closing import GRADUATION_GRADES, next_year, on_roll_at_year_end
from .structure import ensure_year_writable

CLOSER_ROLES = (Role.ADMIN, Role.DEPUTY)
TARGETED = (PromotionDecision.PROMOTE, PromotionDecision.HOLD_BACK)


def can_close_year(user: User, school: School | None) -> bool:
    """The deputy head and the administrator of the school (or the platform operator) promote and close."""
    if user.is_platform_operator:
        return True
    return school is not None and user.role in CLOSER_ROLES and user.school_id == school.pk


def ensure_year_closer(actor: User, school: School) -> None:
    if not can_close_year(actor, school):
        raise PermissionDenied(_("Перевод учащихся и закрытие года доступны заместителю директора и администратору."))


def year_closing_opens(year: SchoolYear) -> dt.date:
    """The first day the year may be closed and its pupils promoted: the day its last study period ends (the year's
    own last day when it has no periods). Promotion follows the year's final marks [001 §3.4.8]."""
    last = StudyPeriod.objects.filter(year=year).aggregate(last=Max("end_date"))["last"]
    return last or year.end_date


def ensure_year_closing_open(year: SchoolYear, today: dt.date | None = None) -> None:
    """Refuse closing the year before ``year_closing_opens`` (in the school's time zone)."""
    opens = year_closing_opens(year)
    if (today or school_today(year.school)) < opens:
        raise ValidationError(
            _(
                "Учебный год %(year)s ещё идёт: провести перевод и закрыть год можно с %(date)s, "
                "когда заканчивается последний учебный период. Проект перевода можно готовить заранее."
            )
            % {"year": year.name, "date": f"{opens:%d.%m.%Y}"}
        )


def _ensure_not_applied(year: SchoolYear) -> None:
    if year.promoted_at is not None:
        raise ValidationError(
            _("Перевод учащихся за %(year)s уже проведён %(when)s: изменения невозможны.")
            % {"year": year.name, "when": f"{timezone.localtime(year.promoted_at):%d.%m.%Y}"}
        )
    ensure_year_writable(year)


def default_decision(
    school_class: SchoolClass, next_classes: dict[tuple[int, str], SchoolClass]
) -> tuple[str, SchoolClass | None]:
    """Grades 9 and 11 graduate; everyone else goes to the next grade, same letter, if that class exists."""
    if school_class.grade in GRADUATION_GRADES:
        return PromotionDecision.GRADUATE, None
    return PromotionDecision.PROMOTE, next_classes.get((school_class.grade + 1, school_class.letter))


@dataclass
class PreviewResult:
    next_year: SchoolYear | None
    created: int = 0
    updated: int = 0
    removed: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # decision -> pupils
    by_target: dict[str, int] = field(default_factory=dict)  # target class name -> pupils
    without_target: int = 0


@transaction.atomic
def promotion_preview(*, actor: User, year: SchoolYear, reset: bool = False) -> PreviewResult:
    """Build or refresh the preview: one row per pupil on the roll at the end of the year.

    New pupils get the default decision, rows of pupils who left are removed, a pupil moved to another class gets
    that class's default; adjustments already made are kept unless ``reset`` (the «пересчитать» button). Rows
    still waiting for a target (the next year or its class did not exist) get the default target when it exists.
    """
    ensure_year_closer(actor, year.school)
    _ensure_not_applied(year)
    following = next_year(year)
    next_classes = (
        {(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=following)} if following is not None else {}
    )
    on_roll = {e.pupil_id: e for e in on_roll_at_year_end(year).select_related("school_class").order_by("date_from")}
    existing = {p.pupil_id: p for p in Promotion.objects.filter(year=year)}
    result = PreviewResult(next_year=following)

    stale = [p.pk for pupil_id, p in existing.items() if pupil_id not in on_roll]
    if stale:
        result.removed = Promotion.objects.filter(pk__in=stale).delete()[0]
    created, changed = [], []
    for pupil_id, enrollment in on_roll.items():
        school_class = enrollment.school_class
        decision, target = default_decision(school_class, next_classes)
        promotion = existing.get(pupil_id)
        if promotion is None:
            created.append(
                Promotion(year=year, pupil_id=pupil_id, from_class=school_class, decision=decision, target_class=target)
            )
            continue
        if reset or promotion.from_class_id != school_class.pk:
            new = (school_class.pk, decision, target.pk if target else None)
        elif promotion.decision in TARGETED and promotion.target_class_id is None:
            if promotion.decision == PromotionDecision.PROMOTE:
                target = next_classes.get((school_class.grade + 1, school_class.letter))
            else:
                target = next_classes.get((school_class.grade, school_class.letter))
            new = (school_class.pk, promotion.decision, target.pk if target else None)
        else:
            continue
        if new != (promotion.from_class_id, promotion.decision, promotion.target_class_id):
            promotion.from_class_id, promotion.decision, promotion.target_class_id = new
            changed.append(promotion)
    Promotion.objects.bulk_create(created)
    if changed:
        Promotion.objects.bulk_update(changed, ["from_class", "decision", "target_class"])
    result.created, result.updated = len(created), len(changed)

    rows = Promotion.objects.filter(year=year).select_related("target_class")
    for promotion in rows:
        result.counts[promotion.decision] = result.counts.get(promotion.decision, 0) + 1
        if promotion.decision in TARGETED:
            if promotion.target_class is None:
                result.without_target += 1
            else:
                name = str(promotion.target_class)
                result.by_target[name] = result.by_target.get(name, 0) + 1
    return result


@transaction.atomic
def promotion_set(
    *, actor: User, promotion: Promotion, decision: str, target_class: SchoolClass | None = None
) -> Promotion:
    """Adjust one pupil's decision: promoted to the next grade, held back in the same grade, graduate, leaving."""
    year = promotion.year
    ensure_year_closer(actor, year.school)
    _ensure_not_applied(year)
    grade = promotion.from_class.grade
    if decision not in PromotionDecision.values:
        raise ValidationError(_("Неизвестное решение о переводе."))
    if decision in TARGETED:
        following = next_year(year)
        if following is None:
            raise ValidationError(
                _("Следующий учебный год ещё не создан: создайте его (копированием структуры), чтобы выбрать класс.")
            )
        if target_class is None:
            raise ValidationError(_("Выберите класс в %(year)s учебном году.") % {"year": following.name})
        if target_class.year_id != following.pk:
            raise ValidationError(
                _("Класс %(cls)s не относится к следующему учебному году %(year)s.")
                % {"cls": target_class, "year": following.name}
            )
        if decision == PromotionDecision.PROMOTE:
            if grade >= 11:
                raise ValidationError(_("Из 11 класса не переводят: это выпускник."))
            if target_class.grade != grade + 1:
                raise ValidationError(
                    _("Учащегося %(grade)s класса переводят в %(next)s класс, а не в %(cls)s.")
                    % {"grade": grade, "next": grade + 1, "cls": target_class}
                )
        elif target_class.grade != grade:
            raise ValidationError(
                _("Оставленный на повторное обучение учится снова в %(grade)s классе, а не в %(cls)s.")
                % {"grade": grade, "cls": target_class}
            )
    else:
        if decision == PromotionDecision.GRADUATE and grade not in GRADUATION_GRADES:
            raise ValidationError(_("Выпускниками бывают только учащиеся 9 и 11 классов."))
        target_class = None
    promotion.decision = decision
    promotion.target_class = target_class
    promotion.full_clean()
    promotion.save(update_fields=["decision", "target_class"])
    return promotion


@transaction.atomic
def promotion_set_many(
    *, actor: User, year: SchoolYear, changes: Iterable[tuple[Promotion, str, SchoolClass | None]]
) -> int:
    """Adjust several pupils at once (a class's table): all of them, or, if any is wrong, none."""
    errors: list[str] = []
    done = 0
    for promotion, decision, target in changes:
        if promotion.year_id != year.pk:
            raise ValidationError(_("Строка перевода относится к другому учебному году."))
        try:
            promotion_set(actor=actor, promotion=promotion, decision=decision, target_class=target)
        except ValidationError as error:
            errors += [f"{promotion.pupil}: {message}" for message in error.messages]
        else:
            done += 1
    if errors:
        raise ValidationError(errors)
    return done


@dataclass
class ApplyResult:
    applied: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    enrolled: int = 0
    already_enrolled: int = 0


REASON_OUT = {
    PromotionDecision.PROMOTE: gettext_lazy("переведён в следующий класс"),
    PromotionDecision.HOLD_BACK: gettext_lazy("оставлен на повторное обучение"),
    PromotionDecision.GRADUATE: gettext_lazy("окончил обучение (выпуск)"),
    PromotionDecision.LEAVE: gettext_lazy("выбыл по окончании учебного года"),
}


def _already_applied(year: SchoolYear) -> ApplyResult:
    return ApplyResult(
        applied=False,
        message=_("Перевод учащихся за %(year)s уже проведён %(when)s; ничего не изменено.")
        % {"year": year.name, "when": f"{timezone.localtime(year.promoted_at):%d.%m.%Y %H:%M}"},
    )


@transaction.atomic
def promotion_apply(*, actor: User, year: SchoolYear) -> ApplyResult:
    """Carry out the preview and close the year, in one transaction; a second run changes nothing and says so.

    Enrolments on the roll end on the last day of the year; the promoted and the held back are enrolled in their
    classes of the next year from its first day (pupils already enrolled there are left as they are); graduates
    and leavers get no new enrolment. Promoted pupils keep their subgroups (by name) when their new class has
    them. The year becomes closed: every service refuses writes in it. Refused before the day the year's last
    study period ends (``year_closing_opens``).
    """
    ensure_year_closer(actor, year.school)
    if year.promoted_at is not None:
        return _already_applied(year)
    if not year.is_closed:  # a year closed otherwise is refused below with the usual message
        ensure_year_closing_open(year)
    now = timezone.now()
    # The claim: of two runs at once, the second waits for the first's row lock, then updates nothing.
    claimed = (
        SchoolYear.objects.filter(pk=year.pk, promoted_at__isnull=True)
        .exclude(status=YearStatus.CLOSED)
        .update(promoted_at=now, status=YearStatus.CLOSED)
    )
    if not claimed:
        year.refresh_from_db()
        if year.promoted_at is not None:
            return _already_applied(year)
        ensure_year_writable(year)  # closed without a promotion: refuse with the usual message
    following = next_year(year)
    if following is None:
        raise ValidationError(
            _("Следующий учебный год не создан: создайте его копированием структуры, затем проведите перевод.")
        )
    if following.is_closed:
        raise ValidationError(_("Следующий учебный год %(year)s закрыт.") % {"year": following.name})
    promotions = list(Promotion.objects.filter(year=year).select_related("from_class", "target_class"))
    if not promotions:
        raise ValidationError(_("Проект перевода не сформирован: сформируйте его и проверьте решения."))
    on_roll = {e.pupil_id: e for e in on_roll_at_year_end(year)}
    if set(on_roll) != {p.pupil_id for p in promotions} or any(
        on_roll[p.pupil_id].school_class_id != p.from_class_id for p in promotions
    ):
        raise ValidationError(
            _(
                "Состав классов изменился после того, как был сформирован проект перевода: обновите проект и проверьте его."
            )
        )
    without_target = [
        p
        for p in promotions
        if p.decision in TARGETED and (p.target_class is None or p.target_class.year_id != following.pk)
    ]
    if without_target:
        raise ValidationError(
            _("Не выбран класс в %(year)s учебном году для %(count)s учащихся.")
            % {"year": following.name, "count": len(without_target)}
        )

    history = {"default_user": actor, "default_change_reason": _("Перевод учащихся %(year)s") % {"year": year.name}}
    by_decision: dict[str, list[Enrollment]] = {decision: [] for decision in PromotionDecision.values}
    decision_of = {p.pupil_id: p.decision for p in promotions}
    for pupil_id, enrollment in on_roll.items():
        enrollment.date_to = year.end_date
        enrollment.reason_out = str(REASON_OUT[decision_of[pupil_id]])
        by_decision[decision_of[pupil_id]].append(enrollment)
    for decision, enrollments in by_decision.items():
        if enrollments:
            Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
                date_to=year.end_date, reason_out=str(REASON_OUT[decision])
            )
    Enrollment.history.bulk_history_create(list(on_roll.values()), update=True, **history)

    already = set(
        Enrollment.objects.filter(school_class__year=following, pupil__promotions__year=year).values_list(
            "pupil_id", flat=True
        )
    )
    new_enrollments = []
    for p in promotions:
        if p.decision not in TARGETED or p.pupil_id in already:
            continue
        if p.decision == PromotionDecision.PROMOTE:
            reason = _("переведён из %(cls)s") % {"cls": p.from_class}
        else:
            reason = _("оставлен на повторное обучение (%(cls)s)") % {"cls": p.from_class}
        new_enrollments.append(
            Enrollment(
                pupil_id=p.pupil_id, school_class=p.target_class, date_from=following.start_date, reason_in=reason
            )
        )
    bulk_create_with_history(new_enrollments, Enrollment, **history)
    _carry_subgroups(year, following, [p for p in promotions if p.decision == PromotionDecision.PROMOTE])

    Promotion.objects.filter(year=year).update(applied_at=now)
    year.promoted_at, year.status = now, YearStatus.CLOSED
    counts: dict[str, int] = {}
    for p in promotions:
        counts[p.decision] = counts.get(p.decision, 0) + 1
    return ApplyResult(
        applied=True,
        message=_(
            "Перевод проведён: зачислено в классы %(next)s — %(enrolled)s, выпускников — %(graduates)s, "
            "выбывают — %(leave)s. Учебный год %(year)s закрыт."
        )
        % {
            "next": following.name,
            "enrolled": len(new_enrollments),
            "graduates": counts.get(PromotionDecision.GRADUATE, 0),
            "leave": counts.get(PromotionDecision.LEAVE, 0),
            "year": year.name,
        },
        counts=counts,
        enrolled=len(new_enrollments),
        already_enrolled=len(already),
    )


def _carry_subgroups(year: SchoolYear, following: SchoolYear, promoted: list[Promotion]) -> None:
    """A pupil promoted with their class (same letter) joins the subgroup of the same name there (3 queries)."""
    moves = {
        p.pupil_id: (p.from_class_id, p.target_class_id)
        for p in promoted
        if p.target_class.letter == p.from_class.letter and p.target_class.grade == p.from_class.grade + 1
    }
    if not moves:
        return
    membership = Subgroup.pupils.through
    old = membership.objects.filter(subgroup__school_class__year=year, pupilprofile__promotions__year=year).values_list(
        "pupilprofile_id", "subgroup__school_class_id", "subgroup__name"
    )
    new = {(sg.school_class_id, sg.name): sg.pk for sg in Subgroup.objects.filter(school_class__year=following)}
    rows = []
    for pupil_id, class_id, name in old:
        from_class_id, target_class_id = moves.get(pupil_id, (None, None))
        if class_id != from_class_id:
            continue
        subgroup_id = new.get((target_class_id, name))
        if subgroup_id is not None:
            rows.append(membership(subgroup_id=subgroup_id, pupilprofile_id=pupil_id))
    membership.objects.bulk_create(rows, ignore_conflicts=True)
