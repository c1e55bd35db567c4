"""Reads of the weekly remarks (reports.models.AuditRemark): a teacher's open remarks (the home page), a teacher's
list (open first, then closed), and the administration's table of open and closed counts per teacher and week."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.choices import STAFF_ROLES
from accounts.models import School, User

from ..models import AuditRemark
from .audit.base import CHECKS

WEEKS = 8  # the administration's table: the last eight weeks


def _titles() -> dict[str, str]:
    from .audit import checks  # noqa: F401 - registers every check

    return {check.slug: check.title for check in CHECKS}


def _remarks(teacher: User) -> QuerySet[AuditRemark]:
    return AuditRemark.objects.filter(school_id=teacher.school_id, teacher_id=teacher.pk).select_related(
        "assignment__subject", "assignment__school_class"
    )


def open_remarks(user: User) -> list[AuditRemark]:
    """The user's open remarks, the oldest lapse first (for the home page: one query; none for a non-teacher)."""
    if not getattr(user, "is_authenticated", False) or user.school_id is None or not user.is_staff_member:
        return []
    remarks = list(_remarks(user).filter(closed_at__isnull=True).order_by("day", "pk"))
    _label(remarks)
    return remarks


def teacher_remarks(teacher: User) -> list[AuditRemark]:
    """A teacher's remarks: the open ones first (the oldest lapse first), then the closed ones, the latest first."""
    remarks = list(_remarks(teacher).order_by("-week", "day", "pk"))
    opened = sorted((r for r in remarks if r.closed_at is None), key=lambda r: (r.day or r.week, r.pk))
    closed = sorted((r for r in remarks if r.closed_at is not None), key=lambda r: r.closed_at, reverse=True)
    _label(opened + closed)
    return opened + closed


def _label(remarks: list[AuditRemark]) -> None:
    """Give each remark its check's title and its class and subject (``check_title``, ``place``) for the templates."""
    titles = _titles()
    for remark in remarks:
        remark.check_title = titles.get(remark.check_slug, remark.check_slug)
        assignment = remark.assignment
        remark.place = f"{assignment.school_class} · {assignment.subject.name}" if assignment is not None else ""


def recent_weeks(today: dt.date, count: int = WEEKS) -> list[dt.date]:
    """The Mondays of the last ``count`` weeks recorded before ``today``'s week, the earliest first."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(days=7 * n) for n in range(count, 0, -1)]


@dataclass
class RemarksRow:
    """A teacher's line of the table: (open, closed) per week and in all."""

    teacher: User
    weeks: dict[dt.date, tuple[int, int]] = field(default_factory=dict)
    open: int = 0
    closed: int = 0


def remarks_table(school: School, weeks: list[dt.date]) -> list[RemarksRow]:
    """Per teacher (every staff member with a remark in the weeks), the open and closed remarks recorded each week:
    two queries (the counts, aggregated by the database; the teachers)."""
    if not weeks:
        return []
    counts = (
        AuditRemark.objects.filter(school_id=school.pk, week__gte=weeks[0], week__lte=weeks[-1])
        .values("teacher_id", "week")
        .annotate(
            open=Count("pk", filter=Q(closed_at__isnull=True)), closed=Count("pk", filter=Q(closed_at__isnull=False))
        )
        .order_by()
    )
    cells: dict[int, dict[dt.date, tuple[int, int]]] = {}
    for row in counts:
        cells.setdefault(row["teacher_id"], {})[row["week"]] = (row["open"], row["closed"])
    if not cells:
        return []
    teachers = User.objects.filter(pk__in=cells, school_id=school.pk, role__in=STAFF_ROLES).order_by(
        "last_name", "first_name", "middle_name", "pk"
    )
    rows = []
    for teacher in teachers:
        line = RemarksRow(teacher=teacher, weeks=cells[teacher.pk])
        line.open = sum(opened for opened, _closed in line.weeks.values())
        line.closed = sum(closed for _opened, closed in line.weeks.values())
        rows.append(line)
    return rows
