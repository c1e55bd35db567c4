"""Writes on the school's structure. Each area has its module; the common ones are re-exported here."""

from .structure import (
    assignment_create,
    assignment_teacher_change,
    calendar_rows_from_production_calendar,
    class_create,
    class_teacher_set,
    curriculum_set,
    default_period_kind,
    enrollment_create,
    ensure_year_writable,
    school_year_create,
    school_year_set_status,
    study_periods_set,
    subgroup_create,
    subject_create,
    vacation_add,
    year_open,
)

__all__ = [
    "assignment_create",
    "assignment_teacher_change",
    "calendar_rows_from_production_calendar",
    "class_create",
    "class_teacher_set",
    "curriculum_set",
    "default_period_kind",
    "enrollment_create",
    "ensure_year_writable",
    "school_year_create",
    "school_year_set_status",
    "study_periods_set",
    "subgroup_create",
    "subject_create",
    "vacation_add",
    "year_open",
]
