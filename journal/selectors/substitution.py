"""Reads for substitutions: the log (журнал замены уроков) for a period, the form's choices, a teacher's own."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES
from accounts.models import User

from ..models import Lesson, SchoolClass, SchoolYear, StudyPeriod, Substitution

_LOG_RELATED = (
    "lesson__assignment__school_class",
    "lesson__assignment__subject",
    "lesson__assignment__subgroup",
    "lesson__assignment__teacher",
    "substitute",
    "recorded_by",
)


def default_range(year: SchoolYear, today: dt.date) -> tuple[dt.date, dt.date]:
    """The current quarter (or other study period) of the year; between periods, the last one; else the year."""
    periods = list(StudyPeriod.objects.filter(year=year).order_by("start_date", "kind"))
    current = [p for p in periods if p.start_date <= today <= p.end_date]
    if not current:
        current = [p for p in periods if p.end_date < today][-1:]
    if not current:
        return year.start_date, year.end_date
    # Prefer a quarter when several kinds overlap (quarters, trimesters and halves of different grades).
    period = next((p for p in current if p.kind == "quarter"), current[0])
    return period.start_date, period.end_date


def substitution_log(year: SchoolYear, start: dt.date, end: dt.date) -> QuerySet[Substitution]:
    return (
        Substitution.objects.filter(lesson__assignment__year=year, lesson__date__gte=start, lesson__date__lte=end)
        .select_related(*_LOG_RELATED)
        .order_by("lesson__date", "lesson__number", "lesson__assignment__school_class__grade")
    )


def teacher_substitutions(user: User, start: dt.date, end: dt.date) -> QuerySet[Substitution]:
    """The lessons a teacher gives as a substitute between the dates (for their home page)."""
    return (
        Substitution.objects.filter(substitute=user, lesson__date__gte=start, lesson__date__lte=end)
        .select_related(*_LOG_RELATED)
        .order_by("lesson__date", "lesson__number")
    )


def classes_of(year: SchoolYear) -> list[SchoolClass]:
    return list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))


def day_lessons(school_class: SchoolClass, day: dt.date) -> list[Lesson]:
    """The class's lessons on a day, with their teachers and any substitution."""
    return list(
        Lesson.objects.filter(assignment__school_class=school_class, date=day)
        .select_related(
            "assignment__subject", "assignment__teacher", "assignment__subgroup", "substitution__substitute"
        )
        .order_by("number", "assignment__subject__name")
    )


def lesson_label(lesson: Lesson) -> str:
    assignment = lesson.assignment
    group = f" ({assignment.subgroup.name})" if assignment.subgroup_id else ""
    label = _("%(n)s урок — %(subject)s%(group)s, %(teacher)s") % {
        "n": lesson.number,
        "subject": assignment.subject.name,
        "group": group,
        "teacher": assignment.teacher.short_name,
    }
    substitution = getattr(lesson, "substitution", None)
    if substitution is not None:
        label += " · " + _("замена: %(name)s") % {"name": substitution.substitute.short_name}
    return label


@dataclass
class StaffChoice:
    user: User
    busy: list[int]  # lesson numbers the teacher already gives that day

    @property
    def label(self) -> str:
        if not self.busy:
            return self.user.short_name
        numbers = ", ".join(str(n) for n in self.busy)
        return _("%(name)s — занят(а) на уроках: %(numbers)s") % {"name": self.user.short_name, "numbers": numbers}


def staff_choices(year: SchoolYear, day: dt.date) -> list[StaffChoice]:
    """Active staff of the school with the lesson numbers each is busy at on the day: three queries."""
    staff = list(
        User.objects.filter(school_id=year.school_id, role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "first_name", "middle_name"
        )
    )
    busy: dict[int, set[int]] = defaultdict(set)
    lessons = Lesson.objects.filter(assignment__year=year, date=day).values_list(
        "number", "assignment__teacher_id", "substitution__substitute_id"
    )
    for number, teacher_id, substitute_id in lessons:
        busy[substitute_id or teacher_id].add(number)
    return [StaffChoice(user, sorted(busy.get(user.pk, ()))) for user in staff]


def school_staff(year: SchoolYear, *, active_only: bool = True) -> list[User]:
    """The school's staff, by name (1 query); with the disabled accounts too when ``active_only`` is False (a teacher
    who has left may still have lessons to replace)."""
    staff = User.objects.filter(school_id=year.school_id, role__in=STAFF_ROLES)
    if active_only:
        staff = staff.filter(is_active=True)
    return list(staff.order_by("last_name", "first_name", "middle_name"))
