"""Records entered late, read from what the journal already keeps: ``Lesson.recorded_at`` and the history rows
(``history_date``) of homework and marks. The deadlines are the school's ``AuditSettings``, the seeds' by default.

- The lesson record: due by 24:00 of the lesson day in the school's time zone [002 §4.4.1] (plus
  ``record_grace_days``). Its moment is the lesson's first history row with a topic; a lesson without such a row
  (records written before the history, or in bulk) falls back to ``Lesson.recorded_at``, which the journal stamps
  when the record first gets something in it. Lessons without a topic are the «Без темы» check's.
- Homework: during the lesson or within ``homework_minutes`` (90) after the end of the class's last lesson that day
  [003 §2.8]; the last lesson is the highest lesson number of any of the class's lessons that day, its end the bell
  schedule's (``Bell``). Without a bell for that number the homework is due by 24:00 of the day. Its moment is the
  first history row of the homework with a text; homework since removed is not counted.
- Marks: by the start of the next lesson of the same assignment (``mark_next_lessons``: the first, or a later one)
  [003 §2.6]; the start is the bell schedule's, or 24:00 of that day without a bell. Marks of essays, expositions and
  dictations (a kind of work, of the mark or of the lesson, named «сочинение», «изложение» or «диктант»,
  ``ESSAY_STEMS``) are due within ``essay_days`` (7) days: by 24:00 of the lesson day plus 7. A mark's moment is
  its first history row with a value; a corrected mark keeps the moment it was first given. A lesson whose next
  lesson has not come yet has no deadline.

One finding per lesson; each read is one query for the whole context.
"""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Max, Min

from journal.models import Homework, Lesson, Mark
from journal.selectors.sql import fetch, placeholders, sql_date, table

from .base import LATENESS, AuditContext, Check, Finding, aware, register

ESSAY_STEMS = ("сочинен", "изложен", "диктант")


def _moment(value: dt.datetime, ctx: AuditContext) -> str:
    """A moment as the school's clock showed it: «12.11.2026 00:30»."""
    return f"{value.astimezone(ctx.tz):%d.%m.%Y %H:%M}"


def is_essay(name: str) -> bool:
    """Whether a kind of work is an essay, an exposition or a dictation (its marks have ``essay_days``)."""
    name = name.lower()
    return any(stem in name for stem in ESSAY_STEMS)


# The lesson record -------------------------------------------------------------------------------------------------


def record_deadline(ctx: AuditContext, lesson: Lesson) -> dt.datetime:
    return ctx.day_end(lesson.date + dt.timedelta(days=ctx.rules.record_grace_days))


def topics_entered(ctx: AuditContext) -> dict[int, dt.datetime]:
    """Lesson id → the first moment it had a topic, from the lessons' history (one query)."""
    if not ctx.lessons:
        return {}
    rows = (
        Lesson.history.filter(assignment_id__in=ctx.assignment_ids, date__gte=ctx.start, date__lte=ctx.last_day)
        .exclude(topic="")
        .values_list("id")
        .annotate(first=Min("history_date"))
        .order_by()
    )
    return dict(rows)


def late_records(ctx: AuditContext) -> list[Finding]:
    entered = topics_entered(ctx)
    findings = []
    for lesson in ctx.lessons:
        if not lesson.topic.strip():
            continue
        moment = entered.get(lesson.id) or lesson.recorded_at
        if moment is not None and moment >= record_deadline(ctx, lesson):
            text = f"запись об уроке внесена {_moment(moment, ctx)}, позже срока"
            findings.append(ctx.lesson_finding("late_record", lesson, text))
    return findings


# Homework ------------------------------------------------------------------------------------------------------------


def class_last_lessons(ctx: AuditContext) -> dict[tuple[int, dt.date], int]:
    """(class id, day) → the number of the class's last lesson that day, over all its lessons (one query)."""
    cache = ctx.__dict__.setdefault("_class_last_lessons", {})
    if "rows" not in cache:
        classes = {assignment.school_class_id for assignment in ctx.assignments}
        rows = (
            Lesson.objects.filter(assignment__school_class_id__in=classes, date__gte=ctx.start, date__lte=ctx.last_day)
            .values_list("assignment__school_class_id", "date")
            .annotate(last=Max("number"))
            .order_by()
        )
        cache["rows"] = {(class_id, day): last for class_id, day, last in rows} if classes else {}
    return cache["rows"]


def homework_deadline(ctx: AuditContext, lesson: Lesson) -> dt.datetime:
    assignment = ctx.assignment_by_id[lesson.assignment_id]
    last = class_last_lessons(ctx).get((assignment.school_class_id, lesson.date), lesson.number)
    bell = ctx.bell(assignment, max(last, lesson.number))
    if bell is None:
        return ctx.day_end(lesson.date)
    return ctx.at(lesson.date, bell.end_time) + dt.timedelta(minutes=ctx.rules.homework_minutes)


def homework_entered(ctx: AuditContext) -> dict[int, dt.datetime]:
    """Lesson id → the first moment homework with a text was given at it (one query over the history)."""
    if not ctx.lessons:
        return {}
    given = Homework.objects.filter(
        lesson__assignment_id__in=ctx.assignment_ids, lesson__date__gte=ctx.start, lesson__date__lte=ctx.last_day
    ).exclude(text="")
    rows = (
        Homework.history.filter(id__in=given.values("pk"))
        .exclude(text="")
        .values_list("lesson_id")
        .annotate(first=Min("history_date"))
        .order_by()
    )
    return dict(rows)


def late_homework(ctx: AuditContext) -> list[Finding]:
    entered = homework_entered(ctx)
    findings = []
    for lesson in ctx.lessons:
        moment = entered.get(lesson.id)
        if moment is not None and moment > homework_deadline(ctx, lesson):
            text = f"домашнее задание внесено {_moment(moment, ctx)}, позже срока"
            findings.append(ctx.lesson_finding("late_homework", lesson, text))
    return findings


# Marks ---------------------------------------------------------------------------------------------------------------


def following_lessons(ctx: AuditContext) -> dict[int, list[tuple[dt.date, int]]]:
    """Assignment id → its lessons (date, number) after the audited dates up to today, at most 10 weeks on (one
    query): the next lessons of the last audited ones."""
    if not ctx.lessons or ctx.last_day >= ctx.today:
        return {}
    until = min(ctx.today, ctx.last_day + dt.timedelta(weeks=10))
    rows = (
        Lesson.objects.filter(assignment_id__in=ctx.assignment_ids, date__gt=ctx.last_day, date__lte=until)
        .order_by("assignment_id", "date", "number")
        .values_list("assignment_id", "date", "number")
    )
    after: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for assignment_id, day, number in rows:
        after[assignment_id].append((day, number))
    return after


def mark_deadlines(ctx: AuditContext) -> dict[int, dt.datetime]:
    """Lesson id → when its marks are due: the start of the assignment's n-th next lesson (held by today)."""
    step = ctx.rules.mark_next_lessons
    after = following_lessons(ctx)
    by_assignment: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in ctx.lessons:
        by_assignment[lesson.assignment_id].append(lesson)
    deadlines = {}
    for assignment_id, lessons in by_assignment.items():
        assignment = ctx.assignment_by_id[assignment_id]
        slots = [(lesson.date, lesson.number) for lesson in lessons] + after.get(assignment_id, [])
        for index, lesson in enumerate(lessons):
            if index + step >= len(slots):
                break
            day, number = slots[index + step]
            bell = ctx.bell(assignment, number)
            deadlines[lesson.id] = ctx.at(day, bell.start_time) if bell is not None else ctx.day_end(day)
    return deadlines


def essay_types(ctx: AuditContext) -> set[int]:
    """The school's kinds of work that are essays, expositions or dictations (worked out once per audit)."""
    store = ctx.__dict__.setdefault("_essay_types", {})
    if "ids" not in store:
        store["ids"] = {pk for pk, work_type in ctx.work_types.items() if is_essay(work_type.name)}
    return store["ids"]


def marks_entered(ctx: AuditContext) -> list[tuple[int, dt.datetime, int]]:
    """(lesson id, first moment with a value, an essay's mark: 1 or 0) for every mark of the audited lessons that has a
    value now (one query over the history, in plain SQL: a whole school's quarter is some 100 000 marks)."""
    if not ctx.lessons:
        return []
    essays = sorted(essay_types(ctx))
    essay = f"MAX(CASE WHEN h.work_type_id IN ({placeholders(essays)}) THEN 1 ELSE 0 END)" if essays else "0"
    ids = ctx.assignment_ids
    rows = fetch(
        f"SELECT h.lesson_id, MIN(h.history_date), {essay} FROM {table(Mark.history.model)} h "
        f"WHERE h.value <> '' AND h.id IN ("
        f"SELECT m.id FROM {table(Mark)} m INNER JOIN {table(Lesson)} l ON l.id = m.lesson_id "
        f"WHERE l.assignment_id IN ({placeholders(ids)}) AND l.date >= %s AND l.date <= %s AND m.value <> ''"
        f") GROUP BY h.id, h.lesson_id, h.pupil_id",
        [*essays, *ids, sql_date(ctx.start), sql_date(ctx.last_day)],
    )
    if connection.vendor != "postgresql":  # SQLite: the moments as text
        return [(lesson_id, aware(first), essay_mark) for lesson_id, first, essay_mark in rows]
    return rows


def late_marks(ctx: AuditContext) -> list[Finding]:
    entries = marks_entered(ctx)
    if not entries:
        return []
    deadlines = mark_deadlines(ctx)
    essay_days = dt.timedelta(days=ctx.rules.essay_days)
    essays = essay_types(ctx)
    # Each lesson's two deadlines, worked out once: a mark's (the next lesson's), an essay's (``essay_days``); an
    # essay lesson's marks are all essays'. A mark of a lesson not audited finds no deadline.
    # In UTC, as the moments come: datetimes of one tzinfo compare without asking it for their offsets.
    normal_due: dict[int, dt.datetime | None] = {}
    essay_due: dict[int, dt.datetime] = {}
    for lesson in ctx.lessons:
        essay_deadline = essay_due[lesson.id] = ctx.day_end(lesson.date + essay_days).astimezone(dt.UTC)
        normal = deadlines.get(lesson.id)
        if lesson.work_type_id in essays:
            normal = essay_deadline
        elif normal is not None:
            normal = normal.astimezone(dt.UTC)
        normal_due[lesson.id] = normal
    late: dict[int, list[dt.datetime]] = defaultdict(list)
    for lesson_id, moment, essay_mark in entries:
        deadline = (essay_due if essay_mark else normal_due).get(lesson_id)
        if deadline is not None and moment > deadline:
            late[lesson_id].append(moment)
    findings = []
    for lesson in ctx.lessons:
        moments = late.get(lesson.id)
        if moments:
            text = f"отметок внесено позже срока: {len(moments)} (последняя {_moment(max(moments), ctx)})"
            findings.append(ctx.lesson_finding("late_marks", lesson, text))
    return findings


register(
    Check(
        slug="late_record",
        title="Тема позже срока",
        group=LATENESS,
        clause="002 §4.4.1",
        run=late_records,
        description="Запись об уроке (тема) внесена после 24:00 дня урока.",
    )
)
register(
    Check(
        slug="late_homework",
        title="Д/з позже срока",
        group=LATENESS,
        clause="003 §2.8",
        run=late_homework,
        description="Домашнее задание внесено позже чем через 1,5 часа после последнего урока класса в этот день.",
    )
)
register(
    Check(
        slug="late_marks",
        title="Отметки позже срока",
        group=LATENESS,
        clause="003 §2.6",
        run=late_marks,
        description=(
            "Отметки внесены после следующего урока предмета; за сочинения, изложения и диктанты — позже 7 дней."
        ),
    )
)
