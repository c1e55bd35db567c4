"""Reads about people: a pupil's card for the diary and the home pages."""

import datetime as dt
from dataclasses import dataclass

from journal import selectors as journal_selectors
from journal.models import Enrollment, StudyPeriod, TeachingAssignment

from .models import ParentChild, PupilProfile


@dataclass
class PupilCard:
    pupil: PupilProfile
    enrollment: Enrollment | None
    period: StudyPeriod | None
    subjects: list[TeachingAssignment]
    parents: list[ParentChild]


def pupil_card(pupil: PupilProfile, on_date: dt.date) -> PupilCard:
    """The pupil, their class and class teacher, the current period, subjects with teachers, and parents."""
    enrollment = journal_selectors.pupil_enrollment(pupil, on_date)
    subjects: list[TeachingAssignment] = []
    period = None
    if enrollment is not None:
        school_class = enrollment.school_class
        subjects = journal_selectors.pupil_subjects(pupil, school_class)
        period = journal_selectors.current_period(school_class.year, school_class.grade, on_date)
    parents = list(journal_selectors.pupil_parents(pupil))
    return PupilCard(pupil=pupil, enrollment=enrollment, period=period, subjects=subjects, parents=parents)
