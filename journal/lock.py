"""The edit lock of the class journal: a lesson's marks and attendance close 10 working days after the lesson.

Current marks are entered within 10 working days, after which no change is possible [000 §5.3]; the regulation
speaks of marks, and we lock a lesson's attendance with them (our choice: one deadline per column). Working days come from the
school's calendar for the lesson's grade (journal.workdays: holidays, transferred days, a 5- or 6-day week;
vacations are working days for staff). The last day a lesson can still be edited is its *deadline*:
``add_working_days(lesson.date, 10)`` (the lesson day itself is not counted).

The rule is decided here, from the dates, every time a service writes: ``Lesson.locked_at`` is only the stamp the
daily task (journal.tasks.lock_expired_lessons) puts on expired columns for reports and the grid, and the rule
holds whether or not the task ran. The deputy head or the admin can open a time-boxed window (EditWindow) for an
assignment or one lesson; while it is open the lesson is editable again.

What the lock covers: marks and attendance. The lesson record (topic, kind of work, control work) and homework are
not under it (see journal.services.journal). A closed year is read-only for everything.
"""

import datetime as dt
import zoneinfo
from collections.abc import Collection, Iterable, Sequence

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import School

from .choices import YearStatus
from .models import Attendance, EditWindow, Lesson, Mark, SchoolClass, SchoolYear
from .workdays import GradeCalendar, grade_calendar

LOCK_WORKING_DAYS = 10


def school_today(school) -> dt.date:
    """Today in the school's time zone (a deployment may span regions; the task runs outside any request)."""
    try:
        zone = zoneinfo.ZoneInfo(school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    return timezone.localdate(timezone=zone) if zone else timezone.localdate()


def lesson_calendar(lesson: Lesson) -> GradeCalendar:
    """The working-day calendar of the lesson's school and grade (3–4 queries; pass it around for many lessons)."""
    assignment = lesson.assignment
    return grade_calendar(assignment.year.school_id, assignment.school_class.grade)


def lock_deadline(lesson: Lesson, calendar: GradeCalendar | None = None) -> dt.date:
    """The last day on which the lesson's marks and attendance may still be entered or changed."""
    calendar = calendar or lesson_calendar(lesson)
    return calendar.add_working_days(lesson.date, LOCK_WORKING_DAYS)


def lock_cutoff(calendar: GradeCalendar, today: dt.date) -> dt.date:
    """Lessons dated before the cutoff are locked today; lessons on or after it are not.

    lock_deadline(d) < today  ⇔  there are at least 10 working days in (d, today)  ⇔  d < cutoff, where the cutoff
    is the 10th working day before today. The deadline only grows with the date, so one comparison per grade
    replaces a deadline per lesson.
    """
    return calendar.add_working_days(today, -LOCK_WORKING_DAYS)


def deadline_range(calendar: GradeCalendar, deadline: dt.date) -> tuple[dt.date, dt.date]:
    """[first, last) lesson dates whose deadline is exactly ``deadline`` (a working day); empty for a day off."""
    first = lock_cutoff(calendar, deadline)
    if not calendar.is_working_day(deadline):
        return first, first
    return first, calendar.add_working_days(deadline, -(LOCK_WORKING_DAYS - 1))


def open_windows_q(now: dt.datetime | None = None) -> Q:
    return Q(valid_until__gt=now or timezone.now())


def window_applies(window: EditWindow, lesson: Lesson, now: dt.datetime) -> bool:
    return (
        window.assignment_id == lesson.assignment_id
        and (window.lesson_id is None or window.lesson_id == lesson.pk)
        and window.valid_until > now
    )


def has_open_window(lesson: Lesson, *, windows: Iterable[EditWindow] | None = None, now=None) -> bool:
    """An unexpired EditWindow for this lesson or its whole assignment; ``windows`` avoids a query per lesson."""
    now = now or timezone.now()
    if windows is not None:
        return any(window_applies(window, lesson, now) for window in windows)
    return (
        EditWindow.objects.filter(open_windows_q(now), assignment_id=lesson.assignment_id)
        .filter(Q(lesson__isnull=True) | Q(lesson_id=lesson.pk))
        .exists()
    )


def lock_message(lesson: Lesson, deadline: dt.date, text: str = "") -> str:
    """Why the lesson is locked; ``text``: this message as _lock_text() translated it (a grid says it per column)."""
    return (text or _lock_text()) % {
        "date": f"{lesson.date:%d.%m.%Y}",
        "deadline": f"{deadline:%d.%m.%Y}",
        "days": LOCK_WORKING_DAYS,
    }


def _lock_text() -> str:
    return _(
        "Срок исправления отметок за %(date)s истёк %(deadline)s (%(days)s рабочих дней). "
        "Исправить можно только через окно исправлений у заместителя директора."
    )


def edit_state(
    lesson: Lesson,
    *,
    today: dt.date | None = None,
    calendar: GradeCalendar | None = None,
    windows: Iterable[EditWindow] | None = None,
) -> tuple[bool, str]:
    """(editable, why not): may the lesson's marks and attendance be entered or changed now?

    Not editable in a closed year, for a lesson after today (a mark is put in the column of the day it was earned
    [001 §3.2.3]), or after the deadline unless an edit window is open. A grid passes ``today``, its ``calendar``
    and the assignment's ``windows`` (journal.selectors.unlock.open_windows) so that no lesson costs a query.
    """
    year = lesson.assignment.year
    if year.is_closed:
        return False, _("Учебный год %(year)s закрыт: изменения в нём невозможны.") % {"year": year.name}
    today = today or school_today(year.school)
    if lesson.date > today:
        return False, _("Урок %(date)s ещё не состоялся: отметки и пропуски за него ставить рано.") % {
            "date": f"{lesson.date:%d.%m.%Y}"
        }
    if (today - lesson.date).days <= LOCK_WORKING_DAYS:
        # 10 working days are at least 10 calendar days: a recent lesson needs no calendar (the usual case).
        return True, ""
    deadline = lock_deadline(lesson, calendar)
    if today <= deadline:
        return True, ""
    if has_open_window(lesson, windows=windows):
        return True, ""
    return False, lock_message(lesson, deadline)


def edit_states(
    lessons: Sequence[Lesson],
    *,
    today: dt.date | None = None,
    calendar: GradeCalendar | None = None,
    windowed: Collection[int] = (),
) -> list[tuple[bool, str, bool]]:
    """edit_state of many lessons of one assignment at once (a grid's columns): (editable, why not, unlocked) each.

    The same rule and the same answers as ``edit_state(lesson, today=today, calendar=calendar, windows=...)`` for
    each lesson, ``windowed`` holding the pks of the lessons an open edit window applies to. ``unlocked``: the
    lesson is past its deadline and editable only through that window. The lock boundary is worked out once
    (lock_cutoff: a lesson before it is past its deadline) instead of a deadline per lesson, and a deadline is only
    counted for the message of a locked lesson. Without ``calendar`` the lessons' one is loaded if a lesson needs it.
    """
    if not lessons:
        return []
    year = lessons[0].assignment.year
    if year.is_closed:
        reason = _("Учебный год %(year)s закрыт: изменения в нём невозможны.") % {"year": year.name}
        return [(False, reason, False)] * len(lessons)
    today = today or school_today(year.school)
    recent = today - dt.timedelta(days=LOCK_WORKING_DAYS)  # as edit_state: a recent lesson needs no calendar
    cutoff: dt.date | None = None
    deadlines: dict[dt.date, dt.date] = {}
    future = locked = ""  # the messages, translated once
    states = []
    for lesson in lessons:
        day = lesson.date
        if day > today:
            future = future or _("Урок %(date)s ещё не состоялся: отметки и пропуски за него ставить рано.")
            states.append((False, future % {"date": f"{day:%d.%m.%Y}"}, False))
            continue
        if day >= recent:
            states.append((True, "", False))
            continue
        if cutoff is None:
            calendar = calendar or lesson_calendar(lesson)
            cutoff = lock_cutoff(calendar, today)
        if day >= cutoff:  # today <= lock_deadline(lesson): see lock_cutoff
            states.append((True, "", False))
        elif lesson.pk in windowed:
            states.append((True, "", True))
        else:
            deadline = deadlines.get(day)
            if deadline is None:
                deadline = deadlines[day] = lock_deadline(lesson, calendar)
            locked = locked or _lock_text()
            states.append((False, lock_message(lesson, deadline, locked), False))
    return states


# The daily stamp -------------------------------------------------------------------------------------------------


def lessons_lock_expired(*, school, now: dt.datetime | None = None) -> int:
    """Stamp ``locked_at`` on the school's lessons whose deadline has passed: one UPDATE for the whole school.

    Grades are grouped by their cutoff (grades with a 5-day week share one, those with a 6-day week another), and
    the single UPDATE says ``(grade in G1 and date < c1) or (grade in G2 and date < c2) …``. Only lessons not yet
    stamped are touched, so a second run the same day updates nothing. Open edit windows do not matter here: the
    services ask edit_state, which honours them, never ``locked_at`` alone.
    """
    now = now or timezone.now()
    today = school_today(school)
    grades = sorted(
        set(SchoolClass.objects.filter(year__school=school).values_list("grade", flat=True).distinct()),
    )
    if not grades:
        return 0
    by_cutoff: dict[dt.date, list[int]] = {}
    for grade in grades:
        cutoff = lock_cutoff(grade_calendar(school, grade), today)
        by_cutoff.setdefault(cutoff, []).append(grade)
    condition = Q()
    for cutoff, group in sorted(by_cutoff.items()):
        condition |= Q(assignment__school_class__grade__in=group, date__lt=cutoff)
    return Lesson.objects.filter(condition, locked_at__isnull=True, assignment__year__school=school).update(
        locked_at=now
    )


def schools_with_years() -> list[School]:
    """The schools that have a school year (the others have no lessons)."""
    school_ids = SchoolYear.objects.values("school_id")
    return list(School.objects.filter(pk__in=school_ids).order_by("pk"))


# Columns about to lock -------------------------------------------------------------------------------------------

WARN_WORKING_DAYS = 2


def lessons_locking_soon(*, school, today: dt.date | None = None) -> list[Lesson]:
    """Lessons whose deadline is 2 working days after today and whose column is still empty (1 query + calendars).

    «Empty»: neither a mark nor an attendance code entered. Each lesson is found on exactly one day: the working
    day 2 working days before its deadline (nothing on days off, so a weekend run repeats nothing). Each lesson
    gets ``lock_deadline`` and ``recipient`` (the substitute recorded for it, else the assignment's teacher).
    """
    today = today or school_today(school)
    grades = sorted(set(SchoolClass.objects.filter(year__school=school).values_list("grade", flat=True)))
    ranges: dict[tuple[dt.date, dt.date, dt.date], list[int]] = {}
    for grade in grades:
        calendar = grade_calendar(school, grade)
        if not calendar.is_working_day(today):
            continue
        deadline = calendar.add_working_days(today, WARN_WORKING_DAYS)
        first, end = deadline_range(calendar, deadline)
        if first < end:
            ranges.setdefault((first, end, deadline), []).append(grade)
    if not ranges:
        return []
    condition = Q()
    for (first, end, _deadline), group in ranges.items():
        condition |= Q(assignment__school_class__grade__in=group, date__gte=first, date__lt=end)
    marks = Mark.objects.filter(lesson=OuterRef("pk")).exclude(value="")
    attendance = Attendance.objects.filter(lesson=OuterRef("pk")).exclude(code="")
    lessons = list(
        Lesson.objects.filter(condition, assignment__year__school=school, locked_at__isnull=True)
        .exclude(assignment__year__status=YearStatus.CLOSED)
        .filter(~Exists(marks), ~Exists(attendance))
        .select_related(
            "assignment__school_class",
            "assignment__subject",
            "assignment__subgroup",
            "assignment__teacher",
            "substitution__substitute",
        )
        .order_by("date", "number", "pk")
    )
    for lesson in lessons:
        grade = lesson.assignment.school_class.grade
        lesson.lock_deadline = next(deadline for (first, end, deadline), group in ranges.items() if grade in group)
        substitution = getattr(lesson, "substitution", None)
        lesson.recipient = substitution.substitute if substitution is not None else lesson.assignment.teacher
    return lessons
