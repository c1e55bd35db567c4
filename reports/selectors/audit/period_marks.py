"""Отметки за период: period marks set later than 2 days before the period's end [002 §5.4: «итоговые отметки
выставляются не позднее 2-х дней до окончания учебного периода»], and period marks far from the pupil's weighted
average of the period's current marks [000 §7.3: «объективность выставленных текущих и итоговых оценок»].

The periods checked are those of each assignment's grade scheme that overlap the audit's dates. A mark's «set»
moment is the first time its history shows a value (a later correction does not make it late); the deadline is the
end of the day two days before the period's last day (the school's audit setting
``period_mark_days_before_end``, 2 by default: AuditSettings), in the school's time zone. The divergence uses the school's
report setting ``divergence_threshold`` (reports.selectors.settings.report_settings), as the report «Сравнение
среднего балла и итоговой отметки» (reports.selectors.divergence) does, with the same weighted average
(journal.selectors.averages.weighted_average: a kind of work without a weight weighs 1; зачёт/незачёт never count).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from journal.models import PeriodMark, PeriodMarkKind
from journal.selectors.averages import weighted_average

from ..settings import report_settings
from .accumulation import audited_periods, cached, current_marks, period_label, pupil_name
from .base import PERIOD_MARKS, AuditContext, Check, Finding, register

NUMERIC = {"1", "2", "3", "4", "5"}


def _period_marks(ctx: AuditContext) -> list[tuple[int, int, int, int, str, dt.datetime]]:
    """(pk, assignment, pupil, period, value, updated_at) of the set period marks of the audited periods: one query."""

    def read():
        period_ids = {p.pk for a in ctx.assignments for p in audited_periods(ctx, a)}
        if not period_ids:
            return []
        return list(
            PeriodMark.objects.filter(
                assignment_id__in=ctx.assignment_by_id, kind=PeriodMarkKind.PERIOD, period_id__in=period_ids
            )
            .exclude(value="")
            .order_by("assignment_id", "period_id", "pupil_id")
            .values_list("pk", "assignment_id", "pupil_id", "period_id", "value", "updated_at")
        )

    return cached(ctx, "period_marks", read)


def _first_set(ctx: AuditContext) -> dict[int, dt.datetime]:
    """Each period mark's first moment with a value, from its history: one query."""
    period_ids = {p.pk for a in ctx.assignments for p in audited_periods(ctx, a)}
    if not period_ids:
        return {}
    rows = (
        PeriodMark.history.filter(
            assignment_id__in=ctx.assignment_by_id, kind=PeriodMarkKind.PERIOD, period_id__in=period_ids
        )
        .exclude(value="")
        .values("id")
        .annotate(first=Min("history_date"))
        .order_by()
        .values_list("id", "first")
    )
    return dict(rows)


def _periods_by_id(ctx: AuditContext) -> dict:
    return {p.pk: p for a in ctx.assignments for p in audited_periods(ctx, a)}


def _finding(check: str, ctx: AuditContext, assignment_id: int, pupil_id: int, period, text: str) -> Finding:
    assignment = ctx.assignment_by_id[assignment_id]
    urls = cached(ctx, "period_marks_urls", dict)
    if assignment_id not in urls:
        urls[assignment_id] = reverse("journal:period_marks", args=[assignment_id])
    url = f"{urls[assignment_id]}?kind=period&period={period.pk}"
    return Finding(
        check=check,
        teacher_id=assignment.teacher_id,
        assignment_id=assignment_id,
        class_id=assignment.school_class_id,
        text=f"{pupil_name(ctx, assignment, pupil_id)}: {text}",
        url=url,
        day=period.end_date,
        pupil_id=pupil_id,
    )


def period_marks_late(ctx: AuditContext) -> list[Finding]:
    marks = _period_marks(ctx)
    if not marks:
        return []
    first_set = _first_set(ctx)
    periods = _periods_by_id(ctx)
    zone = ctx.tz
    days_before = ctx.rules.period_mark_days_before_end
    findings = []
    for pk, assignment_id, pupil_id, period_id, value, updated_at in marks:
        period = periods[period_id]
        deadline = period.end_date - dt.timedelta(days=days_before)
        moment = first_set.get(pk, updated_at)
        set_on = timezone.localtime(moment, zone).date()
        if set_on > deadline:
            findings.append(
                _finding(
                    "period_mark_late",
                    ctx,
                    assignment_id,
                    pupil_id,
                    period,
                    f"отметка «{value}» за {period_label(ctx, period)} выставлена {set_on:%d.%m.%Y}, позже срока {deadline:%d.%m.%Y}",
                )
            )
    return findings


def period_marks_divergent(ctx: AuditContext) -> list[Finding]:
    marks = _period_marks(ctx)
    if not marks:
        return []
    threshold = cached(ctx, "report_settings", lambda: report_settings(ctx.scope.school)).divergence_threshold
    current = current_marks(ctx)
    periods = _periods_by_id(ctx)
    findings = []
    for _pk, assignment_id, pupil_id, period_id, value, _updated_at in marks:
        if value not in NUMERIC:
            continue
        period = periods[period_id]
        first, last = period.start_date, period.end_date  # locals: read per mark
        average = weighted_average(
            (mark, weight) for day, mark, weight in current.get((pupil_id, assignment_id), []) if first <= day <= last
        )
        if average is None:
            continue
        difference = int(value) - average
        if abs(difference) > Decimal(threshold):
            findings.append(
                _finding(
                    "period_mark_divergent",
                    ctx,
                    assignment_id,
                    pupil_id,
                    period,
                    f"за {period_label(ctx, period)} «{value}», а средний балл {average:.2f} (расхождение {abs(difference):.2f} "
                    f"больше {Decimal(threshold):.2f})".replace(".", ","),
                )
            )
    return findings


register(
    Check(
        slug="period_mark_late",
        title="Поздно за период",
        group=PERIOD_MARKS,
        clause="002 §5.4",
        run=period_marks_late,
        description="Отметка за период выставлена позже чем за 2 дня до окончания учебного периода.",
    )
)
register(
    Check(
        slug="period_mark_divergent",
        title="Далеко от среднего",
        group=PERIOD_MARKS,
        clause="000 §7.3",
        run=period_marks_divergent,
        description="Отметка за период отличается от средневзвешенного балла больше, чем на порог школы.",
    )
)
