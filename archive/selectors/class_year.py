"""A class's year as plain data for the archive's canonical JSON: the pupils with their enrolments, the assignments,
every lesson, mark, attendance code, homework and period mark, each with who wrote it and when.

Everything is ordered by primary key and made of strings, numbers and ``None`` only, so that the same data always
gives the same bytes (``canonical_json``). Eight queries per class, whatever its size.
"""

import datetime as dt
import json
from decimal import Decimal

from accounts.models import User
from journal.models import (
    Attendance,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    SchoolClass,
    TeachingAssignment,
)

FORMAT = "ejournal-class-year/1"


def canonical_json(data) -> bytes:
    """The one byte form of ``data``: sorted keys, no spaces, UTF-8 (Cyrillic as is)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _users(ids: set[int]) -> dict[int, str]:
    return {pk: user.full_name or user.username for pk, user in User.objects.in_bulk(ids - {None}).items()}


def class_year_data(school_class: SchoolClass, snapshot_at: dt.datetime | None = None) -> dict:
    """The class's year, as the archive keeps it (see the module's docstring)."""
    year = school_class.year
    school = year.school
    enrollments = list(
        Enrollment.objects.filter(school_class=school_class).select_related("pupil__user").order_by("pk")
    )
    assignments = list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("subject", "subgroup")
        .order_by("pk")
    )
    lessons = list(
        Lesson.objects.filter(assignment__school_class=school_class)
        .values("pk", "assignment_id", "date", "number", "topic", "work_type__name", "is_control", "taught_by_id",
                "recorded_at")
        .order_by("pk")
    )  # fmt: skip
    marks = list(
        Mark.objects.filter(lesson__assignment__school_class=school_class)
        .values("pk", "lesson_id", "pupil_id", "position", "value", "work_type__name", "updated_by_id", "updated_at")
        .order_by("pk")
    )
    attendance = list(
        Attendance.objects.filter(lesson__assignment__school_class=school_class)
        .values("pk", "lesson_id", "pupil_id", "code", "updated_by_id", "updated_at")
        .order_by("pk")
    )
    homework = list(
        Homework.objects.filter(lesson__assignment__school_class=school_class).prefetch_related("pupils").order_by("pk")
    )
    period_marks = list(
        PeriodMark.objects.filter(assignment__school_class=school_class)
        .values("pk", "assignment_id", "pupil_id", "kind", "period_id", "proposed_value", "value", "override_reason",
                "overridden_by_id", "updated_by_id", "updated_at")
        .order_by("pk")
    )  # fmt: skip
    user_ids = {a.teacher_id for a in assignments} | {school_class.class_teacher_id}
    user_ids |= {row["taught_by_id"] for row in lessons}
    user_ids |= {row["updated_by_id"] for row in marks} | {row["updated_by_id"] for row in attendance}
    user_ids |= {h.updated_by_id for h in homework}
    user_ids |= {row["updated_by_id"] for row in period_marks} | {row["overridden_by_id"] for row in period_marks}
    names = _users(user_ids)

    pupils: dict[int, dict] = {}
    for enrollment in enrollments:
        pupil = enrollment.pupil
        entry = pupils.setdefault(
            pupil.pk,
            {
                "id": pupil.pk,
                "name": pupil.user.full_name,
                "date_of_birth": pupil.date_of_birth,
                "sex": pupil.sex,
                "enrollments": [],
            },
        )
        entry["enrollments"].append(
            {
                "date_from": enrollment.date_from,
                "date_to": enrollment.date_to,
                "reason_in": enrollment.reason_in,
                "reason_out": enrollment.reason_out,
            }
        )
    return {
        "format": FORMAT,
        "school": {"id": school.pk, "name": school.name, "short_name": school.short_name},
        "year": {"id": year.pk, "name": year.name, "start_date": year.start_date, "end_date": year.end_date},
        "class": {
            "id": school_class.pk,
            "name": str(school_class),
            "grade": school_class.grade,
            "letter": school_class.letter,
            "class_teacher": names.get(school_class.class_teacher_id),
        },
        "snapshot_at": snapshot_at,
        "pupils": [pupils[pk] for pk in sorted(pupils)],
        "assignments": [
            {
                "id": a.pk,
                "subject": a.subject.name,
                "subgroup": a.subgroup.name if a.subgroup else None,
                "teacher": names.get(a.teacher_id),
                "hours_per_week": a.hours_per_week,
            }
            for a in assignments
        ],
        "lessons": [
            {
                "id": row["pk"],
                "assignment": row["assignment_id"],
                "date": row["date"],
                "number": row["number"],
                "topic": row["topic"],
                "work_type": row["work_type__name"],
                "is_control": row["is_control"],
                "taught_by": names.get(row["taught_by_id"]),
                "recorded_at": row["recorded_at"],
            }
            for row in lessons
        ],
        "marks": [
            {
                "id": row["pk"],
                "lesson": row["lesson_id"],
                "pupil": row["pupil_id"],
                "position": row["position"],
                "value": row["value"],
                "work_type": row["work_type__name"],
                "by": names.get(row["updated_by_id"]),
                "at": row["updated_at"],
            }
            for row in marks
        ],
        "attendance": [
            {
                "id": row["pk"],
                "lesson": row["lesson_id"],
                "pupil": row["pupil_id"],
                "code": row["code"],
                "by": names.get(row["updated_by_id"]),
                "at": row["updated_at"],
            }
            for row in attendance
        ],
        "homework": [
            {
                "id": h.pk,
                "lesson": h.lesson_id,
                "text": h.text,
                "due_date": h.due_date,
                "pupils": sorted(p.pk for p in h.pupils.all()),
                "by": names.get(h.updated_by_id),
                "at": h.updated_at,
            }
            for h in homework
        ],
        "period_marks": [
            {
                "id": row["pk"],
                "assignment": row["assignment_id"],
                "pupil": row["pupil_id"],
                "kind": row["kind"],
                "period": row["period_id"],
                "proposed_value": row["proposed_value"],
                "value": row["value"],
                "override_reason": row["override_reason"],
                "overridden_by": names.get(row["overridden_by_id"]),
                "by": names.get(row["updated_by_id"]),
                "at": row["updated_at"],
            }
            for row in period_marks
        ],
    }
