"""Substitutions (замена уроков): the deputy head records that a teacher replaces another for one lesson.

The substitute then fills that lesson only (``journal.access.lesson_for_user`` reads ``Substitution``) and the
lesson shows who taught it (``Lesson.taught_by``) [000 §5.3, 004 §4.3]. A substitute cannot be in two
places at once: a teacher who has a lesson of their own (not itself replaced) or another substitution at the
same date and lesson number is refused.

Replacing every lesson of an absent teacher over a day or a period (``substitution_plan``, then
``substitutions_record_many``): the plan lists the teacher's lessons with the substitute chosen for each (one for
all, or per lesson, or none) and every conflict found; recording is all or nothing, in one transaction, each lesson
through ``substitution_record`` and its rules, and refused while the plan has a conflict.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import same_school
from accounts.choices import STAFF_ROLES, Role
from accounts.models import User

from ..lock import LOCK_WORKING_DAYS, edit_state, open_windows_q, school_today
from ..models import Attendance, EditWindow, Homework, Lesson, Mark, SchoolYear, Substitution
from ..workdays import grade_calendar
from .structure import ensure_year_writable

# A period longer than this is entered in parts: the plan lists every lesson with its own choice of substitute.
BULK_MAX_DAYS = 31


def can_record_substitutions(user: User, school_id: int) -> bool:
    """The deputy head and the admin of the school (the timetable's keepers)."""
    if user.is_platform_operator:
        return True
    return user.role in (Role.DEPUTY, Role.ADMIN) and user.school_id == school_id


def _ensure_recorder(actor: User, lesson: Lesson) -> None:
    if not can_record_substitutions(actor, lesson.assignment.year.school_id):
        raise PermissionDenied(_("Замены уроков оформляют заместитель директора и администратор."))


def _lesson_label(lesson: Lesson) -> str:
    assignment = lesson.assignment
    group = f", {assignment.subgroup.name}" if assignment.subgroup_id else ""
    return _("%(n)s урок %(date)s, %(subject)s — %(cls)s%(group)s") % {
        "n": lesson.number,
        "date": f"{lesson.date:%d.%m.%Y}",
        "subject": assignment.subject.name,
        "cls": assignment.school_class,
        "group": group,
    }


def busy_lesson(substitute: User, lesson: Lesson) -> Lesson | None:
    """Another lesson the teacher gives at the same date and number: their own (not replaced) or a substitution."""
    slot = Lesson.objects.filter(date=lesson.date, number=lesson.number).exclude(pk=lesson.pk)
    own = Q(assignment__teacher=substitute) & (Q(substitution__isnull=True) | Q(substitution__substitute=substitute))
    return (
        slot.filter(own | Q(substitution__substitute=substitute))
        .select_related("assignment__subject", "assignment__school_class", "assignment__subgroup")
        .first()
    )


def _ensure_staff(user: User, school_id: int, *, active: bool = True) -> None:
    if not (same_school(user, school_id) and user.school_id and user.role in STAFF_ROLES):
        raise ValidationError(_("%(name)s не является сотрудником этой школы.") % {"name": user})
    if active and not user.is_active:
        raise ValidationError(_("Учётная запись %(name)s отключена.") % {"name": user})


@transaction.atomic
def substitution_record(*, actor: User, lesson: Lesson, substitute: User, reason: str = "") -> Substitution:
    """Record (or change) who replaces the assignment's teacher at ``lesson``; ``lesson.taught_by`` follows."""
    _ensure_recorder(actor, lesson)
    year = lesson.assignment.year
    ensure_year_writable(year)
    _ensure_staff(substitute, year.school_id)
    if substitute.pk == lesson.assignment.teacher_id:
        raise ValidationError(_("Этот урок и так ведёт %(name)s: замена не нужна.") % {"name": substitute})
    # Serialise substitutions of this lesson and of this substitute (two deputies at once): locks until the commit.
    list(Lesson.objects.select_for_update().filter(pk=lesson.pk).order_by().values_list("pk"))
    list(User.objects.select_for_update().filter(pk=substitute.pk).order_by().values_list("pk"))
    other = busy_lesson(substitute, lesson)
    if other is not None:
        raise ValidationError(
            _("%(name)s в это время ведёт другой урок: %(lesson)s.")
            % {"name": substitute, "lesson": _lesson_label(other)}
        )
    substitution = Substitution.objects.filter(lesson=lesson).first() or Substitution(lesson=lesson, recorded_by=actor)
    substitution.substitute = substitute
    substitution.reason = " ".join((reason or "").split())
    substitution.recorded_by = actor
    substitution._history_user = actor
    substitution.full_clean(exclude=["lesson"], validate_unique=False)
    substitution.save()
    if lesson.taught_by_id != substitute.pk:
        lesson.taught_by = substitute
        lesson._history_user = actor
        lesson.save(update_fields=["taught_by"])
    return substitution


def _substitute_wrote(substitution: Substitution) -> bool:
    lesson, user = substitution.lesson_id, substitution.substitute_id
    return (
        Mark.objects.filter(lesson_id=lesson, updated_by_id=user).exists()
        or Attendance.objects.filter(lesson_id=lesson, updated_by_id=user).exists()
        or Homework.objects.filter(lesson_id=lesson, updated_by_id=user).exists()
        or Lesson.history.filter(id=lesson, history_user_id=user).exists()
        or Mark.history.filter(lesson_id=lesson, history_user_id=user).exists()
        or Attendance.history.filter(lesson_id=lesson, history_user_id=user).exists()
    )


@transaction.atomic
def substitution_cancel(*, actor: User, substitution: Substitution) -> None:
    """Cancel a substitution recorded by mistake; refused once the substitute has written in the lesson."""
    lesson = substitution.lesson
    _ensure_recorder(actor, lesson)
    ensure_year_writable(lesson.assignment.year)
    if _substitute_wrote(substitution):
        raise ValidationError(
            _("Замену нельзя отменить: %(name)s уже вносил(а) записи об этом уроке.")
            % {"name": substitution.substitute}
        )
    substitution._history_user = actor
    substitution.delete()
    if lesson.taught_by_id is not None:
        lesson.taught_by = None
        lesson._history_user = actor
        lesson.save(update_fields=["taught_by"])


# All the lessons of an absent teacher -------------------------------------------------------------------------------


@dataclass
class PlannedLesson:
    """One lesson of the absent teacher: who will replace them (None: nobody) and why that cannot be saved."""

    lesson: Lesson
    substitute: User | None
    conflicts: list[str] = field(default_factory=list)
    free_staff: list[User] = field(default_factory=list)  # who has no lesson at that time: the row's choices

    @property
    def current(self) -> Substitution | None:
        return getattr(self.lesson, "substitution", None)

    @property
    def unchanged(self) -> bool:
        """Already replaced by the same substitute: nothing to record."""
        current = self.current
        return current is not None and self.substitute is not None and current.substitute_id == self.substitute.pk


@dataclass
class SubstitutionPlan:
    """What replacing ``absent`` from ``date_from`` to ``date_to`` would record, lesson by lesson."""

    absent: User
    date_from: dt.date
    date_to: dt.date
    substitute: User | None
    rows: list[PlannedLesson]

    @property
    def conflicts(self) -> list[str]:
        return [f"{_lesson_label(row.lesson)}: {conflict}" for row in self.rows for conflict in row.conflicts]

    @property
    def to_record(self) -> list[PlannedLesson]:
        return [row for row in self.rows if row.substitute is not None and not row.unchanged]


def _ensure_bulk_range(year: SchoolYear, date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ValidationError(_("Конец периода раньше его начала."))
    if date_from < year.start_date or date_to > year.end_date:
        raise ValidationError(
            _("Даты должны быть внутри учебного года %(year)s (%(start)s — %(end)s).")
            % {"year": year.name, "start": f"{year.start_date:%d.%m.%Y}", "end": f"{year.end_date:%d.%m.%Y}"}
        )
    if (date_to - date_from).days + 1 > BULK_MAX_DAYS:
        raise ValidationError(
            _("Период замены — не больше %(n)s календарного дня: оформите длинный период по частям.")
            % {"n": BULK_MAX_DAYS}
        )


def substitution_plan(
    *,
    actor: User,
    year: SchoolYear,
    absent: User,
    date_from: dt.date,
    date_to: dt.date,
    substitute: User | None = None,
    substitutes: Mapping[int, User | None] | None = None,
) -> SubstitutionPlan:
    """The absent teacher's lessons between the dates (their own assignments), each with its substitute and conflicts.

    A lesson's substitute is ``substitutes[lesson.pk]`` when given (None: not replaced), else
    ``substitute`` (None: not replaced). Conflicts of a lesson that is to be replaced: the year is closed (refused
    as a whole), the day is not a school day of the class's grade, the lesson is locked (past the 10 working days,
    no edit window), it is already replaced by someone else, the substitute is the absent teacher, gives a lesson of
    their own or replaces another teacher at that time, or is chosen for two lessons of the list at the same time.
    Reads only; a fixed number of queries, plus 3–4 per grade for its calendar.
    """
    school_id = year.school_id
    if not can_record_substitutions(actor, school_id):
        raise PermissionDenied(_("Замены уроков оформляют заместитель директора и администратор."))
    ensure_year_writable(year)
    _ensure_bulk_range(year, date_from, date_to)
    _ensure_staff(absent, school_id, active=False)  # a teacher who has left may still have lessons to replace
    chosen = {substitute.pk: substitute} if substitute is not None else {}
    chosen |= {user.pk: user for user in (substitutes or {}).values() if user is not None}
    for user in chosen.values():
        _ensure_staff(user, school_id)

    lessons = list(
        Lesson.objects.filter(assignment__year=year, assignment__teacher=absent, date__range=(date_from, date_to))
        .select_related(
            "assignment__year__school",
            "assignment__subject",
            "assignment__school_class",
            "assignment__subgroup",
            "substitution__substitute",
        )
        .order_by("date", "number", "assignment__school_class__grade", "assignment__school_class__letter")
    )
    planned = {lesson.pk for lesson in lessons}
    # Who gives a lesson at each time (date, number) of the list: its substitute, else its teacher.
    busy: dict[tuple[dt.date, int], dict[int, tuple[int, bool]]] = defaultdict(dict)
    slots = {(lesson.date, lesson.number) for lesson in lessons}
    others = (
        Lesson.objects.filter(
            assignment__year=year, date__range=(date_from, date_to), number__in={n for _d, n in slots}
        )
        .exclude(pk__in=planned)
        .values_list("pk", "date", "number", "assignment__teacher_id", "substitution__substitute_id")
    )
    for pk, day, number, teacher_id, substitute_id in others:
        if (day, number) in slots:
            busy[(day, number)][substitute_id or teacher_id] = (pk, substitute_id is not None)
    staff = list(
        User.objects.filter(school_id=school_id, role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "first_name", "middle_name"
        )
    )
    today = school_today(year.school)
    grades = {lesson.assignment.school_class.grade for lesson in lessons}
    calendars = {grade: grade_calendar(year.school, grade) for grade in grades}
    # Past the 10 working days only an edit window reopens a lesson (journal.lock.edit_state): one query for all.
    old = {lesson.assignment_id for lesson in lessons if (today - lesson.date).days > LOCK_WORKING_DAYS}
    windows = list(EditWindow.objects.filter(open_windows_q(), assignment_id__in=old)) if old else []

    rows: list[PlannedLesson] = []
    taken: dict[tuple[dt.date, int, int], Lesson] = {}
    # The other lesson's pk -> (row, conflict) whose message waits for that lesson's label.
    clashes: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lesson in lessons:
        if substitutes is not None and lesson.pk in substitutes:
            who = substitutes[lesson.pk]
        else:
            who = substitute
        slot = (lesson.date, lesson.number)
        row = PlannedLesson(lesson, who, free_staff=[u for u in staff if u.pk not in busy[slot] and u.pk != absent.pk])
        rows.append(row)
        if who is None or row.unchanged:
            continue
        calendar = calendars[lesson.assignment.school_class.grade]
        if not calendar.is_school_day(lesson.date):
            row.conflicts.append(
                _("%(date)s — не учебный день для %(grade)s классов (праздник, выходной или каникулы).")
                % {"date": f"{lesson.date:%d.%m.%Y}", "grade": lesson.assignment.school_class.grade}
            )
        if lesson.date < today:
            editable, reason = edit_state(lesson, today=today, calendar=calendar, windows=windows)
            if not editable:
                row.conflicts.append(reason)
        current = row.current
        if current is not None:
            row.conflicts.append(
                _("уже оформлена замена: ведёт %(name)s. Отмените её в журнале замен или оставьте урок без изменений.")
                % {"name": current.substitute.short_name}
            )
        if who.pk == absent.pk:
            row.conflicts.append(_("заменяющий — сам отсутствующий учитель."))
        other = busy[slot].get(who.pk)
        if other is not None:
            other_pk, substituting = other
            text = (
                _("%(name)s в это время уже заменяет на другом уроке")
                if substituting
                else _("%(name)s в это время ведёт свой урок")
            ) % {"name": who.short_name}
            clashes[other_pk].append((len(rows) - 1, len(row.conflicts)))
            row.conflicts.append(text)
        twin = taken.get((*slot, who.pk))
        if twin is not None:
            row.conflicts.append(
                _("%(name)s уже выбран(а) в этом списке для урока в то же время: %(lesson)s.")
                % {"name": who.short_name, "lesson": _lesson_label(twin)}
            )
        taken[(*slot, who.pk)] = lesson
    if clashes:  # say which lesson it is (one query for all of them)
        labels = {
            other.pk: _lesson_label(other)
            for other in Lesson.objects.filter(pk__in=clashes).select_related(
                "assignment__subject", "assignment__school_class", "assignment__subgroup"
            )
        }
        for other_pk, places in clashes.items():
            for row_index, conflict_index in places:
                conflicts = rows[row_index].conflicts
                conflicts[conflict_index] = f"{conflicts[conflict_index]}: {labels[other_pk]}."
    return SubstitutionPlan(absent, date_from, date_to, substitute, rows)


@transaction.atomic
def substitutions_record_many(
    *,
    actor: User,
    year: SchoolYear,
    absent: User,
    date_from: dt.date,
    date_to: dt.date,
    substitute: User | None = None,
    substitutes: Mapping[int, User | None] | None = None,
    reason: str = "",
) -> list[Substitution]:
    """Record the plan's substitutions all at once: every one through ``substitution_record``, or none.

    Refused while the plan (built again here, inside the transaction) has a conflict, or when it replaces nothing.
    """
    plan = substitution_plan(
        actor=actor,
        year=year,
        absent=absent,
        date_from=date_from,
        date_to=date_to,
        substitute=substitute,
        substitutes=substitutes,
    )
    conflicts = plan.conflicts
    if conflicts:
        shown = "; ".join(conflicts[:3]) + ("; …" if len(conflicts) > 3 else "")
        raise ValidationError(
            _("Замены не оформлены: конфликтов — %(n)s. %(list)s") % {"n": len(conflicts), "list": shown}
        )
    rows = plan.to_record
    if not rows:
        raise ValidationError(_("Замены не оформлены: не выбран заменяющий ни для одного урока."))
    return [
        substitution_record(actor=actor, lesson=row.lesson, substitute=row.substitute, reason=reason) for row in rows
    ]
