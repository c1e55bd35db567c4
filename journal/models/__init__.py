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

__all__ = [
    "CalendarDay",
    "CurriculumEntry",
    "Enrollment",
    "GradeSettings",
    "SchoolClass",
    "SchoolClassUserObjectPermission",
    "SchoolYear",
    "StudyPeriod",
    "Subgroup",
    "Subject",
    "TeachingAssignment",
    "TeachingAssignmentUserObjectPermission",
    "Vacation",
]
