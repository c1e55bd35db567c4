"""Who may read and run the archive: built on accounts.access and journal.access."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import is_school_management
from accounts.models import User
from journal.access import printable_classes
from journal.models import SchoolClass, TeachingAssignment, TeachingAssignmentUserObjectPermission

from .models import JournalPrint

# --- Printing the class journal (issue 13): the administration any class or the whole school, a class teacher their
# class, a teacher their own assignments (one subject); pupils, parents and another school's staff get 404.


def require_journal_printer(user: User) -> None:
    """404 for everyone who prints no journal: anonymous, pupils, parents, the operator without a school."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.school_id is None:
        raise Http404
    if not (user.is_staff_member or is_school_management(user)):
        raise Http404


def own_assignments(user: User) -> QuerySet[TeachingAssignment]:
    """The assignments the user teaches (edit_assignment_journal), in their school."""
    taught = TeachingAssignmentUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="edit_assignment_journal"
    ).values("content_object_id")
    return TeachingAssignment.objects.filter(year__school_id=user.school_id, pk__in=taught)


def journal_print_classes(user: User) -> QuerySet[SchoolClass]:
    """The classes whose journal the user prints: whole (the administration, the class teacher) or one subject of
    their own (a teacher)."""
    if not getattr(user, "is_authenticated", False) or user.school_id is None:
        return SchoolClass.objects.none()
    whole = printable_classes(user).filter(year__school_id=user.school_id)
    if is_school_management(user):
        return whole
    return SchoolClass.objects.filter(
        Q(pk__in=whole.values("pk")) | Q(pk__in=own_assignments(user).values("school_class_id"))
    )


def journal_print_assignments(user: User, school_class: SchoolClass) -> QuerySet[TeachingAssignment]:
    """The subjects of the class the user may print: all of them for a whole-class printer, else their own."""
    assignments = TeachingAssignment.objects.filter(school_class=school_class)
    if prints_whole_class(user, school_class):
        return assignments
    return assignments.filter(pk__in=own_assignments(user).values("pk"))


def prints_whole_class(user: User, school_class: SchoolClass) -> bool:
    return printable_classes(user).filter(pk=school_class.pk, year__school_id=user.school_id).exists()


def visible_journal_prints(user: User) -> QuerySet[JournalPrint]:
    """A print is its requester's: the file holds what their rights showed them."""
    if not getattr(user, "is_authenticated", False):
        return JournalPrint.objects.none()
    return JournalPrint.objects.filter(requested_by_id=user.pk, school_id=user.school_id)


# --- The year's archive (issue 13): the school's administration (admin, director, deputy) reads it; only the admin
# starts it and removes files (archive.services.archive.can_archive). Everyone else, another school: 404.

from .models import ArchiveFile, ArchiveYear  # noqa: E402


def require_archive_reader(user: User) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.school_id is None:
        raise Http404
    if not is_school_management(user):
        raise Http404


def visible_archives(user: User) -> QuerySet[ArchiveYear]:
    if not getattr(user, "is_authenticated", False) or user.school_id is None or not is_school_management(user):
        return ArchiveYear.objects.none()
    return ArchiveYear.objects.filter(school_id=user.school_id)


def archive_for_user(user: User, pk: int) -> ArchiveYear:
    require_archive_reader(user)
    archive = visible_archives(user).select_related("year__school", "started_by").filter(pk=pk).first()
    if archive is None:
        raise Http404
    return archive


def archive_file_for_user(user: User, pk: int) -> ArchiveFile:
    require_archive_reader(user)
    file = (
        ArchiveFile.objects.filter(archive__in=visible_archives(user))
        .select_related("archive__year", "school_class")
        .filter(pk=pk)
        .first()
    )
    if file is None:
        raise Http404
    return file
