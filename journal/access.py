"""What each user may see of the journal, one queryset per kind of object, and the detail helpers built on them.

``visible_*(user)`` is the one answer to "what may this user see": the lists filter it further and the detail
pages take their object from it (NetBox's ``restrict(user, action)``), so a list and its detail page cannot
disagree. The detail helpers add whether the user may write, in the same query, and give 404 to everyone else.

Management (admin, director, deputy) see everything of their school, read-only; teachers reach their
assignments and class teachers their class through django-guardian object permissions granted by the services
(the direct permission tables, read here with EXISTS, never guardian's checker: that one lets any Django
superuser through; the administration only reads the journal).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import can_edit_structure, is_school_management
from accounts.choices import STAFF_ROLES, Role
from accounts.models import PupilProfile, PupilUserObjectPermission, User

from .models import (
    Enrollment,
    Lesson,
    Room,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    Substitution,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
    TimetableEntry,
)

LESSON_TEACHER, LESSON_CLASS_TEACHER, LESSON_SUBSTITUTE = "teacher", "class_teacher", "substitute"


# The permission tables as conditions ------------------------------------------------------------------------------


def _holds(table, codename: str, user: User, object_ref: str) -> Exists:
    """The user holds ``codename`` on the object whose id is the outer query's ``object_ref``."""
    return Exists(
        table.objects.filter(user_id=user.pk, content_object_id=OuterRef(object_ref), permission__codename=codename)
    )


def _teaches(user: User, assignment_ref: str) -> Exists:
    return _holds(TeachingAssignmentUserObjectPermission, "edit_assignment_journal", user, assignment_ref)


def _manages_class(user: User, class_ref: str) -> Exists:
    return _holds(SchoolClassUserObjectPermission, "manage_class", user, class_ref)


def _school_scope(queryset: QuerySet, user: User, school_path: str) -> QuerySet | None:
    """The queryset cut to the user's school; None when the user sees nothing (anonymous, or no school)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_platform_operator:
        return queryset
    if user.school_id is None:
        return None
    return queryset.filter(**{school_path: user.school_id})


# What each user may see ------------------------------------------------------------------------------------------


def visible_years(user: User) -> QuerySet[SchoolYear]:
    """School years as objects to manage (setup, calendar editing): the administration of the school."""
    years = _school_scope(SchoolYear.objects.all(), user, "school_id")
    if years is None or not is_school_management(user):
        return SchoolYear.objects.none()
    return years


def visible_classes(user: User) -> QuerySet[SchoolClass]:
    """The administration: every class of the school; a class teacher: their class (view_class_journal)."""
    classes = _school_scope(SchoolClass.objects.all(), user, "year__school_id")
    if classes is None:
        return SchoolClass.objects.none()
    if is_school_management(user):
        return classes
    return classes.filter(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "pk"))


def visible_assignments(user: User) -> QuerySet[TeachingAssignment]:
    """The administration: every assignment of the school; a teacher: their own; a class teacher: all of their
    class's (their class journal, all subjects [003 §4.4])."""
    assignments = _school_scope(TeachingAssignment.objects.all(), user, "year__school_id")
    if assignments is None:
        return TeachingAssignment.objects.none()
    if is_school_management(user):
        return assignments
    return assignments.filter(
        Q(_holds(TeachingAssignmentUserObjectPermission, "view_assignment_journal", user, "pk"))
        | Q(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "school_class_id"))
    )


def visible_lessons(user: User) -> QuerySet[Lesson]:
    """The lessons of the visible assignments, and a substitute's lessons (that one lesson, not the assignment)."""
    lessons = _school_scope(Lesson.objects.all(), user, "assignment__year__school_id")
    if lessons is None:
        return Lesson.objects.none()
    if is_school_management(user):
        return lessons
    return lessons.filter(
        Q(_holds(TeachingAssignmentUserObjectPermission, "view_assignment_journal", user, "assignment_id"))
        | Q(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "assignment__school_class_id"))
        | Q(substitution__substitute_id=user.pk)
    )


def visible_pupils(user: User) -> QuerySet[PupilProfile]:
    """A pupil: themself; a parent: their children (view_pupil_diary, granted with the link); a class teacher:
    the pupils who are or were on the roll of their class; the administration: every pupil of the school."""
    pupils = _school_scope(PupilProfile.objects.all(), user, "user__school_id")
    if pupils is None:
        return PupilProfile.objects.none()
    if is_school_management(user):
        return pupils
    condition = Q(_holds(PupilUserObjectPermission, "view_pupil_diary", user, "pk"))
    if user.is_staff_member:
        managed = SchoolClassUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename="manage_class"
        ).values("content_object_id")
        condition |= Q(Exists(Enrollment.objects.filter(pupil_id=OuterRef("pk"), school_class_id__in=managed)))
    return pupils.filter(condition)


def _school_staff_scope(queryset: QuerySet, user: User, school_path: str) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return queryset.none()
    scoped = _school_scope(queryset, user, school_path)
    return queryset.none() if scoped is None else scoped


def timetable_classes(user: User) -> QuerySet[SchoolClass]:
    """Classes as timetables: the school's timetable is open to all its staff, by class, teacher and room (pupils and
    parents see their own in the diary)."""
    return _school_staff_scope(SchoolClass.objects.all(), user, "year__school_id")


def timetable_teachers(user: User) -> QuerySet[User]:
    """The school's staff as timetables (a teacher's week)."""
    return _school_staff_scope(User.objects.filter(role__in=STAFF_ROLES), user, "school_id")


def timetable_rooms(user: User) -> QuerySet[Room]:
    return _school_staff_scope(Room.objects.all(), user, "school_id")


def timetable_entries(user: User) -> QuerySet[TimetableEntry]:
    return _school_staff_scope(TimetableEntry.objects.all(), user, "year__school_id")


# Detail pages: the object from its visible queryset, and whether the user may write -------------------------------


def assignment_for_user(user: User, pk: int) -> tuple[TeachingAssignment, bool]:
    """The assignment and whether the user may keep its journal: the teacher, or the class teacher [003 §4.4]."""
    assignment = get_object_or_404(
        visible_assignments(user)
        .select_related("year", "school_class", "subject", "subgroup", "teacher")
        .annotate(user_teaches=_teaches(user, "pk"), user_manages=_manages_class(user, "school_class_id")),
        pk=pk,
    )
    if user.school_id == assignment.year.school_id:
        assignment.year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    return assignment, assignment.user_teaches or assignment.user_manages


def class_for_user(user: User, pk: int) -> tuple[SchoolClass, bool]:
    """The class and whether the user manages it (its class teacher)."""
    school_class = get_object_or_404(
        visible_classes(user)
        .select_related("year__school", "class_teacher")
        .annotate(user_manages=_manages_class(user, "pk")),
        pk=pk,
    )
    return school_class, school_class.user_manages


def year_for_user(user: User, pk: int) -> tuple[SchoolYear, bool]:
    """A school year for its school's management; the admin edits it (unless it is closed)."""
    year = get_object_or_404(visible_years(user).select_related("school"), pk=pk)
    return year, can_edit_structure(user) and not year.is_closed


def pupil_for_user(user: User, pk: int) -> PupilProfile:
    """The pupil for their diary and card; 404 for anyone else: a parent who edits the URL to another family's
    child learns nothing."""
    return get_object_or_404(visible_pupils(user).select_related("user__school"), pk=pk)


def lesson_for_user(user: User, pk: int, *, for_page: bool = False) -> tuple[Lesson, bool]:
    """The lesson and whether the user may write in it: the assignment's teacher, the class teacher, the substitute.

    The director, the deputy and the admin see every lesson of their school read-only; anyone else gets 404. One
    query: the lesson, its visibility and the user's editor role together. ``for_page`` adds what a page shows (the
    subject, the teacher, the subgroup), so that its template reads nothing more.
    """
    # Only what every cell save needs: on PostgreSQL each join adds planning time to each saved cell (8 joins cost
    # ~10 ms here, 3 joins ~1 ms). For a save the subject, subgroup and kind of work load lazily when a message needs
    # them.
    related = ["assignment__year", "assignment__school_class", "substitution"]
    if for_page:
        related += ["assignment__subject", "assignment__teacher", "assignment__subgroup"]
    lesson = get_object_or_404(
        visible_lessons(user)
        .select_related(*related)
        .annotate(
            user_teaches=_teaches(user, "assignment_id"),
            user_manages=_manages_class(user, "assignment__school_class_id"),
        ),
        pk=pk,
    )
    year = lesson.assignment.year
    if user.school_id == year.school_id:
        year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    if lesson.user_teaches:
        role = LESSON_TEACHER
    elif lesson.user_manages:
        role = LESSON_CLASS_TEACHER
    elif lesson_substitute_id(lesson) == user.pk:
        role = LESSON_SUBSTITUTE
    else:
        role = None
    lesson.__dict__.setdefault("_editor_roles", {})[user.pk] = role  # the service's re-check reads it
    return lesson, role is not None


# Lessons: who keeps one -------------------------------------------------------------------------------------------


def is_lesson_class_teacher(user: User, lesson: Lesson) -> bool:
    """The class teacher of the lesson's class (manage_class), who corrects absence reasons [003 §2.9]."""
    if lesson.__dict__.get("_editor_roles", {}).get(user.pk) == LESSON_CLASS_TEACHER:
        return True
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

    The substitute keeps that one lesson only, not the rest of the assignment. The answer is kept on the lesson
    object for this user: ``lesson_for_user`` sets it, and the service checks again without a query.
    """
    if not user.is_authenticated or not user.is_active:
        return None
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


# Rules by role and class ------------------------------------------------------------------------------------------


def require_timetable_editor(user: User) -> None:
    """The timetable is built by the deputy head [002 §4.6.2] and the admin."""
    if not (user.role in (Role.DEPUTY, Role.ADMIN) or user.is_platform_operator):
        raise PermissionDenied


def printable_classes(user: User) -> QuerySet[SchoolClass]:
    """The classes the user prints for (their pupils' paper diaries): the administration any class of their school,
    a class teacher their class. ``diary.access.visible_paper_classes`` is this queryset."""
    if not getattr(user, "is_authenticated", False):
        return SchoolClass.objects.none()
    classes = visible_classes(user)
    if is_school_management(user):
        return classes
    return classes.filter(_manages_class(user, "pk"))


def may_print_for_class(user: User, school_class: SchoolClass) -> bool:
    """Whether the user prints for the class (one EXISTS on ``printable_classes``), e.g. for the class page's link."""
    return printable_classes(user).filter(pk=school_class.pk).exists()


def assignment_user_edits(user: User, assignment: TeachingAssignment) -> bool:
    """Whether the user keeps the assignment's journal (its teacher or the class teacher), for the services'
    re-check; ``assignment_for_user`` answers the same in its query."""
    if "user_teaches" in assignment.__dict__:
        return assignment.user_teaches or assignment.user_manages
    return (
        TeachingAssignmentUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=assignment.pk, permission__codename="edit_assignment_journal"
        ).exists()
        or SchoolClassUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=assignment.school_class_id, permission__codename="manage_class"
        ).exists()
    )
