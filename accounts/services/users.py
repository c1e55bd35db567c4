"""Writes on users, pupils and parents. Each service checks who may do it and grants object permissions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import Role
from ..models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User
from ..permissions import grant, revoke


def ensure_school_admin(actor: User, school: School | None) -> None:
    """Only the school's administrator (or the platform operator) manages its people and structure."""
    if actor.is_platform_operator:
        return
    if school is None or actor.role != Role.ADMIN or actor.school_id != school.pk:
        raise PermissionDenied(_("Это действие доступно только администратору школы."))


@transaction.atomic
def user_create(
    *,
    actor: User,
    school: School,
    role: str,
    username: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
) -> User:
    ensure_school_admin(actor, school)
    user = User(
        school=school,
        role=role,
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        # Never a Django superuser nor Django-admin staff: a school's admin works in the application's own pages,
        # scoped to their school. The Django admin is the platform operator's (createsuperuser, no school).
        is_staff=False,
        is_superuser=False,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


STAFF_ROLE_CHOICES = (Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    role: str | None = None,
) -> User:
    """A person's name and contacts; for staff, also the position (a teacher becomes deputy head). A pupil or parent
    keeps their role: it comes with their profile and their links."""
    ensure_school_admin(actor, user.school)
    if role is not None and role != user.role:
        if user.role not in STAFF_ROLE_CHOICES or role not in STAFF_ROLE_CHOICES:
            raise ValidationError(
                _("Должность меняется только у сотрудников; учащийся и родитель свою роль сохраняют.")
            )
        if user.pk == actor.pk:
            raise ValidationError(_("Свою должность изменить нельзя: попросите другого администратора школы."))
        user.role = role
    user.last_name, user.first_name, user.middle_name = last_name.strip(), first_name.strip(), middle_name.strip()
    user.email, user.phone = email.strip(), phone.strip()
    user.full_clean()
    user.save(update_fields=["last_name", "first_name", "middle_name", "email", "phone", "role"])
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Switch an account off (a teacher who left, a lost login) or back on. An inactive account cannot log in and its
    open sessions end with the next request (accounts.backends.UserBackend); nothing of its records is removed."""
    ensure_school_admin(actor, user.school)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("Свою учётную запись отключить нельзя."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def pupil_create(
    *,
    actor: User,
    school: School,
    username: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
    password: str | None = None,
) -> PupilProfile:
    user = user_create(
        actor=actor,
        school=school,
        role=Role.PUPIL,
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        password=password,
    )
    return pupil_profile_create(actor=actor, user=user, date_of_birth=date_of_birth, sex=sex)


@transaction.atomic
def pupil_profile_create(
    *, actor: User, user: User, date_of_birth: dt.date | None = None, sex: str = ""
) -> PupilProfile:
    """Make a user a pupil: the profile, and the pupil's right to see their own diary."""
    ensure_school_admin(actor, user.school)
    if user.role != Role.PUPIL:
        raise ValidationError(_("Профиль учащегося можно создать только для пользователя с ролью «Учащийся»."))
    pupil = PupilProfile(user=user, date_of_birth=date_of_birth, sex=sex)
    pupil.full_clean()
    pupil.save()
    grant(PupilUserObjectPermission, "pupil_self", user.pk, pupil.pk)
    return pupil


@transaction.atomic
def parent_create(
    *,
    actor: User,
    school: School,
    username: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
) -> ParentProfile:
    user = user_create(
        actor=actor,
        school=school,
        role=Role.PARENT,
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        password=password,
    )
    return ParentProfile.objects.create(user=user)


@transaction.atomic
def parent_link(*, actor: User, parent: ParentProfile, pupil: PupilProfile, kind: str) -> ParentChild:
    """Link a parent to a child and let the parent see the child's diary."""
    school = pupil.user.school
    ensure_school_admin(actor, school)
    if parent.user.school_id != pupil.user.school_id:
        raise ValidationError(_("Родитель и учащийся относятся к разным школам."))
    if ParentChild.objects.filter(parent=parent, pupil=pupil).exists():
        raise ValidationError(_("Этот родитель уже связан с этим учащимся."))
    link = ParentChild(parent=parent, pupil=pupil, kind=kind)
    link.full_clean()
    link.save()
    grant(PupilUserObjectPermission, "pupil_parent", parent.user_id, pupil.pk)
    return link


@transaction.atomic
def parent_unlink(*, actor: User, link: ParentChild) -> None:
    """Remove a parent–child link (a court decision, an error) and the parent's access to the child."""
    ensure_school_admin(actor, link.pupil.user.school)
    revoke(PupilUserObjectPermission, "pupil_parent", link.parent.user_id, link.pupil_id)
    link.delete()
