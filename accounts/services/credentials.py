"""Credentials: one-time activation codes that people use to set their own password on first login.

The admin issues codes to staff (and may to anyone at the school); a class teacher to the
pupils and parents of their class [000 §3.1]. A code is stored only as a hash; issuing a new
one replaces the old and makes the password unusable until the person activates the code.
"""

import re
import secrets
from collections.abc import Iterable

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Enrollment, SchoolClassUserObjectPermission

from ..choices import Role
from ..models import ActivationCode, ParentChild, User

# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Russian keyboard look-alikes of the code's Latin letters, so «КМ» typed in Cyrillic still works.
CYRILLIC_LOOKALIKES = str.maketrans("АВСЕНКМРТХУ", "ABCEHKMPTXY")


class ActivationCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds than passwords: a class's sheet of ~80 codes is hashed in one request.

    A code is one-time, throttled by django-axes and replaced on re-issue, so 20,000 rounds are
    plenty; the full million rounds of passwords would make a class's sheet take half a minute.
    """

    iterations = 20_000


CODE_HASHER = ActivationCodeHasher()


def code_generate() -> str:
    """A random code grouped for reading, e.g. «K7MQ-2XRT»."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def code_normalize(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper().translate(CYRILLIC_LOOKALIKES))


def issuable_user_ids(actor: User, users: Iterable[User]) -> set[int]:
    """Of ``users``, those the actor may issue codes to: anyone at the school for its admin, the class for its teacher."""
    users = list(users)
    if actor.is_superuser and actor.school_id is None:
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
    issued = []
    for user in users:
        code = code_generate()
        ActivationCode.objects.update_or_create(
            user=user,
            defaults={
                "code_hash": make_password(code_normalize(code), hasher=CODE_HASHER),
                "issued_at": now,
                "issued_by": actor,
                "used_at": None,
            },
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        issued.append((user, code))
    return issued


@transaction.atomic
def code_activate(*, username: str, code: str, new_password: str) -> User:
    """Check the code, set the person's own password and spend the code. A wrong code changes nothing."""
    wrong = ValidationError(
        _("Неверный логин или код. Проверьте код на листке, выданном в школе (буквы латинские, без 0 и O)."),
        code="invalid_code",
    )
    normalized = code_normalize(code)
    users = list(User.objects.filter(username__iexact=username.strip(), is_active=True)[:2])
    user = next((u for u in users if u.username == username.strip()), users[0] if len(users) == 1 else None)
    activation = (
        ActivationCode.objects.select_for_update().filter(user=user, used_at__isnull=True).first() if user else None
    )
    if activation is None:
        make_password(normalized, hasher=CODE_HASHER)  # the same time as a real check: no hint that the login exists
        raise wrong
    if not CODE_HASHER.verify(normalized, activation.code_hash):
        raise wrong
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    activation.used_at = timezone.now()
    activation.save(update_fields=["used_at"])
    return user
