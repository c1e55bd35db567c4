"""Substitutions (замена уроков): the deputy head records that a teacher replaces another for one lesson.

The substitute then fills that lesson only (``journal.access.lesson_for_user`` reads ``Substitution``) and the
lesson shows who taught it (``Lesson.taught_by``) [000 §5.3, 004 §4.3]. A substitute cannot be in two
places at once: a teacher who has a lesson of their own (not itself replaced) or another substitution at the
same date and lesson number is refused.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import same_school
from accounts.choices import STAFF_ROLES, Role
from accounts.models import User

from ..models import Attendance, Homework, Lesson, Mark, Substitution
from .structure import ensure_year_writable


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


@transaction.atomic
def substitution_record(*, actor: User, lesson: Lesson, substitute: User, reason: str = "") -> Substitution:
    """Record (or change) who replaces the assignment's teacher at ``lesson``; ``lesson.taught_by`` follows."""
    _ensure_recorder(actor, lesson)
    year = lesson.assignment.year
    ensure_year_writable(year)
    if not (same_school(substitute, year.school_id) and substitute.school_id and substitute.role in STAFF_ROLES):
        raise ValidationError(_("%(name)s не является сотрудником этой школы.") % {"name": substitute})
    if not substitute.is_active:
        raise ValidationError(_("Учётная запись %(name)s отключена.") % {"name": substitute})
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
