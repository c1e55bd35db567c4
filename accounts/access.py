"""Who a user is to a school, by role alone: the same school, the administration, the school's admin.

Rules that hinge on classes, assignments and enrolment (a teacher's journal, a parent's child, a class teacher's
class) live in ``journal.access``, built on these. The platform operator (``User.is_platform_operator``) passes
every check here; a school's own staff never leave their school.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from guardian.shortcuts import get_user_perms

from .choices import STAFF_ROLES, Role
from .models import User


def same_school(user: User, school_id: int | None) -> bool:
    """A user sees only their own school; the platform operator sees all."""
    return (school_id is not None and user.school_id == school_id) or user.is_platform_operator


def is_school_management(user: User) -> bool:
    """The administration (admin, director, deputy), who read every journal of their school."""
    return user.is_management or user.is_platform_operator


def can_edit_structure(user: User) -> bool:
    """Opening and closing the year, the structure and the people: the school's administrator."""
    return user.role == Role.ADMIN or user.is_platform_operator


def require_management(user: User) -> None:
    """School-wide lists are for the administration only."""
    if not is_school_management(user):
        raise PermissionDenied


def require_school_admin(user: User) -> None:
    if not can_edit_structure(user):
        raise PermissionDenied


def object_perms(user: User, obj) -> set[str]:
    """The user's own object permissions on ``obj`` (one query). Unlike guardian's checker this does not grant
    everything to a Django superuser: the platform operator reads a school's journal, and never writes in it.
    """
    return set(get_user_perms(user, obj))


def school_staff(user: User) -> QuerySet[User]:
    """The staff of the user's school, for its administration (the staff list; the admin edits them)."""
    if not getattr(user, "is_authenticated", False) or not is_school_management(user) or user.school_id is None:
        return User.objects.none()
    return User.objects.filter(school_id=user.school_id, role__in=STAFF_ROLES)
