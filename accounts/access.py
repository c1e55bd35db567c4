"""Access to a pupil (the diary): the pupil, their parents, their class teacher, and the management."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from guardian.core import ObjectPermissionChecker

from journal.access import is_school_management, same_school
from journal.models import SchoolClassUserObjectPermission

from .models import PupilProfile, User


def pupil_for_user(user: User, pk: int) -> PupilProfile:
    """404 for anyone else: a parent who edits the URL to another family's child learns nothing."""
    pupil = get_object_or_404(PupilProfile.objects.select_related("user__school"), pk=pk)
    if not same_school(user, pupil.user.school_id):
        raise Http404
    if is_school_management(user):
        return pupil
    if ObjectPermissionChecker(user).has_perm("view_pupil_diary", pupil):
        return pupil
    if user.is_staff_member and _is_class_teacher_of(user, pupil):
        return pupil
    raise Http404


def _is_class_teacher_of(user: User, pupil: PupilProfile) -> bool:
    class_ids = pupil.enrollments.values("school_class_id")
    return SchoolClassUserObjectPermission.objects.filter(
        user=user, content_object_id__in=class_ids, permission__codename="manage_class"
    ).exists()
