"""Writes of a school's report settings (how «% качества», the СОУ and the divergence threshold are counted) and of its
audit settings (the deadlines and thresholds the deputy's control of the journal holds it to)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import School, User

from ..models import AuditSettings, ReportSettings


def may_change_report_settings(user: User, school: School) -> bool:
    """The deputy head (the journal's controller) and the school's admin."""
    return user.is_platform_operator or (user.school_id == school.pk and user.role in (Role.DEPUTY, Role.ADMIN))


@transaction.atomic
def report_settings_update(
    *, actor: User, school: School, quality_basis: str, sou_one_weight: int, divergence_threshold: Decimal
) -> ReportSettings:
    if not may_change_report_settings(actor, school):
        raise PermissionDenied(_("Настройки отчётов меняют заместитель директора и администратор школы."))
    settings, _created = ReportSettings.objects.select_for_update().get_or_create(school=school)
    settings.quality_basis = quality_basis
    settings.sou_one_weight = sou_one_weight
    settings.divergence_threshold = divergence_threshold
    settings.updated_by = actor
    settings.full_clean()
    settings.save()
    return settings


# The fields of AuditSettings a school sets (reports.selectors.audit reads them as ``ctx.rules``).
AUDIT_SETTINGS_FIELDS = (
    "record_grace_days",
    "homework_minutes",
    "mark_next_lessons",
    "essay_days",
    "period_mark_days_before_end",
    "few_marks_grace_days",
    "near_end_days",
    "max_gap_days",
    "plan_behind_lessons",
)


def may_change_audit_settings(user: User, school: School) -> bool:
    """As the report settings: the deputy head (the journal's controller) and the school's admin; the director
    reads them."""
    return may_change_report_settings(user, school)


@transaction.atomic
def audit_settings_update(*, actor: User, school: School, **values: int) -> AuditSettings:
    """Set the school's audit settings (only the fields named in ``AUDIT_SETTINGS_FIELDS``; those not passed stay).

    The school's row is created on its first change; each save records who made it (``updated_by``). Values out of
    the model's bounds are refused with a Russian message (``full_clean``) and nothing is written.
    """
    if not may_change_audit_settings(actor, school):
        raise PermissionDenied(_("Настройки проверки журнала меняют заместитель директора и администратор школы."))
    unknown = set(values) - set(AUDIT_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not audit settings: {sorted(unknown)}")
    settings, _created = AuditSettings.objects.select_for_update().get_or_create(school=school)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by = actor
    settings.full_clean()
    settings.save()
    return settings
