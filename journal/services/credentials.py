"""Credentials: issuing one-time activation codes that people use to set their own password on first login.

The admin issues codes to staff (and may to anyone at the school); a class teacher to the
pupils and parents of their class [000 §3.1]. A code is stored only as a hash; issuing a new
one replaces the old and makes the password unusable until the person activates the code
(``accounts.services.activation.code_activate``).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import ParentChild, User
from accounts.services.activation import code_store

from ..models import Enrollment, SchoolClassUserObjectPermission


def issuable_user_ids(actor: User, users: Iterable[User]) -> set[int]:
    """Of ``users``, those the actor may issue codes to: anyone at the school for its admin, the class for its teacher."""
    users = list(users)
    if actor.is_platform_operator:
        return {user.pk for user in users}
    same_school = {user.pk for user in users if user.school_id == actor.school_id and actor.school_id}
    if actor.role == Role.ADMIN:
        return same_school
    if actor.role not in (Role.TEACHER, Role.DEPUTY, Role.DIRECTOR):
        return set()
    managed = SchoolClassUserObjectPermission.objects.filter(user=actor, permission__codename="manage_class").values(
        "content_object_id"
    )
    today = timezone.localdate()
    on_roll = Enrollment.objects.filter(school_class_id__in=managed).filter(
        Q(date_to__isnull=True) | Q(date_to__gte=today)
    )
    allowed = set(on_roll.values_list("pupil__user_id", flat=True))
    allowed |= set(
        ParentChild.objects.filter(pupil_id__in=on_roll.values("pupil_id")).values_list("parent__user_id", flat=True)
    )
    return same_school & allowed


@transaction.atomic
def codes_issue(*, actor: User, users: Iterable[User]) -> list[tuple[User, str]]:
    """A new one-time code for each person; the old code and the password stop working. Plain codes exist only here."""
    users = list({user.pk: user for user in users}.values())
    if not users:
        raise ValidationError(_("Не выбран ни один человек."))
    allowed = issuable_user_ids(actor, users)
    refused = [user for user in users if user.pk not in allowed]
    if refused:
        raise PermissionDenied(
            _(
                "Выдать код можно только сотрудникам своей школы (администратор) или учащимся своего класса и их родителям."
            )
        )
    if any(user.pk == actor.pk for user in users):
        raise ValidationError(_("Себе код выдать нельзя: смените пароль в профиле."))
    inactive = [user for user in users if not user.is_active]
    if inactive:
        raise ValidationError(
            _("Учётная запись отключена: %(names)s.") % {"names": ", ".join(user.full_name for user in inactive)}
        )
    now = timezone.now()
    return [(user, code_store(user=user, issued_by=actor, moment=now)) for user in users]
