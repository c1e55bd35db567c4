from .promotion import Promotion, PromotionDecision
from .school_calendar import CalendarDay, GradeSettings, SchoolYear, StudyPeriod, Vacation
from .structure import (
    CurriculumEntry,
    Enrollment,
    SchoolClass,
    SchoolClassUserObjectPermission,
    Subgroup,
    Subject,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
)
from .timetable import WEEKDAY_CHOICES, Bell, Lesson, Room, TimetableEntry

__all__ = [
    "WEEKDAY_CHOICES",
    "Bell",
    "CalendarDay",
    "CurriculumEntry",
    "Enrollment",
    "GradeSettings",
    "Lesson",
    "Promotion",
    "PromotionDecision",
    "Room",
    "SchoolClass",
    "SchoolClassUserObjectPermission",
    "SchoolYear",
    "StudyPeriod",
    "Subgroup",
    "Subject",
    "TeachingAssignment",
    "TeachingAssignmentUserObjectPermission",
    "TimetableEntry",
    "Vacation",
]
