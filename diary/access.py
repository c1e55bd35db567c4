"""Access helpers of the diary's views: 404 for those who may not see an object, 403 for those who may not act.

The shared rules come from below: ``accounts.access`` (same school, the administration) and ``journal.access``
(``pupil_for_user``: a pupil's diary for the pupil, their parents, their class teacher and the administration).
The diary's own objects are reached through ``diary.selectors.messages.thread_for_user`` and
``broadcast_for_user``, ``diary.selectors.notifications.outgoing_email_for_user`` and
``diary.services.events.event_for_user``; the helpers here guard the pages that have no object of their own.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from journal.access import may_print_for_class
from journal.models import SchoolClass

from .models import PaperDiaryPrint
from .selectors.messages import broadcast_classes, may_broadcast


def require_school_staff(user: User) -> None:
    """The staff's pages (the events list) are for a school's staff; pupils and parents get 403."""
    if not user.is_staff_member or user.school_id is None:
        raise PermissionDenied


def broadcast_classes_for_user(user: User) -> QuerySet[SchoolClass]:
    """The classes the user may write a broadcast to: 403 for those who may not broadcast, 404 before the year."""
    if not may_broadcast(user):
        raise PermissionDenied
    classes = broadcast_classes(user)
    if not classes.exists():
        raise Http404("Учебный год ещё не создан.")
    return classes


def paper_class_for_user(user: User, pk: int) -> SchoolClass:
    """The class, for those who print its paper diaries; 404 for everyone else (no hint that the class exists)."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("year__school", "class_teacher"), pk=pk)
    if not may_print_for_class(user, school_class):
        raise Http404
    return school_class


def paper_print_for_user(user: User, pk: int) -> PaperDiaryPrint:
    """A ready print with its PDF, for those who may print for its class; 404 for everyone else."""
    record = get_object_or_404(
        PaperDiaryPrint.objects.select_related("school_class__year__school"),
        pk=pk,
        status=PaperDiaryPrint.Status.READY,
        pdf__isnull=False,
    )
    if not may_print_for_class(user, record.school_class):
        raise Http404
    return record
