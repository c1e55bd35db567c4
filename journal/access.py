"""One access helper per kind of journal object: 404 for those who may not see it, can_edit for who may write.

Management (admin, director, deputy) see everything of their school, read-only;
teachers reach their assignments and class teachers their class through
django-guardian object permissions granted by the services.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.core import ObjectPermissionChecker

from accounts.choices import Role
from accounts.models import User

from .models import SchoolClass, SchoolYear, TeachingAssignment


def same_school(user: User, school_id: int) -> bool:
    """A user sees only their own school; the platform superuser (no school) sees all."""
    return user.school_id == school_id or (user.is_superuser and user.school_id is None)


def is_school_management(user: User) -> bool:
    return user.is_management or (user.is_superuser and user.school_id is None)


def assignment_for_user(user: User, pk: int) -> tuple[TeachingAssignment, bool]:
    """The assignment and whether the user may keep its journal: the teacher, or the class teacher [003 §4.4]."""
    assignment = get_object_or_404(
        TeachingAssignment.objects.select_related(
            "year__school", "school_class__class_teacher", "subject", "subgroup", "teacher"
        ),
        pk=pk,
    )
    if not same_school(user, assignment.year.school_id):
        raise Http404
    checker = ObjectPermissionChecker(user)
    if checker.has_perm("edit_assignment_journal", assignment):
        return assignment, True
    if checker.has_perm("view_class_journal", assignment.school_class):
        return assignment, checker.has_perm("manage_class", assignment.school_class)
    if is_school_management(user):
        return assignment, False
    raise Http404


def class_for_user(user: User, pk: int) -> tuple[SchoolClass, bool]:
    """The class and whether the user manages it (its class teacher)."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("year__school", "class_teacher"), pk=pk)
    if not same_school(user, school_class.year.school_id):
        raise Http404
    checker = ObjectPermissionChecker(user)
    if checker.has_perm("manage_class", school_class):
        return school_class, True
    if checker.has_perm("view_class_journal", school_class) or is_school_management(user):
        return school_class, False
    raise Http404


def require_management(user: User) -> None:
    """School-wide lists are for the administration only."""
    if not is_school_management(user):
        raise PermissionDenied


def require_timetable_editor(user: User) -> None:
    """The timetable is built by the deputy head [002 §4.6.2] and the admin."""
    if not (user.role in (Role.DEPUTY, Role.ADMIN) or (user.is_superuser and user.school_id is None)):
        raise PermissionDenied


def require_school_admin(user: User) -> None:
    """Opening and closing the year, structure and people: the school's administrator."""
    if not (user.role == Role.ADMIN or (user.is_superuser and user.school_id is None)):
        raise PermissionDenied


def can_edit_structure(user: User) -> bool:
    return user.role == Role.ADMIN or (user.is_superuser and user.school_id is None)


def year_for_user(user: User, pk: int) -> tuple[SchoolYear, bool]:
    """A school year for its school's management; the admin edits it (unless it is closed)."""
    year = get_object_or_404(SchoolYear.objects.select_related("school"), pk=pk)
    if not same_school(user, year.school_id) or not is_school_management(user):
        raise Http404
    return year, can_edit_structure(user) and not year.is_closed
