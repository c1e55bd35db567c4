"""The deputy's dashboard's figures from the audit: the school's last справка (the figures it froze) and the weekly
remarks (last week's run, what is still open); two queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import School

from ..models import AuditRemark, AuditStatement


@dataclass
class LastAudit:
    statement: AuditStatement | None  # the last справка sent
    totals: dict  # its frozen totals: lessons, lapses, score, teachers
    top: list[tuple[str, int]]  # its three checks with the most lapses: (title, count)
    week: dt.date  # the Monday of last week (the weekly remarks' run)
    week_recorded: int  # remarks recorded for last week
    week_open: int  # of them still open
    open_total: int  # all the school's open remarks


def last_audit(school: School, today: dt.date) -> LastAudit:
    statement = (
        AuditStatement.objects.filter(school_id=school.pk, sent_at__isnull=False)
        .order_by("-sent_at", "-pk")
        .only("pk", "number", "title", "checked_on", "start", "end", "figures", "sent_at")
        .first()
    )
    totals, top = {}, []
    if statement is not None:
        figures = statement.figures or {}
        totals = figures.get("totals", {})
        titles = {check["slug"]: check["title"] for check in figures.get("checks", [])}
        counts = totals.get("counts", {})
        top = sorted(((titles.get(slug, slug), n) for slug, n in counts.items() if n), key=lambda item: -item[1])[:3]
    week = today - dt.timedelta(days=today.weekday() + 7)
    remarks = AuditRemark.objects.filter(school_id=school.pk).aggregate(
        week_recorded=Count("pk", filter=Q(week=week)),
        week_open=Count("pk", filter=Q(week=week, closed_at__isnull=True)),
        open_total=Count("pk", filter=Q(closed_at__isnull=True)),
    )
    return LastAudit(statement=statement, totals=totals, top=top, week=week, **remarks)
