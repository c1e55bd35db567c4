"""Weekly remarks (замечания), recorded automatically as the open-source RUJEL does (reports.models.AuditRemark).

Early each Monday in the school's time zone (``REMARKS_HOUR``) the beat task (reports.tasks.record_weekly_remarks)
runs the audit's checks that give remarks (``Check.remark``: lapses the teacher can still fix — a topic, homework, the
register, a control work's marks, a pupil's marks in the period, a КТП; never lateness, which cannot be undone) over the
week before, and:

- records a remark for every lapse found with a teacher that has no open remark with the lapse's key (``Finding.key``);
- closes every open remark whose lapse is no longer found (the topic entered, the marks added): the days of the open
  remarks are audited again, and a remark about a pupil's marks in a study period that has ended is checked against
  that period.

Idempotent: a second run finds the open remarks and creates nothing new. Remarks are never deleted; each creation
and closing writes a history row (bulk, ``simple_history``), in one transaction per school.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import School
from diary.models import NotificationCursor
from diary.selectors.notifications import zone_of
from journal.lock import school_today
from journal.models import SchoolClass, StudyPeriod, TeachingAssignment

from ..access import ReportScope
from ..models import AuditRemark, AuditSettings
from ..selectors.audit import base
from ..selectors.audit.base import ACCUMULATION, AuditContext, Check, Finding, run_audit

logger = logging.getLogger(__name__)

REMARKS_WEEKDAY = 0  # Monday
REMARKS_HOUR = 5  # 05:00 in the school's time zone: before the first lesson
# From Monday 05:00 to the end of Tuesday: a beat that was down on Monday catches up; the cursor makes it once a week.
REMARKS_WINDOW = dt.timedelta(hours=43)
REMARKS_CURSOR = "audit-remarks:{school_id}"
CHANGE_REASON = "Еженедельная проверка журнала"


@dataclass(frozen=True)
class RemarksRecorded:
    """What one weekly run did for a school: the week audited (its Monday), remarks created and closed."""

    school_id: int
    week: dt.date
    created: int
    closed: int


def remark_checks() -> list[Check]:
    """The registered checks whose lapses become remarks."""
    from ..selectors.audit import checks  # noqa: F401 - registers every check

    return [check for check in base.CHECKS if check.remark]


def audited_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """The week a run on ``today`` records: Monday to Sunday of the week before today's."""
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(days=7)
    return monday, monday + dt.timedelta(days=6)


def school_scope(school: School) -> ReportScope:
    """The whole school, as the administration sees it (the task runs for nobody in particular)."""
    return ReportScope(
        user=None,  # type: ignore[arg-type] - no user: the audit reads only the school and its assignments
        school=school,
        management=True,
        classes=SchoolClass.objects.filter(year__school_id=school.pk),
        assignments=TeachingAssignment.objects.filter(year__school_id=school.pk),
    )


def _found(findings: list[Finding], slugs: set[str]) -> dict[tuple[int, str], Finding]:
    """The lapses with a teacher, by (teacher, key): the first finding of each."""
    found: dict[tuple[int, str], Finding] = {}
    for finding in findings:
        if finding.check in slugs and finding.teacher_id is not None:
            found.setdefault((finding.teacher_id, finding.key), finding)
    return found


@transaction.atomic
def record_weekly_remarks(
    *, school: School, today: dt.date | None = None, now: dt.datetime | None = None
) -> RemarksRecorded:
    """Record the remarks of the week before ``today``'s (the school's local date) and close those fixed since.

    The dates audited: the week, plus as many days before it as the longest deadline of a check (a control work's
    marks are due a week later, so a Thursday's control work is judged by the next Monday's run), plus the days of
    the open remarks. New remarks come only from the week and those days before it; every open remark is checked.
    A constant number of queries whatever the size of the school (the audit's reads, the open remarks, the bulk
    writes), plus one audit of the накопляемость checks per ended study period that still has open remarks.
    """
    now = now or timezone.now()
    today = today or school_today(school)
    School.objects.select_for_update().filter(pk=school.pk).first()  # one run per school at a time (PostgreSQL)
    week_start, week_end = audited_week(today)
    checks = remark_checks()
    slugs = {check.slug for check in checks}
    period_slugs = {check.slug for check in checks if check.group == ACCUMULATION}
    rules = AuditSettings.objects.filter(school=school).first() or AuditSettings(school=school)
    new_from = week_start - dt.timedelta(days=max(7, rules.essay_days, rules.record_grace_days))
    open_remarks = list(AuditRemark.objects.filter(school=school, closed_at__isnull=True).order_by("pk"))
    days = [r.day for r in open_remarks if r.day is not None and r.check_slug not in period_slugs]
    start = min([new_from, *[day for day in days if day < new_from]])
    found = _lapses(school, rules, open_remarks, start=start, end=week_end, today=today)

    open_keys = {(r.teacher_id, r.key) for r in open_remarks}
    created = [
        AuditRemark(
            school=school,
            teacher_id=teacher_id,
            check_slug=finding.check,
            key=key,
            assignment_id=finding.assignment_id,
            lesson_id=finding.lesson_id,
            day=finding.day,
            text=finding.text[:500],
            url=finding.url[:300],
            week=week_start,
            opened_at=now,
        )
        for (teacher_id, key), finding in found.items()
        if (teacher_id, key) not in open_keys and (finding.day is None or finding.day >= new_from)
    ]
    if created:
        bulk_create_with_history(created, AuditRemark, default_date=now, default_change_reason=CHANGE_REASON)
    fixed = [r for r in open_remarks if r.check_slug in slugs and (r.teacher_id, r.key) not in found]
    _close(fixed, now)
    return RemarksRecorded(school_id=school.pk, week=week_start, created=len(created), closed=len(fixed))


def _lapses(
    school: School, rules: AuditSettings, open_remarks: list[AuditRemark], *, start: dt.date, end: dt.date, today
) -> dict[tuple[int, str], Finding]:
    """The lapses the remark checks find now over the dates, by (teacher, key); and, for the open remarks about a
    pupil's marks in a study period that has ended before ``end`` (the holidays, the next quarter), that period's."""
    checks = remark_checks()
    slugs = {check.slug for check in checks}
    period_slugs = {check.slug for check in checks if check.group == ACCUMULATION}
    scope = school_scope(school)
    context = AuditContext(scope=scope, start=start, end=end, today=today, settings=rules)
    found = _found(run_audit(context, only=slugs).findings, slugs)
    period_ids = {_period_of(context, r) for r in open_remarks if r.check_slug in period_slugs} - {None}
    for period in StudyPeriod.objects.filter(pk__in=period_ids, end_date__lt=end) if period_ids else []:
        earlier = AuditContext(scope=scope, start=period.start_date, end=period.end_date, today=today, settings=rules)
        for key, finding in _found(run_audit(earlier, only=period_slugs).findings, period_slugs).items():
            if finding.period_id == period.pk:
                found.setdefault(key, finding)
    return found


def _period_of(context: AuditContext, remark: AuditRemark) -> int | None:
    """The study period a remark about a pupil's marks is for: the period of its class containing its day."""
    assignment = context.assignment_by_id.get(remark.assignment_id)
    if assignment is None or remark.day is None:
        return None
    period = context.period_on(assignment, remark.day)
    return period.pk if period is not None else None


def _close(remarks: list[AuditRemark], now: dt.datetime) -> None:
    """Close remarks (one UPDATE) and write their history rows (one INSERT)."""
    if not remarks:
        return
    AuditRemark.objects.filter(pk__in=[r.pk for r in remarks], closed_at__isnull=True).update(closed_at=now)
    for remark in remarks:
        remark.closed_at = now
    AuditRemark.history.bulk_history_create(remarks, update=True, default_date=now, default_change_reason=CHANGE_REASON)


def close_fixed_remarks(*, school: School, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Close the school's open remarks whose lapses are fixed, before Monday's run (the deputy's «Обновить»): the
    weekly run's closing half only — it records nothing new. Returns the number closed."""
    now = now or timezone.now()
    today = today or school_today(school)
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        open_remarks = list(AuditRemark.objects.filter(school=school, closed_at__isnull=True).order_by("pk"))
        if not open_remarks:
            return 0
        slugs = {check.slug for check in remark_checks()}
        days = [r.day for r in open_remarks if r.day is not None]
        end = max([*days, today - dt.timedelta(days=1)])
        start = min(days, default=end)
        rules = AuditSettings.objects.filter(school=school).first() or AuditSettings(school=school)
        found = _lapses(school, rules, open_remarks, start=start, end=end, today=today)
        fixed = [r for r in open_remarks if r.check_slug in slugs and (r.teacher_id, r.key) not in found]
        _close(fixed, now)
        return len(fixed)


def remarks_due_at(school: School, monday: dt.date) -> dt.datetime:
    """The moment a week's run is due: ``REMARKS_HOUR`` on its Monday in the school's time zone."""
    return dt.datetime.combine(monday, dt.time(REMARKS_HOUR), tzinfo=zone_of(school.time_zone))


def remarks_week_claim(*, school: School, monday: dt.date) -> bool:
    """Claim the run of the week starting on ``monday`` for the school (its cursor moves to the run's moment); False
    if it is claimed already (a second beat in the same week, or the demo's seed that recorded it)."""
    due_at = remarks_due_at(school, monday)
    cursor, _created = NotificationCursor.objects.get_or_create(
        name=REMARKS_CURSOR.format(school_id=school.pk), defaults={"position": due_at - dt.timedelta(days=7)}
    )
    if cursor.position >= due_at:
        return False
    # Two beats at once: the second UPDATE waits for the first's commit, then finds the position moved.
    return bool(NotificationCursor.objects.filter(pk=cursor.pk, position=cursor.position).update(position=due_at))


def schools_remarks_record(*, now: dt.datetime | None = None) -> list[RemarksRecorded]:
    """The hourly beat: record the week's remarks of every school where it is Monday after ``REMARKS_HOUR`` (or
    Tuesday: a beat that was down catches up) and they are not recorded yet. A school whose time has not come costs
    nothing but its row; one whose week is recorded, one query more."""
    now = now or timezone.now()
    done = []
    for school in School.objects.order_by("pk"):
        local = now.astimezone(zone_of(school.time_zone))
        monday = local.date() - dt.timedelta(days=(local.weekday() - REMARKS_WEEKDAY) % 7)
        due_at = remarks_due_at(school, monday)
        if not due_at <= now < due_at + REMARKS_WINDOW:
            continue
        try:
            with transaction.atomic():
                if remarks_week_claim(school=school, monday=monday):
                    done.append(record_weekly_remarks(school=school, today=local.date(), now=now))
        except Exception:  # one school's failure (rolled back, its week unclaimed) must not stop the others'
            logger.exception("audit remarks: the run of school %s failed; the next beat tries again", school.pk)
    return done
