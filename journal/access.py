"""One access helper per kind of journal object: 404 for those who may not see it, can_edit for who may write.

Management (admin, director, deputy) see everything of their school, read-only;
teachers reach their assignments and class teachers their class through
django-guardian object permissions granted by the services.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.shortcuts import get_user_perms

from accounts.choices import Role
from accounts.models import User

from .models import SchoolClass, SchoolYear, TeachingAssignment


def same_school(user: User, school_id: int) -> bool:
    """A user sees only their own school; the platform superuser (no school) sees all."""
    return user.school_id == school_id or (user.is_superuser and user.school_id is None)


def is_school_management(user: User) -> bool:
    return user.is_management or (user.is_superuser and user.school_id is None)


def object_perms(user: User, obj) -> set[str]:
    """The user's own object permissions on ``obj`` (one query). Unlike guardian's checker this does not grant
    everything to a Django superuser: a school's admin is one (for the Django admin), but reads the journal only.
    """
    return set(get_user_perms(user, obj))


def assignment_for_user(user: User, pk: int) -> tuple[TeachingAssignment, bool]:
    """The assignment and whether the user may keep its journal: the teacher, or the class teacher [003 §4.4]."""
    assignment = get_object_or_404(
        TeachingAssignment.objects.select_related("year", "school_class", "subject", "subgroup", "teacher"), pk=pk
    )
    if not same_school(user, assignment.year.school_id):
        raise Http404
    if user.school_id == assignment.year.school_id:
        assignment.year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    if "edit_assignment_journal" in object_perms(user, assignment):
        return assignment, True
    class_perms = object_perms(user, assignment.school_class)
    if "view_class_journal" in class_perms:
        return assignment, "manage_class" in class_perms
    if is_school_management(user):
        return assignment, False
    raise Http404


def class_for_user(user: User, pk: int) -> tuple[SchoolClass, bool]:
    """The class and whether the user manages it (its class teacher)."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("year__school", "class_teacher"), pk=pk)
    if not same_school(user, school_class.year.school_id):
        raise Http404
    perms = object_perms(user, school_class)
    if "manage_class" in perms:
        return school_class, True
    if "view_class_journal" in perms or is_school_management(user):
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


# Lessons of the class journal (issue 4) ------------------------------------------------------------------------

from .models import (  # noqa: E402
    Lesson,
    SchoolClassUserObjectPermission,
    Substitution,
    TeachingAssignmentUserObjectPermission,
)

LESSON_TEACHER, LESSON_CLASS_TEACHER, LESSON_SUBSTITUTE = "teacher", "class_teacher", "substitute"


def is_lesson_class_teacher(user: User, lesson: Lesson) -> bool:
    """The class teacher of the lesson's class (manage_class), who corrects absence reasons [003 §2.9]."""
    return SchoolClassUserObjectPermission.objects.filter(
        user_id=user.pk,
        content_object_id=lesson.assignment.school_class_id,
        permission__codename="manage_class",
    ).exists()


def lesson_substitute_id(lesson: Lesson) -> int | None:
    """The substitute recorded for the lesson (замена); no query when it was select_related."""
    try:
        return lesson.substitution.substitute_id
    except Substitution.DoesNotExist:
        return None


def lesson_editor_role(user: User, lesson: Lesson) -> str | None:
    """Why the user may keep this lesson's journal: its teacher, the class teacher, or its substitute; else None.

    Reads the direct permission tables rather than ObjectPermissionChecker, which lets any superuser through:
    the school admin holds the superuser flag, and the administration only reads the journal. The substitute
    keeps that one lesson only, not the rest of the assignment.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    # The answer is kept on the lesson object for this user: a view checks it and then the service checks again.
    roles = lesson.__dict__.setdefault("_editor_roles", {})
    if user.pk not in roles:
        roles[user.pk] = _lesson_editor_role(user, lesson)
    return roles[user.pk]


def _lesson_editor_role(user: User, lesson: Lesson) -> str | None:
    if TeachingAssignmentUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id=lesson.assignment_id, permission__codename="edit_assignment_journal"
    ).exists():
        return LESSON_TEACHER
    if is_lesson_class_teacher(user, lesson):
        return LESSON_CLASS_TEACHER
    if lesson_substitute_id(lesson) == user.pk:
        return LESSON_SUBSTITUTE
    return None


def lesson_for_user(user: User, pk: int) -> tuple[Lesson, bool]:
    """The lesson and whether the user may write in it: the assignment's teacher, the class teacher, the substitute.

    The director, the deputy and the admin see every lesson of their school read-only; anyone else gets 404.
    """
    lesson = get_object_or_404(
        # Only what every save needs: on PostgreSQL each join adds planning time to each saved cell (8 joins cost
        # ~10 ms here, 3 joins ~1 ms). The subject, subgroup and kind of work load lazily when a message needs them.
        Lesson.objects.select_related("assignment__year", "assignment__school_class", "substitution"),
        pk=pk,
    )
    year = lesson.assignment.year
    if not same_school(user, year.school_id):
        raise Http404
    if user.school_id == year.school_id:
        year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    if lesson_editor_role(user, lesson) is not None:
        return lesson, True
    if is_school_management(user):
        return lesson, False
    if "view_assignment_journal" in object_perms(user, lesson.assignment) or "view_class_journal" in object_perms(
        user, lesson.assignment.school_class
    ):
        return lesson, False
    raise Http404
