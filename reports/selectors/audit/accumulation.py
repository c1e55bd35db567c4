"""Накопляемость отметок: pupils with no mark or one mark so far in the study period, pupils below the minimum
for a period mark as the period nears its end, and long gaps between a pupil's marks [001 §3.4.4: «проверка периодичности текущего контроля»; 004 §2:
«мониторинг накопляемости отметок»].

The study period audited is, for each assignment, the period of its grade's scheme (четверти, триместры,
полугодия) that the audit's last day (or today, if earlier) falls in; after its end (the holidays) the period just
ended. The pupils are those on the class's (or subgroup's) list on that day; a pupil released from the subject
(SubjectExemption, for the year or for that period) is never flagged; a pupil who arrived during the period is
judged from the day they arrived. A gap between marks does not count the school holidays of the class's grade.

This module also holds the reads the other audit modules of this group share (the class lists, the subgroups'
members, the exemptions, the current marks): each is one query for the whole context, cached on the context object.
"""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from journal.models import (
    Enrollment,
    Lesson,
    Mark,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
    Vacation,
)
from journal.selectors.averages import period_mark_minimum
from journal.selectors.sql import as_date, fetch, placeholders, sql_date, table

from .base import ACCUMULATION, AuditContext, Check, Finding, register

# The thresholds are the school's audit settings (``ctx.rules``, reports.models.AuditSettings), defaults in brackets:
# ``few_marks_grace_days`` (14) — a pupil needs this many days in the period before «no mark / one mark» is a lapse
# (the first two weeks of a quarter often have no marks yet); ``near_end_days`` (14) — «below the minimum for a period
# mark» is checked in the period's last days (and after its end); ``max_gap_days`` (21) — a gap between marks longer
# than this (in calendar days) is flagged.
# «No mark / one mark» also waits for about this many lessons of the subject (by its hours a week) in the period.
FEW_MARKS_LESSONS = 4


# --- the shared cached reads ----------------------------------------------------------------------------


def cached(ctx: AuditContext, key: str, read: Callable[[], object]):
    """``read()`` once per context: the reads of this group's checks, stored on the context object."""
    store = ctx.__dict__.setdefault("_audit_reads", {})
    if key not in store:
        store[key] = read()
    return store[key]


def as_of(ctx: AuditContext) -> dt.date:
    """The last day audited that has already come: the audit's end, or today if earlier."""
    return min(ctx.end, ctx.today)


def audited_periods(ctx: AuditContext, assignment: TeachingAssignment) -> list[StudyPeriod]:
    """The assignment's study periods (of its grade's scheme: ``AuditContext.periods_of``) overlapping the dates."""
    return [p for p in ctx.periods_of(assignment) if p.start_date <= ctx.end and p.end_date >= ctx.start]


@dataclass(frozen=True)
class Member:
    """A pupil's enrolment in a class: who, from when to when (None: still there)."""

    pupil_id: int
    name: str
    date_from: dt.date
    date_to: dt.date | None

    def on(self, day: dt.date) -> bool:
        return self.date_from <= day and (self.date_to is None or self.date_to >= day)


def _enrollments(ctx: AuditContext) -> dict[int, list[Member]]:
    """Every enrolment of the audited classes in their years: one query (the names come with it)."""

    def read():
        class_ids = {a.school_class_id for a in ctx.assignments}
        if not class_ids:
            return {}
        members: dict[int, list[Member]] = defaultdict(list)
        rows = Enrollment.objects.filter(school_class_id__in=class_ids).values_list(
            "school_class_id",
            "pupil_id",
            "pupil__user__last_name",
            "pupil__user__first_name",
            "date_from",
            "date_to",
        )
        for class_id, pupil_id, last, first, date_from, date_to in rows.order_by(
            "pupil__user__last_name", "pupil__user__first_name", "date_from"
        ):
            name = " ".join(part for part in (last, first) if part)
            members[class_id].append(Member(pupil_id, name, date_from, date_to))
        return members

    return cached(ctx, "enrollments", read)


def _subgroup_members(ctx: AuditContext) -> dict[int, set[int]]:
    """The pupils of the audited assignments' subgroups: one query (none when no assignment has a subgroup)."""

    def read():
        ids = {a.subgroup_id for a in ctx.assignments if a.subgroup_id}
        members: dict[int, set[int]] = defaultdict(set)
        if ids:
            through = Subgroup.pupils.through
            for subgroup_id, pupil_id in through.objects.filter(subgroup_id__in=ids).values_list(
                "subgroup_id", "pupilprofile_id"
            ):
                members[subgroup_id].add(pupil_id)
        return members

    return cached(ctx, "subgroups", read)


def roster(ctx: AuditContext, assignment: TeachingAssignment, day: dt.date) -> list[Member]:
    """The assignment's pupils on ``day`` (the roster follows movement; a subgroup's members only)."""
    members = [m for m in _enrollments(ctx).get(assignment.school_class_id, []) if m.on(day)]
    if assignment.subgroup_id:
        group = _subgroup_members(ctx).get(assignment.subgroup_id, set())
        members = [m for m in members if m.pupil_id in group]
    seen: set[int] = set()
    unique = []
    for member in members:
        if member.pupil_id not in seen:
            seen.add(member.pupil_id)
            unique.append(member)
    return unique


def pupil_name(ctx: AuditContext, assignment: TeachingAssignment, pupil_id: int) -> str:
    return next((m.name for m in _enrollments(ctx).get(assignment.school_class_id, []) if m.pupil_id == pupil_id), "")


def _exemptions(ctx: AuditContext) -> set[tuple[int, int, int, int | None]]:
    """(pupil, subject, year, period or None for the whole year) of every exemption of the audited years: one
    query."""

    def read():
        year_ids = {a.year_id for a in ctx.assignments}
        if not year_ids:
            return set()
        return set(
            SubjectExemption.objects.filter(year_id__in=year_ids).values_list(
                "pupil_id", "subject_id", "year_id", "period_id"
            )
        )

    return cached(ctx, "exemptions", read)


def is_exempt(ctx: AuditContext, assignment: TeachingAssignment, pupil_id: int, period: StudyPeriod | None) -> bool:
    exemptions = _exemptions(ctx)
    key = (pupil_id, assignment.subject_id, assignment.year_id)
    return (*key, None) in exemptions or (period is not None and (*key, period.pk) in exemptions)


def current_marks(ctx: AuditContext) -> dict[tuple[int, int], list[tuple[dt.date, str, Decimal]]]:
    """(pupil, assignment) → the current marks (day, value, weight) within the audited periods: one query.

    Cleared marks do not count; a mark without a kind of work weighs 1 (journal.selectors.period_marks)."""

    def read():
        periods = [p for a in ctx.assignments for p in audited_periods(ctx, a)]
        marks: dict[tuple[int, int], list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
        if not periods:
            return marks
        # The weight from the school's kinds of work (read once for the audit) rather than a join: fewer converted
        # columns on the audit's largest read; no ORDER BY (the days are sorted where a gap is measured).
        weights = {pk: work_type.weight for pk, work_type in ctx.work_types.items()}
        one = Decimal(1)
        # Plain SQL: a whole school's quarter is some 100 000 marks, where the ORM's rows cost several µs each.
        ids = ctx.assignment_ids
        rows = fetch(
            f"SELECT m.pupil_id, l.assignment_id, l.date, m.value, m.work_type_id "
            f"FROM {table(Mark)} m INNER JOIN {table(Lesson)} l ON l.id = m.lesson_id "
            f"WHERE l.assignment_id IN ({placeholders(ids)}) AND l.date >= %s AND l.date <= %s AND m.value <> ''",
            [
                *ids,
                sql_date(min(p.start_date for p in periods)),
                sql_date(max(p.end_date for p in periods)),
            ],
        )
        if connection.vendor != "postgresql":  # SQLite: the dates as text
            rows = [
                (pupil_id, assignment_id, as_date(day), value, kind)
                for pupil_id, assignment_id, day, value, kind in rows
            ]
        weight = weights.get
        for pupil_id, assignment_id, day, value, work_type_id in rows:
            marks[(pupil_id, assignment_id)].append((day, value, weight(work_type_id, one)))
        return marks

    return cached(ctx, "marks", read)


# --- the checks ------------------------------------------------------------------------------------------


@dataclass
class PupilWindow:
    """A pupil of an assignment in the period audited for accumulation: from when, to when, their mark days."""

    assignment: TeachingAssignment
    period: StudyPeriod
    label: str  # the period's name: «1 четверть»
    url: str  # the assignment's grid at the period
    member: Member
    start: dt.date  # the period's start, or the day they arrived
    end: dt.date  # the day audited (the period's end at the latest)
    days: list[dt.date]  # the days of their marks in the period up to ``end``


def _windows(ctx: AuditContext) -> list[PupilWindow]:
    def build():
        day = as_of(ctx)
        if day < ctx.start:
            return []  # the dates are still to come
        marks = current_marks(ctx)
        exemptions = _exemptions(ctx)
        labels: dict[int, str] = {}
        windows = []
        for assignment in ctx.assignments:
            started = [p for p in audited_periods(ctx, assignment) if p.start_date <= day]
            if not started:
                continue
            period = started[-1]
            end = min(day, period.end_date)
            if period.pk not in labels:
                labels[period.pk] = str(period)  # translated: once per period
            url = ctx.grid_url(assignment, end)
            subject, year = assignment.subject_id, assignment.year_id
            first, label, assignment_id = period.start_date, labels[period.pk], assignment.pk  # locals: per mark
            for member in roster(ctx, assignment, end):
                pupil_id = member.pupil_id
                if (pupil_id, subject, year, None) in exemptions or (pupil_id, subject, year, period.pk) in exemptions:
                    continue
                days = [d for d, _v, _w in marks.get((pupil_id, assignment_id), ()) if first <= d <= end]
                start = max(first, member.date_from)
                windows.append(PupilWindow(assignment, period, label, url, member, start, end, days))
        return windows

    return cached(ctx, "accumulation_windows", build)


def period_label(ctx: AuditContext, period: StudyPeriod) -> str:
    """«1 четверть» (the label is translated: made once per period for the audit)."""
    labels = cached(ctx, "period_labels", dict)
    if period.pk not in labels:
        labels[period.pk] = str(period)
    return labels[period.pk]


def _finding(check: str, window: PupilWindow, text: str) -> Finding:
    assignment = window.assignment
    return Finding(
        check=check,
        teacher_id=assignment.teacher_id,
        assignment_id=assignment.pk,
        class_id=assignment.school_class_id,
        text=f"{window.member.name}: {text}",
        url=window.url,
        day=window.end,
        pupil_id=window.member.pupil_id,
        period_id=window.period.pk,
    )


def few_marks(ctx: AuditContext) -> list[Finding]:
    """A pupil with 0–1 marks after ``few_marks_grace_days`` in the period and, by the subject's hours a week, about
    ``FEW_MARKS_LESSONS`` of its lessons: two weeks of a subject of an hour a week are two lessons, too few to judge
    (it waits four weeks); at two hours a week and more the days decide."""
    findings = []
    for window in _windows(ctx):
        days = (window.end - window.start).days + 1
        if len(window.days) > 1 or days < ctx.rules.few_marks_grace_days:
            continue
        hours = float(window.assignment.hours_per_week or 0)
        if hours and days / 7 * hours < FEW_MARKS_LESSONS:
            continue
        what = "нет ни одной отметки" if not window.days else "всего одна отметка"
        findings.append(
            _finding(
                "few_marks",
                window,
                f"{what} за {window.label} (с {window.start:%d.%m.%Y} по {window.end:%d.%m.%Y})",
            )
        )
    return findings


def below_minimum(ctx: AuditContext) -> list[Finding]:
    findings = []
    for window in _windows(ctx):
        if (window.period.end_date - window.end).days >= ctx.rules.near_end_days:
            continue
        minimum = period_mark_minimum(window.assignment.hours_per_week)
        # 0–1 marks are the «few marks» check's; this one is for 2 and more, still short of the minimum.
        if 2 <= len(window.days) < minimum:
            findings.append(
                _finding(
                    "below_minimum",
                    window,
                    f"{len(window.days)} отметки, а для отметки за {window.label} нужно не меньше {minimum} "
                    f"(период кончается {window.period.end_date:%d.%m.%Y})",
                )
            )
    return findings


def _vacations(ctx: AuditContext) -> list[tuple[int, int, int, dt.date, dt.date]]:
    """(year, first grade, last grade, start, end) of the holidays of the audited years: one query."""

    def read():
        year_ids = {a.year_id for a in ctx.assignments}
        if not year_ids:
            return []
        return list(
            Vacation.objects.filter(year_id__in=year_ids).values_list(
                "year_id", "grade_from", "grade_to", "start_date", "end_date"
            )
        )

    return cached(ctx, "vacations", read)


def _holiday_days(holidays: list[tuple[dt.date, dt.date]], earlier: dt.date, later: dt.date) -> int:
    """The days of the holidays strictly between two days."""
    first, last = earlier + dt.timedelta(days=1), later - dt.timedelta(days=1)
    return sum(max(0, (min(end, last) - max(start, first)).days + 1) for start, end in holidays)


def mark_gaps(ctx: AuditContext) -> list[Finding]:
    """The days of the school holidays (``Vacation``, for the class's grade) do not count in a gap: a pupil marked
    on the last lesson but one before the autumn holidays and on the first after them has not gone long unasked."""
    findings = []
    vacations = _vacations(ctx) if _windows(ctx) else []  # read whenever a pupil is judged: a constant query count
    windows = [window for window in _windows(ctx) if len(window.days) >= 2]  # 0–1 marks: the «few marks» check
    by_grade: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = {}
    max_gap = ctx.rules.max_gap_days
    for window in windows:
        assignment = window.assignment
        key = (assignment.year_id, assignment.school_class.grade)
        if key not in by_grade:
            by_grade[key] = [
                (start, end)
                for year_id, grade_from, grade_to, start, end in vacations
                if year_id == key[0] and grade_from <= key[1] <= grade_to
            ]
        holidays = by_grade[key]
        points = [window.start, *sorted(set(window.days)), window.end]
        longest, since, until, off = 0, None, None, 0
        for earlier, later in itertools.pairwise(points):
            gap = (later - earlier).days
            # A gap within the limit stays within it without the holidays: only a longer one is worth counting
            # them (the longest found is the same; the most of pupils' gaps are a few days).
            if gap <= max_gap:
                continue
            days_off = _holiday_days(holidays, earlier, later) if holidays else 0
            gap -= days_off
            if gap > longest:
                longest, since, until, off = gap, earlier, later, days_off
        if longest > max_gap:
            besides = ", не считая каникул" if off else ""
            findings.append(
                _finding(
                    "mark_gap",
                    window,
                    f"{longest} дн. без отметок{besides} (с {since:%d.%m.%Y} по {until:%d.%m.%Y})",
                )
            )
    return findings


register(
    Check(
        slug="few_marks",
        title="0–1 отметка",
        group=ACCUMULATION,
        clause="001 §3.4.4",
        run=few_marks,
        description=(
            "У учащегося нет ни одной отметки или только одна за учебный период "
            "(после двух недель в нём и четырёх уроков предмета)."
        ),
        remark=True,
    )
)
register(
    Check(
        slug="below_minimum",
        title="Меньше минимума",
        group=ACCUMULATION,
        clause="001 §3.4.4",
        run=below_minimum,
        description="За две недели до конца периода у учащегося меньше отметок, чем нужно для отметки за период.",
        weight=2,
    )
)
register(
    Check(
        slug="mark_gap",
        title="Долго без отметок",
        group=ACCUMULATION,
        clause="001 §3.4.4",
        run=mark_gaps,
        description="У учащегося больше трёх недель подряд нет ни одной отметки по предмету.",
    )
)
