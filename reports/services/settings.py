"""Writes of a school's report settings: how «% качества», the СОУ and the divergence threshold are counted."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import School, User

from ..models import ReportSettings


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
