"""First login: the one-time activation code a person types, with their login, to set their own password.

A code is stored only as a hash (``ActivationCode``); who may issue codes, and to whom, is a rule about classes
and lives in ``journal.services.credentials``, which writes each code with ``code_store`` below.
"""

import datetime as dt
import re
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ActivationCode, User

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


def code_store(*, user: User, issued_by: User, moment: dt.datetime) -> str:
    """Give ``user`` a new code, replacing any old one, and make their password unusable until they activate it.

    Returns the plain code, which exists only on the printed slip; the database keeps its hash. Who may issue a
    code to whom is decided by the caller (``journal.services.credentials.codes_issue``, which owns the rule).
    """
    code = code_generate()
    ActivationCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": make_password(code_normalize(code), hasher=CODE_HASHER),
            "issued_at": moment,
            "issued_by": issued_by,
            "used_at": None,
        },
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return code


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
