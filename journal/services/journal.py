"""Writes of the class journal: marks, attendance, the lesson record and homework, each rule in one place.

Who writes: the assignment's teacher, the class teacher of the class [003 §4.4] and the substitute recorded for
that one lesson [000 §5.3] (journal.access.lesson_editor_role). The director, the deputy head and the admin read
the journal and never write in it: PermissionDenied.

What the 10-working-day lock covers (journal.lock.edit_state): marks and attendance [000 §5.3]. The lesson record
(topic, КТП topic, kind of work, control work) and homework are not marks: they stay editable all year, including
ahead of the lesson (a topic planned from the КТП), because the regulations' deadlines for them (the record by
24:00 of the lesson day [002 §4.4.1]; homework during the lesson or within 1.5 h after the class's lessons end
[003 §2.8]) are a matter for the deputy's timeliness audit, which reads their history, not a lock.
A closed year refuses everything.

Attendance taken: the journal keeps absences and lateness only, so ``Lesson.attendance_taken_at`` records when the
register was first taken — stamped by attendance_set (a code written) and by lesson_attendance_taken (the teacher's
«все присутствуют» / «Посещаемость отмечена»), under the marks' lock, never by saving the topic alone.

The lesson page saves its record and its homework together (lesson_record_and_homework_set): one transaction
around the two services, so a refused homework leaves the topic as it was.

Every write records who made it even outside a request (imports, Celery): ``_history_user`` for simple_history, and
a mark's or an absence's history row written with the row itself, as simple_history writes it (_insert, _update:
the cell is the hot write, in plain SQL). Nothing is hard-deleted: clearing a mark or an absence sets "" and keeps
the row and its history; removing homework empties its text (selectors show homework with a text only).

Concurrency: a cell (lesson, pupil[, position]) is written under a row lock (FOR UPDATE) of its row; when there is
no row yet, the insert does nothing if another writer inserted the same cell first (ON CONFLICT DO NOTHING on the
unique constraint, waiting for that writer's commit), and the row is then locked and updated. Two people typing into
the same cell end with one row, the last value, and both changes in its history; never a duplicate or a 500.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import is_school_management, same_school
from accounts.models import PupilProfile, User
from journal.access import is_lesson_class_teacher, lesson_editor_role

from ..lock import edit_state, school_today
from ..models import (
    Attendance,
    AttendanceCode,
    CurriculumEntry,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    MarkValue,
    PlanTopic,
    Subgroup,
    WorkType,
)
from ..selectors.sql import as_datetime, fetch, placeholders, sql_date, table
from ..workdays import grade_calendar
from .structure import ensure_year_writable
from .work_types import ORAL_ANSWER, work_types_ensure

# The values are taken exactly as they are stored: nothing is lowercased, trimmed or read as a similar letter, so a
# stray key (a Latin «b», «0», «оп» typed as Latin «o» and «п») is refused, never saved as a guess.
NUMERIC_MARKS = frozenset({"1", "2", "3", "4", "5"})
PASS_FAIL_MARKS = frozenset({MarkValue.PASS, MarkValue.FAIL})
MARK_POSITIONS = (1, 2)  # up to two marks per pupil per lesson
# Absent for the whole lesson; «оп» (late) is present and may get a mark.
ABSENT_CODES = frozenset({AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.UNEXCUSED})
# The class teacher corrects reasons within 2 working days after a document arrives [003 §2.9], also after the lock.
# The system cannot know when the document arrived: it keeps the correction open for 30 calendar days after the lesson.
REASON_CORRECTION_DAYS = 30
TOPIC_MAX_LENGTH = Lesson._meta.get_field("topic").max_length
HOMEWORK_MAX_LENGTH = 4000


class _Unset:
    """Marks an argument that was not passed (None is a value: it clears the field)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


# Checks shared by the writes -------------------------------------------------------------------------------------


def ensure_lesson_editor(actor: User, lesson: Lesson) -> str:
    """The actor's role in the lesson (teacher, class teacher, substitute), or PermissionDenied."""
    role = lesson_editor_role(actor, lesson)
    if role is not None:
        return role
    if is_school_management(actor) and same_school(actor, lesson.assignment.year.school_id):
        raise PermissionDenied(_("Администрация школы просматривает журнал, но не вносит в него записи."))
    raise PermissionDenied(_("Вы не ведёте журнал по этому уроку."))


def _ensure_marks_editable(lesson: Lesson) -> None:
    editable, reason = edit_state(lesson)
    if not editable:
        raise ValidationError(reason)


def _group_name(lesson: Lesson) -> str:
    assignment = lesson.assignment
    group = f" ({assignment.subgroup.name})" if assignment.subgroup_id else ""
    return f"{assignment.school_class}{group}"


def is_enrolled(lesson: Lesson, pupil_ids: list[int]) -> set[int]:
    """Which of the pupils belonged to the lesson's class (and subgroup) on the lesson's date (1–2 queries)."""
    assignment = lesson.assignment
    on_roll = set(
        Enrollment.objects.filter(
            models.Q(date_to__isnull=True) | models.Q(date_to__gte=lesson.date),
            school_class_id=assignment.school_class_id,
            pupil_id__in=pupil_ids,
            date_from__lte=lesson.date,
        )
        .order_by()
        .values_list("pupil_id", flat=True)
    )
    if on_roll and assignment.subgroup_id:
        on_roll &= set(
            Subgroup.pupils.through.objects.filter(
                subgroup_id=assignment.subgroup_id, pupilprofile_id__in=on_roll
            ).values_list("pupilprofile_id", flat=True)
        )
    return on_roll


def _ensure_enrolled(
    lesson: Lesson, pupil: PupilProfile, what: str, enrolled: bool | None = None, name: str | None = None
) -> None:
    if enrolled is None:
        enrolled = pupil.pk in is_enrolled(lesson, [pupil.pk])
    if not enrolled:
        raise ValidationError(
            _("%(pupil)s не числится в %(group)s на %(date)s: %(what)s нельзя.")
            % {
                "pupil": pupil if name is None else name,
                "group": _group_name(lesson),
                "date": f"{lesson.date:%d.%m.%Y}",
                "what": what,
            }
        )


# One cell: its rows and facts in one query, its write in plain SQL -------------------------------------------------
#
# Saving one cell is the journal's hot write (a teacher types a column of marks). Its rules read the cell's rows under
# a row lock and the few facts around them in one query (_mark_cell, _attendance_cell); the row and its history row
# are then written in plain SQL as Model.save() and simple_history's post_save write them (_insert, _update): the ORM
# and the history signal cost ~2 ms of CPU a save. On PostgreSQL the row and its history are one statement (a
# data-modifying WITH), on SQLite two.

PUPIL_NOT_FOUND = gettext_lazy("Учащийся не найден.")


def _lock() -> str:
    """The row-lock clause of a cell's read: FOR UPDATE on PostgreSQL; SQLite locks the whole database on a write."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def _enrolled_sql(lesson: Lesson, pupil_id: int, params: list) -> str:
    """is_enrolled as an SQL condition: the pupil on the roll of the lesson's class (and subgroup) on its date."""
    assignment = lesson.assignment
    day = sql_date(lesson.date)
    params += [assignment.school_class_id, pupil_id, day, day]
    sql = (
        f"EXISTS (SELECT 1 FROM {table(Enrollment)} e WHERE e.school_class_id = %s AND e.pupil_id = %s"
        " AND e.date_from <= %s AND (e.date_to IS NULL OR e.date_to >= %s))"
    )
    if assignment.subgroup_id:
        through = Subgroup.pupils.through
        sql += f" AND EXISTS (SELECT 1 FROM {table(through)} s WHERE s.subgroup_id = %s AND s.pupilprofile_id = %s)"
        params += [assignment.subgroup_id, pupil_id]
    return sql


def _pupil_join() -> str:
    """The pupil's user, whose names the messages use (u.id, u.last_name…; NULL for no such pupil): the cell view
    passes the pupil by id only (journal.selectors.grid.cell_pupil)."""
    return f" LEFT JOIN {table(PupilProfile)} p ON p.id = %s LEFT JOIN {table(User)} u ON u.id = p.user_id"


def _pupil_name(user_id, last: str, first: str, middle: str) -> str | None:
    """The pupil's full name, None if there is no such pupil."""
    if user_id is None:
        return None
    return " ".join(part for part in (last, first, middle) if part)


@functools.cache
def _columns(model) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in model._meta.concrete_fields)


@functools.cache  # once per process: ``model.history`` builds a new history manager at each read
def _history_sql(model) -> str:
    """The history row of ``model`` as simple_history writes it (HistoricalRecords.create_historical_record): every
    column of the row, history_date (the write's time, the row's updated_at), no change reason, the history type and
    the actor; the rest of the statement says FROM where the row's columns come."""
    columns = _columns(model)
    return (
        f"INSERT INTO {table(model.history.model)}"
        f" ({columns}, history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {columns}, %s, NULL, %s, %s FROM"
    )


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _stamped(values: dict, actor: User, now: dt.datetime) -> dict:
    return {**values, "updated_by_id": actor.pk, "updated_at": connection.ops.adapt_datetimefield_value(now)}


def _insert(model, values: dict, actor: User, now: dt.datetime) -> int | None:
    """Insert a new cell's row and its "+" history row; the row's id, or None if a concurrent writer inserted the
    same cell first (ON CONFLICT DO NOTHING on its unique constraint: no savepoint, the caller updates theirs)."""
    values = _stamped(values, actor, now)
    names = ", ".join(connection.ops.quote_name(name) for name in values)
    insert = f"INSERT INTO {table(model)} ({names}) VALUES ({placeholders(values)}) ON CONFLICT DO NOTHING"
    history = [connection.ops.adapt_datetimefield_value(now), "+", actor.pk]
    if connection.vendor == "postgresql":
        rows = fetch(
            f"WITH r AS ({insert} RETURNING {_columns(model)}) {_history_sql(model)} r RETURNING id",
            [*values.values(), *history],
        )
        return rows[0][0] if rows else None
    rows = fetch(f"{insert} RETURNING id", list(values.values()))
    if not rows:
        return None
    _execute(f"{_history_sql(model)} {table(model)} WHERE id = %s", [*history, rows[0][0]])
    return rows[0][0]


def _update(model, pk: int, values: dict, actor: User, now: dt.datetime) -> None:
    """Update a cell's row and add its "~" history row."""
    values = _stamped(values, actor, now)
    update = (
        f"UPDATE {table(model)} SET {', '.join(f'{connection.ops.quote_name(name)} = %s' for name in values)}"
        " WHERE id = %s"
    )
    history = [connection.ops.adapt_datetimefield_value(now), "~", actor.pk]
    if connection.vendor == "postgresql":
        sql = f"WITH r AS ({update} RETURNING {_columns(model)}) {_history_sql(model)} r"
        _execute(sql, [*values.values(), pk, *history])
        return
    _execute(update, [*values.values(), pk])
    _execute(f"{_history_sql(model)} {table(model)} WHERE id = %s", [*history, pk])


def _written(model, pk: int, actor: User | None, now: dt.datetime | None, **values):
    """The row as the write left it, as Model.save() would have returned it (``actor`` None: ``values`` say who)."""
    if actor is not None:
        values |= {"updated_by": actor, "updated_at": now}
    row = model(pk=pk, **values)
    row._state.adding = False
    row._state.db = connection.alias
    return row


# Marks -------------------------------------------------------------------------------------------------------------


def is_pass_fail(lesson: Lesson) -> bool:
    """Whether the lesson's subject is marked зачёт/незачёт in its class (the curriculum says so)."""
    assignment = lesson.assignment
    return bool(
        CurriculumEntry.objects.filter(school_class_id=assignment.school_class_id, subject_id=assignment.subject_id)
        .order_by()
        .values_list("is_pass_fail", flat=True)
        .first()
    )


def _ensure_mark_value(lesson: Lesson, value: str, pass_fail: bool | None = None) -> None:
    if pass_fail is None:
        pass_fail = is_pass_fail(lesson)
    if pass_fail and value in NUMERIC_MARKS:
        raise ValidationError(
            _("По предмету «%(subject)s» в %(cls)s ставится зачёт или незачёт: «зч» или «нз», а не «%(value)s».")
            % {"subject": lesson.assignment.subject, "cls": lesson.assignment.school_class, "value": value}
        )
    if not pass_fail and value in PASS_FAIL_MARKS:
        raise ValidationError(
            _("По предмету «%(subject)s» ставятся отметки от 1 до 5; «зч» и «нз» — только по зачётным предметам.")
            % {"subject": lesson.assignment.subject}
        )
    if value not in NUMERIC_MARKS | PASS_FAIL_MARKS:
        if pass_fail:
            raise ValidationError(
                _("«%(value)s» — не отметка: по этому предмету ставится «зч» (зачёт) или «нз» (незачёт).")
                % {"value": value}
            )
        raise ValidationError(_("«%(value)s» — не отметка: ставятся отметки от 1 до 5.") % {"value": value})


def default_work_type(lesson: Lesson) -> WorkType:
    """The kind of work of a new mark: the lesson's, else «устный ответ» (created with the defaults if missing)."""
    if lesson.work_type_id:
        return lesson.work_type
    school_id = lesson.assignment.year.school_id
    work_type = WorkType.objects.filter(school_id=school_id, name=ORAL_ANSWER).first()
    if work_type is None:
        kinds = work_types_ensure(lesson.assignment.year.school)
        work_type = next((kind for kind in kinds if kind.name == ORAL_ANSWER), kinds[0])
    return work_type


def _ensure_present_or_allowed(
    lesson: Lesson, pupil: PupilProfile, work_type_id: int, facts: "_MarkFacts | None" = None
) -> None:
    if facts is not None:
        code = facts.attendance
    else:
        code = Attendance.objects.filter(lesson=lesson, pupil=pupil).values_list("code", flat=True).first()
    if code not in ABSENT_CODES:
        return
    if facts is not None and facts.kind is not None and facts.kind.pk == work_type_id:
        work_type = facts.kind
    else:
        work_type = WorkType.objects.get(pk=work_type_id)
    if not work_type.allows_absent:
        # The pupil is not named: the grid says whose cell it is beside the message (and names them once).
        raise ValidationError(
            _(
                "На уроке отмечен пропуск («%(code)s»): отметку за «%(kind)s» поставить нельзя. "
                "Снимите пропуск или выберите вид работы, который это допускает (например, домашняя работа)."
            )
            % {"code": code, "kind": work_type.name}
        )


class _CellMark(NamedTuple):
    """One mark of the cell as it is stored, read under its row lock."""

    id: int
    value: str
    work_type_id: int | None
    updated_by_id: int
    updated_at: object  # a datetime (SQLite: its text)


def _locked_mark(lesson: Lesson, pupil: PupilProfile, position: int) -> _CellMark:
    """The cell's mark at ``position`` locked: the row a concurrent writer has just inserted."""
    rows = fetch(
        f"SELECT id, value, work_type_id, updated_by_id, updated_at FROM {table(Mark)} WHERE lesson_id = %s AND pupil_id = %s AND position = %s"
        + _lock(),
        [lesson.pk, pupil.pk, position],
    )
    return _CellMark(*rows[0])


def _ensure_positions(position: int, value: str, marks: dict[int, _CellMark]) -> None:
    """A second mark stands beside a first one: it needs a first, and the first is not cleared from under it."""
    first, second = marks.get(1), marks.get(2)
    if position == 2 and value and not (first is not None and first.value):
        raise ValidationError(
            _("Вторая отметка за урок ставится только вместе с первой: сначала поставьте первую отметку.")
        )
    if position == 1 and not value and first is not None and first.value and second is not None and second.value:
        raise ValidationError(
            _("Сначала уберите вторую отметку («%(second)s»), затем первую: вторая отметка без первой не остаётся.")
            % {"second": second.value}
        )


@dataclass
class _MarkFacts:
    """What mark_set's rules read: the cell's marks, locked, and the facts around them, in one query (_mark_cell)."""

    marks: dict[int, _CellMark]
    pass_fail: bool
    enrolled: bool
    attendance: str | None
    kind: WorkType | None  # the kind of work asked about (or the school's «устный ответ»), None if there is none
    pupil_name: str | None  # None: no such pupil


def _mark_cell(lesson: Lesson, pupil: PupilProfile, position: int, work_type_id: int | None) -> _MarkFacts:
    """In one query, what putting a mark depends on: the cell's marks, locked in the order of their positions (the
    second depends on the first; FOR UPDATE on PostgreSQL), whether the subject is pass/fail in the class
    (is_pass_fail), whether the pupil was on the roll of the class and subgroup on the lesson's date (is_enrolled),
    the pupil's attendance code at the lesson, the pupil's names, and the kind of work mark_set will write with
    whether it allows a mark to an absent pupil: ``work_type_id``, else the mark's own, else the lesson's, else the
    school's «устный ответ» (default_work_type's fallback).

    One statement: on PostgreSQL the facts are read in its snapshot and the locked rows as they are once locked (a
    concurrent writer of the cell changes none of the facts; if it changed the mark's kind of work, mark_set reads
    that kind again)."""
    assignment = lesson.assignment
    params: list = [assignment.school_class_id, assignment.subject_id]
    enrolled = _enrolled_sql(lesson, pupil.pk, params)
    params += [lesson.pk, pupil.pk]
    params += [work_type_id, lesson.pk, pupil.pk, position, lesson.work_type_id, assignment.year.school_id, ORAL_ANSWER]
    params += [pupil.pk, lesson.pk, pupil.pk]
    rows = fetch(
        "SELECT"
        f" (SELECT c.is_pass_fail FROM {table(CurriculumEntry)} c"
        "   WHERE c.school_class_id = %s AND c.subject_id = %s ORDER BY c.id LIMIT 1),"
        f" {enrolled},"
        f" (SELECT a.code FROM {table(Attendance)} a WHERE a.lesson_id = %s AND a.pupil_id = %s),"
        " w.id, w.school_id, w.name, w.allows_absent, u.id, u.last_name, u.first_name, u.middle_name,"
        " m.id, m.position, m.value, m.work_type_id, m.updated_by_id, m.updated_at"
        " FROM (SELECT 1 AS one) one"
        f" LEFT JOIN {table(WorkType)} w ON w.id = COALESCE(%s,"
        f"   (SELECT k.work_type_id FROM {table(Mark)} k WHERE k.lesson_id = %s AND k.pupil_id = %s AND k.position = %s),"
        f"   %s, (SELECT k.id FROM {table(WorkType)} k WHERE k.school_id = %s AND k.name = %s ORDER BY k.id LIMIT 1))"
        f"{_pupil_join()}"
        f" LEFT JOIN (SELECT id, position, value, work_type_id, updated_by_id, updated_at FROM {table(Mark)}"
        f"   WHERE lesson_id = %s AND pupil_id = %s ORDER BY position{_lock()}) m ON 1 = 1"
        " ORDER BY m.position",
        params,
    )
    pass_fail, enrolled, attendance, kind_id, school_id, name, allows_absent, user_id, last, first, middle = rows[0][
        :11
    ]
    kind = None
    if kind_id is not None:
        kind = WorkType(pk=kind_id, school_id=school_id, name=name, allows_absent=bool(allows_absent))
    marks = {row[12]: _CellMark(row[11], *row[13:]) for row in rows if row[11] is not None}
    return _MarkFacts(
        marks, bool(pass_fail), bool(enrolled), attendance, kind, _pupil_name(user_id, last, first, middle)
    )


@transaction.atomic
def mark_set(
    *,
    actor: User,
    lesson: Lesson,
    pupil: PupilProfile,
    value: str,
    work_type: WorkType | None = None,
    position: int = 1,
) -> Mark:
    """Put, change or clear ("") a pupil's mark for a lesson.

    Rules: the actor keeps the lesson's journal; the lesson is editable (edit_state: 10 working days, an open
    window, not in the future, not a closed year); the value is 1–5, or зч/нз where the subject is pass/fail;
    position 1 or 2; the pupil exists and belonged to the class (and subgroup) on the lesson's date; a pupil absent
    for the whole lesson (н, б, у, п) gets no mark unless the kind of work allows it. The kind of work is the one
    given, else the mark's own (a changed value keeps its kind), else the lesson's, else «устный ответ».

    The value is taken exactly (see NUMERIC_MARKS): anything else is refused, never read as something close. The
    second mark needs a first one, and the first is not cleared while a second stands (clear the second first):
    a lone second mark would read as a first one.

    Clearing a cell that was never written writes nothing and returns an unsaved empty mark. Model.full_clean's
    checks of a mark (the value one of MarkValue, the position 1 or 2) are these rules.
    """
    ensure_lesson_editor(actor, lesson)
    value = value or ""
    if position not in MARK_POSITIONS:
        raise ValidationError(_("За урок можно поставить не больше двух отметок (отметка № 1 или № 2)."))
    _ensure_marks_editable(lesson)
    school_id = lesson.assignment.year.school_id
    if work_type is not None and work_type.school_id != school_id:
        raise ValidationError(_("Этот вид работы относится к другой школе."))

    # The cell's rows, locked, and everything else a mark's rules read: one query (_mark_cell).
    facts = _mark_cell(lesson, pupil, position, work_type.pk if work_type is not None else None)
    if facts.pupil_name is None:
        raise ValidationError(PUPIL_NOT_FOUND)
    mark = facts.marks.get(position)
    if work_type is not None:
        work_type_id = work_type.pk
    elif mark is not None and mark.work_type_id:
        work_type_id = mark.work_type_id
    else:
        work_type_id = lesson.work_type_id  # None: «устный ответ», found by _mark_cell or default_work_type
    if value:
        _ensure_mark_value(lesson, value, pass_fail=facts.pass_fail)
        _ensure_enrolled(lesson, pupil, gettext_lazy("ставить отметку"), enrolled=facts.enrolled, name=facts.pupil_name)
    _ensure_positions(position, value, facts.marks)
    if mark is None and not value:
        return Mark(lesson=lesson, pupil=pupil, position=position, value="", updated_by=actor)
    if work_type_id is None:
        work_type_id = facts.kind.pk if facts.kind is not None else default_work_type(lesson).pk
    if value:
        _ensure_present_or_allowed(lesson, pupil, work_type_id, facts)

    now = timezone.now()
    written = {"lesson": lesson, "pupil": pupil, "position": position, "value": value, "work_type_id": work_type_id}
    if mark is None:
        values = {"lesson_id": lesson.pk, "pupil_id": pupil.pk, "position": position}
        pk = _insert(Mark, {**values, "value": value, "work_type_id": work_type_id}, actor, now)
        if pk is not None:
            return _written(Mark, pk, actor, now, **written)
        mark = _locked_mark(lesson, pupil, position)  # a concurrent writer created the cell: update theirs
    if mark.value == value and mark.work_type_id == work_type_id:
        unchanged = {"updated_by_id": mark.updated_by_id, "updated_at": as_datetime(mark.updated_at)}
        return _written(Mark, mark.id, None, None, **written, **unchanged)
    _update(Mark, mark.id, {"value": value, "work_type_id": work_type_id}, actor, now)
    return _written(Mark, mark.id, actor, now, **written)


# Attendance --------------------------------------------------------------------------------------------------------


def _ensure_code(code: str) -> None:
    if code and code not in AttendanceCode.values:
        raise ValidationError(
            _(
                "«%(code)s» — не отметка о посещении. Допустимы: н, б (болезнь), у (уважительная причина), "
                "п (неуважительная причина), оп (опоздание)."
            )
            % {"code": code}
        )


def reason_correction_allowed(actor: User, lesson: Lesson, old: str, new: str, today: dt.date | None = None) -> bool:
    """After the lock the class teacher may still change an absence's reason (н ↔ б, у, п) for 30 days.

    A document (a doctor's note, a parent's statement) often comes later than 10 working days; the class teacher
    corrects reasons for their class [003 §2.9, 000 §5.2]. Only the reason changes: an absence is neither added
    nor removed, and a closed year stays closed (checked before this).
    """
    if old not in ABSENT_CODES or new not in ABSENT_CODES or old == new:
        return False
    today = today or school_today(lesson.assignment.year.school)
    if not lesson.date <= today <= lesson.date + dt.timedelta(days=REASON_CORRECTION_DAYS):
        return False
    return is_lesson_class_teacher(actor, lesson)


@dataclass
class _AttendanceFacts:
    """What attendance_set's rules read: the cell's row, locked, and the facts around it, in one query."""

    id: int | None  # None: the cell has no row yet
    code: str
    updated_by_id: int | None
    updated_at: object  # a datetime (SQLite: its text)
    enrolled: bool
    marked: list[str]  # the pupil's marks at the lesson an absence would contradict
    pupil_name: str | None  # None: no such pupil


def _attendance_cell(lesson: Lesson, pupil: PupilProfile) -> _AttendanceFacts:
    """In one query: the cell's attendance row, locked (FOR UPDATE on PostgreSQL), whether the pupil was on the roll
    of the class and subgroup on the lesson's date (is_enrolled), the pupil's names, and the pupil's marks at the
    lesson of a kind that does not allow an absence (a kind of work that is not ``allows_absent``, or none)."""
    params: list = []
    enrolled = _enrolled_sql(lesson, pupil.pk, params)
    params += [pupil.pk, lesson.pk, pupil.pk, lesson.pk, pupil.pk, False]
    rows = fetch(
        f"SELECT {enrolled}, u.id, u.last_name, u.first_name, u.middle_name,"
        " a.id, a.code, a.updated_by_id, a.updated_at, k.value"
        f" FROM (SELECT 1 AS one) one{_pupil_join()}"
        f" LEFT JOIN (SELECT id, code, updated_by_id, updated_at FROM {table(Attendance)}"
        f"   WHERE lesson_id = %s AND pupil_id = %s{_lock()}) a ON 1 = 1"
        f" LEFT JOIN (SELECT m.position, m.value FROM {table(Mark)} m"
        f"   LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id"
        "   WHERE m.lesson_id = %s AND m.pupil_id = %s AND m.value <> '' AND NOT COALESCE(w.allows_absent, %s)) k"
        " ON 1 = 1 ORDER BY k.position",
        params,
    )
    enrolled, user_id, last, first, middle, row_id, code, updated_by_id, updated_at = rows[0][:9]
    return _AttendanceFacts(
        id=row_id,
        code=code or "",
        updated_by_id=updated_by_id,
        updated_at=updated_at,
        enrolled=bool(enrolled),
        marked=[row[9] for row in rows if row[9] is not None],
        pupil_name=_pupil_name(user_id, last, first, middle),
    )


@transaction.atomic
def attendance_set(*, actor: User, lesson: Lesson, pupil: PupilProfile, code: str) -> Attendance:
    """Mark, change or clear ("") a pupil's absence or lateness at a lesson.

    Rules: the actor keeps the lesson's journal; the code is exactly one of н, б, у, п, оп (nothing is lowercased,
    trimmed or read as a similar letter); the lesson is editable
    (edit_state), except that the class teacher may change the reason of an absence for 30 days after the lesson
    (reason_correction_allowed); the pupil exists and belonged to the class on the date; a pupil who already has a
    mark for the lesson cannot be marked absent for the whole lesson unless every such mark is of a kind that allows
    it. Clearing a cell that was never written writes nothing and returns an unsaved empty row. A code written stamps
    the lesson's «attendance taken» (``Lesson.attendance_taken_at``) if it is not stamped yet.
    """
    ensure_lesson_editor(actor, lesson)
    code = code or ""
    _ensure_code(code)
    ensure_year_writable(lesson.assignment.year)
    editable, reason = edit_state(lesson)

    # The cell's row, locked, and everything else attendance's rules read: one query (_attendance_cell).
    facts = _attendance_cell(lesson, pupil)
    if facts.pupil_name is None:
        raise ValidationError(PUPIL_NOT_FOUND)
    old = facts.code
    if not editable and not reason_correction_allowed(actor, lesson, old, code):
        raise ValidationError(reason)
    if facts.id is None and not code:
        return Attendance(lesson=lesson, pupil=pupil, code="", updated_by=actor)
    if code:
        _ensure_enrolled(
            lesson, pupil, gettext_lazy("отмечать посещаемость"), enrolled=facts.enrolled, name=facts.pupil_name
        )
    if code in ABSENT_CODES and old not in ABSENT_CODES and facts.marked:
        raise ValidationError(
            _(
                "У %(pupil)s есть отметка за этот урок (%(marks)s): отсутствующему её ставить нельзя. "
                "Сначала уберите отметку."
            )
            % {"pupil": facts.pupil_name, "marks": ", ".join(facts.marked)}
        )

    row = _attendance_write(actor, lesson, pupil, code, facts)
    if code:
        # An absence or lateness entered: the register of the lesson was taken. Stamped after the cell's row is
        # written, so that two writers of one cell meet on the cell's row first (the lesson's row is locked by the
        # stamp until the commit).
        _attendance_taken_stamp(lesson)
    return row


def _attendance_write(actor: User, lesson: Lesson, pupil: PupilProfile, code: str, facts: _AttendanceFacts):
    """Write the cell's code (Model.full_clean's check of it, one of AttendanceCode, is _ensure_code)."""
    now = timezone.now()
    row_id, old = facts.id, facts.code
    if row_id is None:
        row_id = _insert(Attendance, {"lesson_id": lesson.pk, "pupil_id": pupil.pk, "code": code}, actor, now)
        if row_id is not None:
            return _written(Attendance, row_id, actor, now, lesson=lesson, pupil=pupil, code=code)
        # A concurrent writer created the cell: update theirs.
        row_id, old, updated_by_id, updated_at = fetch(
            f"SELECT id, code, updated_by_id, updated_at FROM {table(Attendance)}"
            f" WHERE lesson_id = %s AND pupil_id = %s{_lock()}",
            [lesson.pk, pupil.pk],
        )[0]
    else:
        updated_by_id, updated_at = facts.updated_by_id, facts.updated_at
    if old == code:
        unchanged = {"updated_by_id": updated_by_id, "updated_at": as_datetime(updated_at)}
        return _written(Attendance, row_id, None, None, lesson=lesson, pupil=pupil, code=code, **unchanged)
    _update(Attendance, row_id, {"code": code}, actor, now)
    return _written(Attendance, row_id, actor, now, lesson=lesson, pupil=pupil, code=code)


def _attendance_taken_stamp(lesson: Lesson) -> None:
    """Stamp when the register of the lesson was first taken: once, by a conditional update (a second stamp, or two at
    once, change nothing). ``Lesson.attendance_taken_at`` tells a lesson where all came from one where nobody took
    the register: the journal stores absences and lateness only."""
    if lesson.attendance_taken_at is not None:
        return
    now = timezone.now()
    if Lesson.objects.filter(pk=lesson.pk, attendance_taken_at__isnull=True).update(attendance_taken_at=now):
        lesson.attendance_taken_at = now
    else:
        lesson.attendance_taken_at = Lesson.objects.values_list("attendance_taken_at", flat=True).get(pk=lesson.pk)


@transaction.atomic
def lesson_attendance_taken(*, actor: User, lesson: Lesson) -> Lesson:
    """The teacher confirms the register of the lesson is taken: everybody is present, apart from the absences and
    lateness entered (if any). Stamps ``attendance_taken_at`` the first time; later confirmations change nothing.

    Attendance is under the marks' rules: the lesson's teacher, class teacher or substitute; not a lesson to come,
    not after the 10-working-day lock (unless an edit window is open), not in a closed year.
    """
    ensure_lesson_editor(actor, lesson)
    ensure_year_writable(lesson.assignment.year)
    if lesson.attendance_taken_at is not None:
        return lesson
    _ensure_marks_editable(lesson)
    _attendance_taken_stamp(lesson)
    return lesson


# The lesson record -------------------------------------------------------------------------------------------------


@transaction.atomic
def lesson_record_set(
    *,
    actor: User,
    lesson: Lesson,
    topic: str | None = None,
    plan_topic: PlanTopic | _Unset | None = UNSET,
    work_type: WorkType | _Unset | None = UNSET,
    is_control: bool | None = None,
) -> Lesson:
    """Write the lesson record: topic, КТП topic, kind of work done, control work. Only the fields passed change.

    ``topic`` and ``is_control``: None leaves them ("" clears the topic). ``plan_topic`` and ``work_type``: not
    passed leaves them, None clears them. A КТП topic given to a lesson without a topic becomes its topic; a kind
    of work that is a control work marks the lesson as one unless ``is_control`` says otherwise. ``recorded_at``
    is set the first time the record gets something in it.

    Not under the 10-day mark lock (see the module docstring); refused in a closed year and for anyone but the
    lesson's teacher, the class teacher and the lesson's substitute.
    """
    ensure_lesson_editor(actor, lesson)
    ensure_year_writable(lesson.assignment.year)
    fresh = Lesson.objects.select_for_update().get(pk=lesson.pk)
    changed: list[str] = []

    if topic is not None:
        topic = " ".join(topic.split())
        if len(topic) > TOPIC_MAX_LENGTH:
            raise ValidationError(_("Тема урока не может быть длиннее %(n)s знаков.") % {"n": TOPIC_MAX_LENGTH})
        if fresh.topic != topic:
            fresh.topic = topic
            changed.append("topic")
    if not isinstance(plan_topic, _Unset):
        if plan_topic is not None and plan_topic.assignment_id != lesson.assignment_id:
            raise ValidationError(_("Тема из КТП другой нагрузки: выберите тему из плана этого предмета и класса."))
        new_id = plan_topic.pk if plan_topic is not None else None
        if fresh.plan_topic_id != new_id:
            fresh.plan_topic = plan_topic
            changed.append("plan_topic")
        if plan_topic is not None and topic is None and not fresh.topic:
            fresh.topic = plan_topic.title[:TOPIC_MAX_LENGTH]
            changed.append("topic")
    if not isinstance(work_type, _Unset):
        if work_type is not None and work_type.school_id != lesson.assignment.year.school_id:
            raise ValidationError(_("Этот вид работы относится к другой школе."))
        new_id = work_type.pk if work_type is not None else None
        if fresh.work_type_id != new_id:
            fresh.work_type = work_type
            changed.append("work_type")
        if work_type is not None and work_type.is_control and is_control is None and not fresh.is_control:
            fresh.is_control = True
            changed.append("is_control")
    if is_control is not None and fresh.is_control != bool(is_control):
        fresh.is_control = bool(is_control)
        changed.append("is_control")

    if changed:
        has_record = bool(fresh.topic or fresh.plan_topic_id or fresh.work_type_id or fresh.is_control)
        if fresh.recorded_at is None and has_record:
            fresh.recorded_at = timezone.now()
            changed.append("recorded_at")
        fresh._history_user = actor
        fresh.save(update_fields=sorted(set(changed)))
    for name in ("topic", "plan_topic_id", "work_type_id", "is_control", "recorded_at"):
        setattr(lesson, name, getattr(fresh, name))
    for relation in ("plan_topic", "work_type"):
        if relation in changed:
            setattr(lesson, relation, getattr(fresh, relation))
    return lesson


# Homework ------------------------------------------------------------------------------------------------------------


def homework_due_date_check(lesson: Lesson, due_date: dt.date | None) -> None:
    """The day homework given at ``lesson`` may be due: empty (the next lesson of the subject), or a later school
    day of the class within its school year (3–4 queries for the grade's calendar). ValidationError in Russian.

    The lesson page's form calls it to show the message beside the field; homework_set calls it again.
    """
    if due_date is None:
        return
    year = lesson.assignment.year
    school_class = lesson.assignment.school_class
    if due_date <= lesson.date:
        raise ValidationError(
            _("Срок сдачи — не раньше следующего дня после урока (урок %(date)s).")
            % {"date": f"{lesson.date:%d.%m.%Y}"}
        )
    if not year.start_date <= due_date <= year.end_date:
        raise ValidationError(
            _("Срок сдачи должен быть в пределах учебного года: %(start)s — %(end)s.")
            % {"start": f"{year.start_date:%d.%m.%Y}", "end": f"{year.end_date:%d.%m.%Y}"}
        )
    if not grade_calendar(year.school_id, school_class.grade).is_school_day(due_date):
        raise ValidationError(
            _(
                "%(date)s — не учебный день для %(class)s класса (выходной, праздник или каникулы): "
                "выберите другой день."
            )
            % {"date": f"{due_date:%d.%m.%Y}", "class": school_class}
        )


def _identical_homework(lesson: Lesson, text: str, pupils: list, due_date: dt.date | None) -> Homework | None:
    """The lesson's homework with this text, day and pupils, if it has one (a second save of the same homework)."""
    wanted = {pupil.pk for pupil in pupils}
    for homework in Homework.objects.filter(lesson=lesson, text=text, due_date=due_date).prefetch_related("pupils"):
        if {pupil.pk for pupil in homework.pupils.all()} == wanted:
            return homework
    return None


@transaction.atomic
def homework_set(
    *,
    actor: User,
    lesson: Lesson,
    text: str,
    pupils=(),
    homework: Homework | None = None,
    due_date: dt.date | _Unset | None = UNSET,
) -> Homework:
    """Give (or change) homework at a lesson: for the whole class or group, or for the chosen pupils only.

    ``due_date``: the day it is due (homework_due_date_check); None: the next lesson of the subject, as the diary
    shows it; not passed: a new homework gets None, a changed one keeps its day.

    Not under the 10-day mark lock (see the module docstring); refused in a closed year. The chosen pupils must
    belong to the class (and subgroup) on the lesson's date. To take homework back use homework_remove.

    A new homework identical to one the lesson already has (text, day, pupils) is that one: a page sent twice
    gives the homework once. The check runs under the lesson's row lock, so two such saves at once do not both
    insert. A changed homework is written under its own row lock: of two saves at once, the later one stands.
    """
    ensure_lesson_editor(actor, lesson)
    ensure_year_writable(lesson.assignment.year)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Напишите задание: что сделать к следующему уроку."))
    if len(text) > HOMEWORK_MAX_LENGTH:
        raise ValidationError(_("Задание не может быть длиннее %(n)s знаков.") % {"n": HOMEWORK_MAX_LENGTH})
    if not isinstance(due_date, _Unset):
        homework_due_date_check(lesson, due_date)
    pupils = list(pupils)
    if pupils:
        strangers = set(p.pk for p in pupils) - is_enrolled(lesson, [p.pk for p in pupils])
        if strangers:
            names = ", ".join(str(p) for p in pupils if p.pk in strangers)
            raise ValidationError(
                _("Задание можно дать только учащимся %(group)s на %(date)s: %(names)s — нет.")
                % {"group": _group_name(lesson), "date": f"{lesson.date:%d.%m.%Y}", "names": names}
            )
    if homework is not None:
        homework = Homework.objects.select_for_update().get(pk=homework.pk)
        if homework.lesson_id != lesson.pk:
            raise ValidationError(_("Это задание относится к другому уроку."))
    else:
        # A new homework: under the lesson's row lock, the same save sent twice at once (a double click, a retried
        # request) finds the first one's homework, identical, and returns it rather than giving it twice.
        Lesson.objects.select_for_update().filter(pk=lesson.pk).values_list("pk", flat=True).get()
        same = _identical_homework(lesson, text, pupils, None if isinstance(due_date, _Unset) else due_date)
        if same is not None:
            return same
        homework = Homework(lesson=lesson)
    homework.text = text
    if not isinstance(due_date, _Unset):
        homework.due_date = due_date
    homework.updated_by = actor
    homework._history_user = actor
    homework.full_clean(exclude=["lesson", "updated_by", "pupils"])
    homework.save()
    homework.pupils.set(pupils)
    return homework


@transaction.atomic
def homework_remove(*, actor: User, homework: Homework) -> Homework:
    """Take homework back: its text is emptied, the row and its history stay (nothing in the journal is deleted)."""
    lesson = Lesson.objects.select_related("assignment__year__school", "assignment__school_class").get(
        pk=homework.lesson_id
    )
    ensure_lesson_editor(actor, lesson)
    ensure_year_writable(lesson.assignment.year)
    homework = Homework.objects.select_for_update().get(pk=homework.pk)
    if homework.text:
        homework.text = ""
        homework.updated_by = actor
        homework._history_user = actor
        homework.save(update_fields=["text", "updated_by", "updated_at"])
    return homework


# The lesson page: the record and the homework together -------------------------------------------------------------


@transaction.atomic
def lesson_record_and_homework_set(
    *,
    actor: User,
    lesson: Lesson,
    topic: str,
    plan_topic: PlanTopic | None,
    work_type: WorkType | None,
    is_control: bool,
    homework_text: str,
    homework_pupils: Iterable[PupilProfile] = (),
    homework: Homework | None = None,
    homework_due_date: dt.date | None = None,
    attendance_taken: bool = False,
) -> Lesson:
    """Write the whole lesson record and one homework at once, as the lesson page submits them: all or nothing.

    ``attendance_taken``: the teacher ticked «Посещаемость отмечена» (lesson_attendance_taken); not ticked leaves
    the stamp as it is (saving the topic never stamps attendance by itself).

    A topic left empty with a КТП topic chosen takes the КТП topic's title. A homework text gives ``homework``
    (a new one when None) to the whole class or to ``homework_pupils``, due on ``homework_due_date`` (None: the
    next lesson); an empty text takes ``homework`` back. The rules are those of lesson_record_set, homework_set and
    homework_remove; any refusal rolls back the lot.
    """
    topic = topic.strip()
    if not topic and plan_topic is not None:
        topic = plan_topic.title
    lesson_record_set(
        actor=actor, lesson=lesson, topic=topic, plan_topic=plan_topic, work_type=work_type, is_control=is_control
    )
    text = homework_text.strip()
    if text:
        homework_set(
            actor=actor,
            lesson=lesson,
            text=text,
            pupils=list(homework_pupils),
            homework=homework,
            due_date=homework_due_date,
        )
    elif homework is not None:
        homework_remove(actor=actor, homework=homework)
    if attendance_taken:
        lesson_attendance_taken(actor=actor, lesson=lesson)
    return lesson
