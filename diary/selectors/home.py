"""The home page of pupils and parents: for each child today's and the next school day's lessons, the homework
due on the next day (as the diary's week places it: on its due day) and the latest marks, in a fixed number of
queries for any number of children (8)."""

import datetime as dt
from dataclasses import dataclass, field

from accounts.models import PupilProfile
from journal.models import Enrollment, SchoolClass
from journal.selectors import active_enrollments

from .days import DiaryDay, DiaryMark, DueHomework, homework_due, next_school_day, pupil_days

LOOKBACK_DAYS = 21  # the latest marks (the homework due tomorrow is found by pupil_days however long ago it was given)
LOOKAHEAD_DAYS = 14  # the next school day after a vacation
LATEST_MARKS = 6


@dataclass
class LatestMark:
    date: dt.date
    subject: str
    assignment_id: int
    mark: DiaryMark


@dataclass
class ChildHome:
    pupil: PupilProfile
    school_class: SchoolClass | None
    today: DiaryDay | None
    next_day: DiaryDay | None
    due: list[DueHomework] = field(default_factory=list)
    latest_marks: list[LatestMark] = field(default_factory=list)


def family_home(pupils: list[PupilProfile], today: dt.date) -> list[ChildHome]:
    classes = {
        enrollment.pupil_id: enrollment.school_class
        for enrollment in Enrollment.objects.filter(active_enrollments(today), pupil__in=pupils).select_related(
            "school_class"
        )
    }
    days_of = pupil_days(
        pupils, today - dt.timedelta(days=LOOKBACK_DAYS), today + dt.timedelta(days=LOOKAHEAD_DAYS), today=today
    )
    homes = []
    for pupil in pupils:
        days = days_of.get(pupil.pk, [])
        today_day = next((day for day in days if day.date == today), None)
        next_day = next_school_day(days, today)
        latest = [
            LatestMark(day.date, lesson.subject, lesson.assignment_id, mark)
            for day in reversed(days)
            if day.date <= today
            for lesson in reversed(day.lessons)
            for mark in lesson.marks
        ][:LATEST_MARKS]
        homes.append(
            ChildHome(
                pupil=pupil,
                school_class=classes.get(pupil.pk),
                today=today_day,
                next_day=next_day,
                due=homework_due(days, next_day.date) if next_day else [],
                latest_marks=latest,
            )
        )
    return homes
