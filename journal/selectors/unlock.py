"""Reads of edit windows: the log of a school's year, the windows of an assignment, the open ones for a grid."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from ..models import EditWindow, SchoolYear, TeachingAssignment


def edit_windows_for(assignment: TeachingAssignment) -> QuerySet[EditWindow]:
    """Every window of the assignment (open and past), newest first, with who opened it and the lesson."""
    return (
        EditWindow.objects.filter(assignment=assignment)
        .select_related("lesson", "opened_by")
        .order_by("-opened_at", "-pk")
    )


def open_windows(assignment: TeachingAssignment, now: dt.datetime | None = None) -> list[EditWindow]:
    """The assignment's windows open now (1 query): pass them to journal.lock.edit_state for every lesson."""
    return list(EditWindow.objects.filter(assignment=assignment, valid_until__gt=now or timezone.now()))


def school_edit_windows(year: SchoolYear) -> QuerySet[EditWindow]:
    """The year's log of windows for the deputy's page: open and past, newest first (1 query)."""
    return (
        EditWindow.objects.filter(assignment__year=year)
        .select_related(
            "assignment__school_class",
            "assignment__subject",
            "assignment__subgroup",
            "assignment__teacher",
            "lesson",
            "opened_by",
        )
        .order_by("-opened_at", "-pk")
    )
