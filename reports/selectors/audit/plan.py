"""КТП и выполнение программы: an assignment without a КТП; the hours of the plan due by the audit's day against the
lessons held (lessons behind); lessons replaced (замены) and lessons not held [001 §3.4.4, 000 §7.3].

How the plan maps to dates (journal.services.plan.plan_apply_topics): each topic takes ``hours`` consecutive lessons
of the assignment, the lessons being laid out by the timetable. So the plan's hours due by a day are the lessons
dated up to that day, no more than the plan's hours in all; a lesson counts as held as the КТП page counts it
(journal.services.plan.lesson_held: its record was saved, or it has marks, attendance or homework). The journal has
no other notion of a lesson «not held» (no cancelled flag): a lesson of the timetable, already past, with nothing
recorded is a lesson not held. A lesson of today may still be recorded tonight, so only lessons before today count.
"""

import datetime as dt
from dataclasses import replace

from django.db.models import Count, Sum
from django.urls import reverse

from journal.models import Lesson, PlanTopic, Substitution
from journal.services.plan import lesson_held, with_held

from .accumulation import cached
from .base import PLAN, AuditContext, Check, Finding, register

# The plan is behind when ``ctx.rules.plan_behind_lessons`` (default 2) lessons due by the plan were not held (one
# unrecorded lesson is the records' lapse; two and more put the programme behind).


def _plan_hours(ctx: AuditContext) -> dict[int, int]:
    """The plan's hours in all per assignment (absent: no КТП): one query."""

    def read():
        if not ctx.assignments:
            return {}
        rows = (
            PlanTopic.objects.filter(assignment_id__in=ctx.assignment_by_id)
            .values("assignment_id")
            .annotate(hours=Sum("hours"))
            .order_by()
            .values_list("assignment_id", "hours")
        )
        return dict(rows)

    return cached(ctx, "plan_hours", read)


def _last_due(ctx: AuditContext) -> dt.date:
    """The last day whose lessons are due: the audit's end, or yesterday if earlier."""
    return min(ctx.end, ctx.today - dt.timedelta(days=1))


def _progress(ctx: AuditContext) -> dict[int, tuple[int, int]]:
    """Per assignment: (lessons laid out up to the last day due, of them held), from the year's start: one
    aggregate query."""

    def read():
        if not ctx.assignments:
            return {}
        rows = (
            Lesson.objects.filter(assignment_id__in=ctx.assignment_by_id, date__lte=_last_due(ctx))
            .values("assignment_id")
            .annotate(due=Count("pk"), held=Count("pk", filter=lesson_held()))
            .order_by()
            .values_list("assignment_id", "due", "held")
        )
        return {assignment_id: (due, held) for assignment_id, due, held in rows}

    return cached(ctx, "plan_progress", read)


def plan_missing(ctx: AuditContext) -> list[Finding]:
    hours = _plan_hours(ctx)
    findings = []
    for assignment in ctx.assignments:
        if assignment.pk in hours:
            continue
        findings.append(
            Finding(
                check="plan_missing",
                teacher_id=assignment.teacher_id,
                assignment_id=assignment.pk,
                class_id=assignment.school_class_id,
                text=f"{assignment.subject.name}, {assignment.school_class}: нет КТП",
                url=reverse("journal:plan", args=[assignment.pk]),
            )
        )
    return findings


def plan_behind(ctx: AuditContext) -> list[Finding]:
    hours = _plan_hours(ctx)
    progress = _progress(ctx)
    last = _last_due(ctx)
    findings = []
    for assignment in ctx.assignments:
        if assignment.pk not in hours:
            continue  # no plan: «КТП missing»
        laid_out, done = progress.get(assignment.pk, (0, 0))
        due = min(hours[assignment.pk], laid_out)
        if due - done >= ctx.rules.plan_behind_lessons:
            findings.append(
                Finding(
                    check="plan_behind",
                    teacher_id=assignment.teacher_id,
                    assignment_id=assignment.pk,
                    class_id=assignment.school_class_id,
                    text=(
                        f"{assignment.subject.name}, {assignment.school_class}: по КТП к {last:%d.%m.%Y} — {due} ч, "
                        f"проведено {done}: отставание {due - done} ч"
                    ),
                    url=reverse("journal:plan", args=[assignment.pk]),
                    day=last,
                )
            )
    return findings


def lessons_not_held(ctx: AuditContext) -> list[Finding]:
    last = _last_due(ctx)
    if not ctx.assignments or last < ctx.start:
        return []
    rows = (
        with_held(Lesson.objects.filter(assignment_id__in=ctx.assignment_by_id, date__gte=ctx.start, date__lte=last))
        .filter(held=False)
        .order_by("assignment_id", "date", "number")
        .values_list("pk", "assignment_id", "date", "number", "taught_by_id")
    )
    findings = []
    for pk, assignment_id, date, number, taught_by_id in rows:
        lesson = Lesson(pk=pk, assignment_id=assignment_id, date=date, number=number, taught_by_id=taught_by_id)
        findings.append(
            ctx.lesson_finding(
                "lesson_not_held",
                lesson,
                "урок не проведён: нет ни записи об уроке, ни отметок, ни посещаемости, ни задания",
            )
        )
    return findings


def lessons_replaced(ctx: AuditContext) -> list[Finding]:
    last = min(ctx.end, ctx.today)
    if not ctx.assignments or last < ctx.start:
        return []
    rows = (
        Substitution.objects.filter(
            lesson__assignment_id__in=ctx.assignment_by_id, lesson__date__gte=ctx.start, lesson__date__lte=last
        )
        .select_related("lesson", "substitute")
        .order_by("lesson__date", "lesson__number")
    )
    findings = []
    for substitution in rows:
        lesson = substitution.lesson
        assignment = ctx.assignment_by_id[lesson.assignment_id]
        reason = f" ({substitution.reason})" if substitution.reason else ""
        finding = ctx.lesson_finding("lesson_replaced", lesson, f"замена: {substitution.substitute.short_name}{reason}")
        # Counted for the teacher whose lesson it was (the substitute is named in the text).
        findings.append(replace(finding, teacher_id=assignment.teacher_id))
    return findings


register(
    Check(
        slug="plan_missing",
        title="Нет КТП",
        group=PLAN,
        clause="001 §3.4.4",
        run=plan_missing,
        description="У предмета в классе нет календарно-тематического планирования.",
        weight=3,
        remark=True,
    )
)
register(
    Check(
        slug="plan_behind",
        title="Отставание от КТП",
        group=PLAN,
        clause="000 §7.3",
        run=plan_behind,
        description="Проведено на 2 урока и больше меньше, чем часов КТП приходится на уроки по сегодняшний день.",
        weight=2,
    )
)
register(
    Check(
        slug="lesson_replaced",
        title="Замены",
        group=PLAN,
        clause="001 §3.4.4",
        run=lessons_replaced,
        description="Урок провёл заменяющий учитель (для сведения, в оценку журнала не входит).",
        weight=0,
    )
)
register(
    Check(
        slug="lesson_not_held",
        title="Не проведён",
        group=PLAN,
        clause="001 §3.4.4",
        run=lessons_not_held,
        description="Прошедший урок по расписанию без записи об уроке, отметок, посещаемости и домашнего задания.",
    )
)
