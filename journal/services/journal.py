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

Every write sets ``_history_user`` so that simple_history records who made it even outside a request (imports,
Celery), and nothing is hard-deleted: clearing a mark or an absence sets "" and keeps the row and its history;
removing homework empties its text (selectors show homework with a text only).

Concurrency: a cell (lesson, pupil[, position]) is written under ``select_for_update`` of its row; when there is no
row yet, the insert runs in a savepoint and, if another writer inserted the same cell first (IntegrityError on the
unique constraint), the row is selected for update again and updated. Two people typing into the same cell end with
one row, the last value, and both changes in its history; never a duplicate or a 500.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
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
from ..selectors.sql import fetch, sql_date, table
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


def _ensure_enrolled(lesson: Lesson, pupil: PupilProfile, what: str, enrolled: bool | None = None) -> None:
    if enrolled is None:
        enrolled = pupil.pk in is_enrolled(lesson, [pupil.pk])
    if not enrolled:
        raise ValidationError(
            _("%(pupil)s не числится в %(group)s на %(date)s: %(what)s нельзя.")
            % {"pupil": pupil, "group": _group_name(lesson), "date": f"{lesson.date:%d.%m.%Y}", "what": what}
        )


def _insert(row: models.Model) -> bool:
    """Insert a new cell in a savepoint; False if a concurrent writer inserted the same cell first."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        row.pk = None
        row._state.adding = True
        return False
    return True


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


def _locked_mark(lesson: Lesson, pupil: PupilProfile, position: int) -> Mark | None:
    return Mark.objects.select_for_update().filter(lesson=lesson, pupil=pupil, position=position).first()


def _locked_marks(lesson: Lesson, pupil: PupilProfile) -> dict[int, Mark]:
    """Both marks of the cell, locked in the order of their positions (one query): the second depends on the first."""
    rows = Mark.objects.select_for_update().filter(lesson=lesson, pupil=pupil).order_by("position")
    return {mark.position: mark for mark in rows}


def _ensure_positions(position: int, value: str, marks: dict[int, Mark]) -> None:
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
    """What mark_set's rules read besides the cell's own rows, read in one query (_mark_facts)."""

    pass_fail: bool
    enrolled: bool
    attendance: str | None
    kind: WorkType | None  # the kind of work asked about (or the school's «устный ответ»), None if there is none


def _mark_facts(lesson: Lesson, pupil: PupilProfile, work_type_id: int | None) -> _MarkFacts:
    """In one query, what putting a mark depends on: whether the subject is pass/fail in the class (is_pass_fail),
    whether the pupil was on the roll of the class and subgroup on the lesson's date (is_enrolled), the pupil's
    attendance code at the lesson, and the kind of work ``work_type_id`` (or, when None, the school's «устный
    ответ», default_work_type's fallback) with whether it allows a mark to an absent pupil."""
    assignment = lesson.assignment
    day = sql_date(lesson.date)
    params: list = [assignment.school_class_id, assignment.subject_id, assignment.school_class_id, pupil.pk, day, day]
    subgroup = ""
    if assignment.subgroup_id:
        through = Subgroup.pupils.through
        subgroup = f" AND EXISTS (SELECT 1 FROM {table(through)} s WHERE s.subgroup_id = %s AND s.pupilprofile_id = %s)"
        params += [assignment.subgroup_id, pupil.pk]
    params += [lesson.pk, pupil.pk]
    if work_type_id is not None:
        kind = "%s"
        params.append(work_type_id)
    else:
        kind = f"(SELECT k.id FROM {table(WorkType)} k WHERE k.school_id = %s AND k.name = %s ORDER BY k.id LIMIT 1)"
        params += [assignment.year.school_id, ORAL_ANSWER]
    row = fetch(
        "SELECT"
        f" (SELECT c.is_pass_fail FROM {table(CurriculumEntry)} c"
        "   WHERE c.school_class_id = %s AND c.subject_id = %s ORDER BY c.id LIMIT 1),"
        f" EXISTS (SELECT 1 FROM {table(Enrollment)} e WHERE e.school_class_id = %s AND e.pupil_id = %s"
        f"   AND e.date_from <= %s AND (e.date_to IS NULL OR e.date_to >= %s)){subgroup},"
        f" (SELECT a.code FROM {table(Attendance)} a WHERE a.lesson_id = %s AND a.pupil_id = %s),"
        " w.id, w.school_id, w.name, w.allows_absent"
        f" FROM (SELECT 1 AS one) one LEFT JOIN {table(WorkType)} w ON w.id = {kind}",
        params,
    )[0]
    pass_fail, enrolled, attendance, kind_id, school_id, name, allows_absent = row
    work_type = None
    if kind_id is not None:
        work_type = WorkType(pk=kind_id, school_id=school_id, name=name, allows_absent=bool(allows_absent))
    return _MarkFacts(bool(pass_fail), bool(enrolled), attendance, work_type)


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
    position 1 or 2; the pupil belonged to the class (and subgroup) on the lesson's date; a pupil absent for the
    whole lesson (н, б, у, п) gets no mark unless the kind of work allows it. The kind of work is the one given,
    else the mark's own (a changed value keeps its kind), else the lesson's, else «устный ответ».

    The value is taken exactly (see NUMERIC_MARKS): anything else is refused, never read as something close. The
    second mark needs a first one, and the first is not cleared while a second stands (clear the second first):
    a lone second mark would read as a first one.

    Clearing a cell that was never written writes nothing and returns an unsaved empty mark.
    """
    ensure_lesson_editor(actor, lesson)
    value = value or ""
    if position not in MARK_POSITIONS:
        raise ValidationError(_("За урок можно поставить не больше двух отметок (отметка № 1 или № 2)."))
    _ensure_marks_editable(lesson)
    school_id = lesson.assignment.year.school_id
    if work_type is not None and work_type.school_id != school_id:
        raise ValidationError(_("Этот вид работы относится к другой школе."))

    # The cell's rows first, locked (1 query); then everything else a mark's rules read, in one query (_mark_facts).
    marks = _locked_marks(lesson, pupil)
    mark = marks.get(position)
    if work_type is not None:
        work_type_id = work_type.pk
    elif mark is not None and mark.work_type_id:
        work_type_id = mark.work_type_id
    else:
        work_type_id = lesson.work_type_id  # None: «устный ответ», found by _mark_facts or default_work_type
    facts = _mark_facts(lesson, pupil, work_type_id) if value else None
    if facts is not None:
        _ensure_mark_value(lesson, value, pass_fail=facts.pass_fail)
        _ensure_enrolled(lesson, pupil, gettext_lazy("ставить отметку"), enrolled=facts.enrolled)
    _ensure_positions(position, value, marks)
    if mark is None and not value:
        return Mark(lesson=lesson, pupil=pupil, position=position, value="", updated_by=actor)
    if work_type_id is None:
        work_type_id = facts.kind.pk if facts is not None and facts.kind is not None else default_work_type(lesson).pk
    if facts is not None:
        _ensure_present_or_allowed(lesson, pupil, work_type_id, facts)

    if mark is None:
        mark = Mark(lesson=lesson, pupil=pupil, position=position, value=value, work_type_id=work_type_id)
        mark.updated_by = actor
        mark._history_user = actor
        mark.full_clean(
            exclude=["lesson", "pupil", "work_type", "updated_by"], validate_unique=False, validate_constraints=False
        )
        if _insert(mark):
            return mark
        mark = _locked_mark(lesson, pupil, position)  # a concurrent writer created the cell: update theirs
    if mark.value == value and mark.work_type_id == work_type_id:
        return mark
    mark.value = value
    mark.work_type_id = work_type_id
    mark.updated_by = actor
    mark._history_user = actor
    mark.full_clean(
        exclude=["lesson", "pupil", "work_type", "updated_by"], validate_unique=False, validate_constraints=False
    )
    mark.save(update_fields=["value", "work_type", "updated_by", "updated_at"])
    return mark


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


@transaction.atomic
def attendance_set(*, actor: User, lesson: Lesson, pupil: PupilProfile, code: str) -> Attendance:
    """Mark, change or clear ("") a pupil's absence or lateness at a lesson.

    Rules: the actor keeps the lesson's journal; the code is exactly one of н, б, у, п, оп (nothing is lowercased,
    trimmed or read as a similar letter); the lesson is editable
    (edit_state), except that the class teacher may change the reason of an absence for 30 days after the lesson
    (reason_correction_allowed); the pupil belonged to the class on the date; a pupil who already has a mark for
    the lesson cannot be marked absent for the whole lesson unless every such mark is of a kind that allows it.
    Clearing a cell that was never written writes nothing and returns an unsaved empty row. A code written stamps
    the lesson's «attendance taken» (``Lesson.attendance_taken_at``) if it is not stamped yet.
    """
    ensure_lesson_editor(actor, lesson)
    code = code or ""
    _ensure_code(code)
    ensure_year_writable(lesson.assignment.year)
    editable, reason = edit_state(lesson)

    row = Attendance.objects.select_for_update().filter(lesson=lesson, pupil=pupil).first()
    old = row.code if row is not None else ""
    if not editable and not reason_correction_allowed(actor, lesson, old, code):
        raise ValidationError(reason)
    if row is None and not code:
        return Attendance(lesson=lesson, pupil=pupil, code="", updated_by=actor)
    if code:
        _ensure_enrolled(lesson, pupil, gettext_lazy("отмечать посещаемость"))
    if code in ABSENT_CODES and old not in ABSENT_CODES:
        marked = (
            Mark.objects.filter(lesson=lesson, pupil=pupil)
            .exclude(value="")
            .exclude(work_type__allows_absent=True)
            .values_list("value", flat=True)
        )
        if marked:
            raise ValidationError(
                _(
                    "У %(pupil)s есть отметка за этот урок (%(marks)s): отсутствующему её ставить нельзя. "
                    "Сначала уберите отметку."
                )
                % {"pupil": pupil, "marks": ", ".join(marked)}
            )

    row = _attendance_write(actor, lesson, pupil, code, row)
    if code:
        # An absence or lateness entered: the register of the lesson was taken. Stamped after the cell's row is
        # written, so that two writers of one cell meet on the cell's row first (the lesson's row is locked by the
        # stamp until the commit).
        _attendance_taken_stamp(lesson)
    return row


def _attendance_write(actor: User, lesson: Lesson, pupil: PupilProfile, code: str, row: Attendance | None):
    if row is None:
        row = Attendance(lesson=lesson, pupil=pupil, code=code, updated_by=actor)
        row._history_user = actor
        row.full_clean(exclude=["lesson", "pupil", "updated_by"], validate_unique=False, validate_constraints=False)
        if _insert(row):
            return row
        row = Attendance.objects.select_for_update().get(lesson=lesson, pupil=pupil)
    if row.code == code:
        return row
    row.code = code
    row.updated_by = actor
    row._history_user = actor
    row.full_clean(exclude=["lesson", "pupil", "updated_by"], validate_unique=False, validate_constraints=False)
    row.save(update_fields=["code", "updated_by", "updated_at"])
    return row


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
