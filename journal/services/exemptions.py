"""Exemptions of pupils from subjects (освобождения) for a study period or the whole year, with their reason.

Who: the class teacher of the pupil's class and the school's administration (admin, director, deputy) [003 §2.9:
the class teacher keeps the documents of the pupils' health]. An exempt pupil counts in none of the subject's
figures of the period (docs/reports.md: N); the history of every change is kept (simple-history on the model).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import is_school_management
from accounts.models import PupilProfile, User

from ..models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    SchoolClass,
    SchoolClassUserObjectPermission,
    StudyPeriod,
    Subject,
    SubjectExemption,
)
from .structure import ensure_year_writable


def may_manage_exemptions(user: User, school_class: SchoolClass) -> bool:
    """The class teacher of the class (its ``manage_class`` permission) or the administration of its school."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    school_id = school_class.year.school_id
    if user.school_id != school_id:  # the platform operator reads a school's journal and never writes in it
        return False
    if is_school_management(user):
        return True
    return SchoolClassUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id=school_class.pk, permission__codename="manage_class"
    ).exists()


def _ensure_manager(actor: User, school_class: SchoolClass) -> None:
    if not may_manage_exemptions(actor, school_class):
        raise PermissionDenied(
            _("Освобождения от предметов вносит классный руководитель учащегося или администрация школы.")
        )


def _ensure_period(school_class: SchoolClass, period: StudyPeriod | None) -> None:
    if period is None:
        return
    if period.year_id != school_class.year_id:
        raise ValidationError(_("Учебный период относится к другому учебному году."))
    scheme = (
        GradeSettings.objects.filter(year_id=school_class.year_id, grade=school_class.grade)
        .values_list("period_kind", flat=True)
        .first()
    )
    if scheme and period.kind != scheme:
        raise ValidationError(
            _("В %(grade)s классах учатся не по этим периодам: «%(period)s» здесь не используется.")
            % {"grade": school_class.grade, "period": period}
        )


def _ensure_pupil(school_class: SchoolClass, pupil: PupilProfile, period: StudyPeriod | None) -> None:
    year = school_class.year
    start, end = (period.start_date, period.end_date) if period else (year.start_date, year.end_date)
    enrolled = (
        Enrollment.objects.filter(pupil=pupil, school_class=school_class, date_from__lte=end)
        .exclude(date_to__lt=start)
        .exists()
    )
    if not enrolled:
        raise ValidationError(_("%(pupil)s не учится в %(cls)s в это время.") % {"pupil": pupil, "cls": school_class})


def _ensure_subject(school_class: SchoolClass, subject: Subject) -> None:
    if not CurriculumEntry.objects.filter(school_class=school_class, subject=subject).exists():
        raise ValidationError(
            _("Предмета «%(subject)s» нет в учебном плане %(cls)s класса.") % {"subject": subject, "cls": school_class}
        )


def _ensure_not_duplicate(school_class: SchoolClass, pupil: PupilProfile, subject: Subject, period) -> None:
    existing = list(
        SubjectExemption.objects.select_for_update(of=("self",))
        .filter(pupil=pupil, subject=subject, year_id=school_class.year_id)
        .filter(Q(period__isnull=True) | Q(period=period) if period else Q())
        .select_related("period")
    )
    if not existing:
        return
    whole_year = next((e for e in existing if e.period_id is None), None)
    if whole_year is not None:
        raise ValidationError(
            _("%(pupil)s уже освобождён(а) от предмета «%(subject)s» на весь учебный год.")
            % {"pupil": pupil, "subject": subject}
        )
    if period is not None:
        raise ValidationError(
            _("%(pupil)s уже освобождён(а) от предмета «%(subject)s» за %(period)s.")
            % {"pupil": pupil, "subject": subject, "period": period}
        )
    raise ValidationError(
        _(
            "У учащегося уже есть освобождение от предмета «%(subject)s» за %(periods)s: удалите его, чтобы "
            "освободить на весь год."
        )
        % {"subject": subject, "periods": ", ".join(str(e.period) for e in existing)}
    )


@transaction.atomic
def exemption_create(
    *,
    actor: User,
    school_class: SchoolClass,
    pupil: PupilProfile,
    subject: Subject,
    period: StudyPeriod | None = None,
    reason: str,
) -> SubjectExemption:
    """Exempt a pupil of the class from a subject of its curriculum for a period of its grade (None: the year)."""
    _ensure_manager(actor, school_class)
    ensure_year_writable(school_class.year)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Укажите основание освобождения (справка, заключение, приказ)."))
    _ensure_period(school_class, period)
    _ensure_subject(school_class, subject)
    _ensure_pupil(school_class, pupil, period)
    _ensure_not_duplicate(school_class, pupil, subject, period)
    exemption = SubjectExemption(
        pupil=pupil, subject=subject, year_id=school_class.year_id, period=period, reason=reason, created_by=actor
    )
    exemption._history_user = actor
    exemption.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            exemption.save()
    except IntegrityError as error:  # the same exemption entered at the same moment by someone else
        raise ValidationError(
            _("%(pupil)s уже освобождён(а) от предмета «%(subject)s» на это время.")
            % {"pupil": pupil, "subject": subject}
        ) from error
    return exemption


@transaction.atomic
def exemption_remove(*, actor: User, school_class: SchoolClass, exemption: SubjectExemption) -> None:
    """Remove an exemption of a pupil of the class (the history keeps it)."""
    _ensure_manager(actor, school_class)
    ensure_year_writable(school_class.year)
    belongs = (
        exemption.year_id == school_class.year_id
        and Enrollment.objects.filter(pupil_id=exemption.pupil_id, school_class=school_class).exists()
    )
    if not belongs:
        raise ValidationError(_("Это освобождение относится к учащемуся другого класса."))
    exemption._history_user = actor
    exemption.delete()
