"""The pupil's weekly timetable: their class's lessons and their own subgroups', with bells and rooms (3 queries)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import PupilProfile
from journal.models import SchoolClass
from journal.selectors.timetable import WEEKDAY_NAMES, bells_of, entries_on, grade_week, on_date_in, room_label

from .days import bell_time


@dataclass
class TimetableLesson:
    number: int
    time: str
    subject: str
    teacher: str
    room: str
    subgroup: str
    assignment_id: int


@dataclass
class TimetableDay:
    weekday: int
    name: str
    is_today: bool
    lessons: list[TimetableLesson] = field(default_factory=list)


def pupil_timetable(
    pupil: PupilProfile, school_class: SchoolClass, on_date: dt.date, today: dt.date
) -> list[TimetableDay]:
    """The week valid on ``on_date``: one day per working day of the grade (Saturday also when it has lessons)."""
    year = school_class.year
    on_date = on_date_in(year, on_date)
    entries = list(
        entries_on(year, on_date)
        .filter(assignment__school_class=school_class)
        .filter(Q(assignment__subgroup__isnull=True) | Q(assignment__subgroup__pupils=pupil))
        .distinct()
    )
    times = {bell.number: bell_time(bell.start_time, bell.end_time) for bell in bells_of(year)}
    week = max([grade_week(year, school_class.grade)] + [entry.weekday + 1 for entry in entries])
    days = [TimetableDay(day, str(WEEKDAY_NAMES[day]), today.weekday() == day) for day in range(week)]
    for entry in entries:
        assignment = entry.assignment
        days[entry.weekday].lessons.append(
            TimetableLesson(
                number=entry.number,
                time=times.get(entry.number, ""),
                subject=assignment.subject.name,
                teacher=assignment.teacher.short_name,
                room=room_label(entry.room) if entry.room_id else "",
                subgroup=assignment.subgroup.name if assignment.subgroup_id else "",
                assignment_id=assignment.pk,
            )
        )
    return days
