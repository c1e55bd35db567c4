"""Контрольные работы: a control work where a pupil present at the lesson has no mark [001 §3.2.4: «обязательным
условием проведения контроля является выставление отметок всем учащимся, присутствующим на уроке»].

A lesson is a control work when it is marked so (Lesson.is_control) or its kind of work is a control one
(WorkType.is_control). Present: no absence code at the lesson; «оп» (late) is present. The pupils are those on
the class's (or subgroup's) list on the lesson's day, less those released from the subject. Written work may be
marked within a week [003 §2.6], so a control work is checked once that many days have passed since it (the
school's audit setting ``essay_days``, 7 by default: AuditSettings).
"""

import datetime as dt

from journal.models import Attendance, AttendanceCode, Mark

from .accumulation import is_exempt, roster
from .base import CONTROL, AuditContext, Check, Finding, register

ABSENT_CODES = [code for code in AttendanceCode.values if code != AttendanceCode.LATE]


def control_unmarked(ctx: AuditContext) -> list[Finding]:
    control_types = {pk for pk, work_type in ctx.work_types.items() if work_type.is_control}
    last = ctx.today - dt.timedelta(days=ctx.rules.essay_days)
    lessons = [
        lesson
        for lesson in ctx.lessons
        if lesson.date <= last and (lesson.is_control or lesson.work_type_id in control_types)
    ]
    if not lessons:
        return []
    ids = [lesson.pk for lesson in lessons]
    marked = set(Mark.objects.filter(lesson_id__in=ids).exclude(value="").values_list("lesson_id", "pupil_id"))
    absent = set(
        Attendance.objects.filter(lesson_id__in=ids, code__in=ABSENT_CODES).values_list("lesson_id", "pupil_id")
    )
    findings = []
    for lesson in lessons:
        assignment = ctx.assignment_by_id[lesson.assignment_id]
        period = ctx.period_on(assignment, lesson.date)
        for member in roster(ctx, assignment, lesson.date):
            key = (lesson.pk, member.pupil_id)
            if key in marked or key in absent or is_exempt(ctx, assignment, member.pupil_id, period):
                continue
            findings.append(
                ctx.lesson_finding(
                    "control_unmarked",
                    lesson,
                    f"контрольная работа: {member.name} присутствовал(а), но отметки нет",
                    pupil_id=member.pupil_id,
                )
            )
    return findings


register(
    Check(
        slug="control_unmarked",
        title="Контрольная без отметки",
        group=CONTROL,
        clause="001 §3.2.4",
        run=control_unmarked,
        description="На контрольной работе у присутствовавшего учащегося нет отметки (через неделю после работы).",
        weight=2,
        remark=True,
    )
)
