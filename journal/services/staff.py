"""People administration by hand, in the application (the school's admin; not the Django admin, which is the platform
operator's): a staff member added, edited, switched off or on; a parent added to a pupil's card, linked or unlinked.

The lists import (``journal.services.imports``) does the same for a whole file; both make logins the same way.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.choices import STAFF_ROLES, Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, School, User

from .imports.values import USERNAME_RE, clean_name, login_base, normalize_phone


def free_login(last_name: str, first_name: str, middle_name: str = "") -> str:
    """«Иванов Алексей Петрович» → ivanov.ap, or ivanov.ap2, 3… when taken (logins are unique whatever the case)."""
    base = login_base(last_name, first_name, middle_name)
    taken = set(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__startswith=base.lower())
        .values_list("lower_name", flat=True)
    )
    if base.lower() not in taken:
        return base
    number = 2
    while f"{base}{number}".lower() in taken:
        number += 1
    return f"{base}{number}"


def _login(username: str, names: tuple[str, str, str]) -> str:
    username = username.strip()
    if not username:
        return free_login(*names)
    if not USERNAME_RE.match(username) or len(username) > 150:
        raise ValidationError(_("Логин может содержать только латинские буквы, цифры и символы . @ + - _"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Логин «%(login)s» уже занят.") % {"login": username})
    return username


def _names(last_name: str, first_name: str, middle_name: str) -> tuple[str, str, str]:
    names = clean_name(last_name), clean_name(first_name), clean_name(middle_name)
    if not names[0] or not names[1]:
        raise ValidationError(_("Укажите фамилию и имя."))
    return names


def _phone(phone: str) -> str:
    if not phone.strip():
        return ""
    normalized = normalize_phone(phone)
    if normalized is None:
        raise ValidationError(
            _("Телефон «%(phone)s» не похож на номер: например, +7 912 345-67-89.") % {"phone": phone}
        )
    return normalized


@transaction.atomic
def staff_add(
    *,
    actor: User,
    school: School,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    role: str = Role.TEACHER,
    email: str = "",
    phone: str = "",
    username: str = "",
) -> User:
    """A staff member with a login made from the name (or the one given) and no password: they get a one-time code
    (journal.services.credentials) to set their own."""
    if role not in STAFF_ROLES:
        raise ValidationError(_("Выберите должность сотрудника."))
    names = _names(last_name, first_name, middle_name)
    return account_services.user_create(
        actor=actor,
        school=school,
        role=role,
        username=_login(username, names),
        last_name=names[0],
        first_name=names[1],
        middle_name=names[2],
        email=email.strip(),
        phone=_phone(phone),
    )


@transaction.atomic
def staff_update(
    *,
    actor: User,
    user: User,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    role: str,
    email: str = "",
    phone: str = "",
    active: bool = True,
) -> User:
    names = _names(last_name, first_name, middle_name)
    account_services.user_update(
        actor=actor,
        user=user,
        last_name=names[0],
        first_name=names[1],
        middle_name=names[2],
        email=email,
        phone=_phone(phone),
        role=role,
    )
    if active != user.is_active:
        account_services.user_set_active(actor=actor, user=user, active=active)
    return user


@transaction.atomic
def parent_add(
    *,
    actor: User,
    pupil: PupilProfile,
    kind: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
) -> ParentChild:
    """A new parent for the pupil (a login from the name, no password until they activate a code), and the link that
    opens the child's diary to them."""
    names = _names(last_name, first_name, middle_name)
    parent = account_services.parent_create(
        actor=actor,
        school=pupil.user.school,
        username=free_login(*names),
        last_name=names[0],
        first_name=names[1],
        middle_name=names[2],
        email=email.strip(),
        phone=_phone(phone),
    )
    return account_services.parent_link(actor=actor, parent=parent, pupil=pupil, kind=kind)


@transaction.atomic
def parent_link_existing(*, actor: User, pupil: PupilProfile, parent: ParentProfile, kind: str) -> ParentChild:
    """A parent already at the school (a sibling's) becomes this pupil's parent too."""
    return account_services.parent_link(actor=actor, parent=parent, pupil=pupil, kind=kind)


@transaction.atomic
def parent_unlink(*, actor: User, link: ParentChild) -> None:
    """The link ends and, with it, the parent's access to the child's diary; the parent's account stays."""
    account_services.parent_unlink(actor=actor, link=link)
