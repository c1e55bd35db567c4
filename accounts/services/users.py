"""Writes on users, pupils and parents. Each service checks who may do it and grants object permissions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import Role
from ..models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User
from ..permissions import grant, revoke


def ensure_school_admin(actor: User, school: School) -> None:
    """Only the school's administrator (or the platform superuser) manages its people and structure."""
    if actor.is_platform_operator:
        return
    if actor.role != Role.ADMIN or actor.school_id != school.pk:
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
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
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
