"""The class teacher's correction of absence reasons for a whole day of a pupil [003 §2.9, 000 §5.2].

Each lesson goes through ``journal.services.journal.attendance_set``, which holds every rule (who may write,
the edit lock and the class teacher's later correction of reasons, enrolment); the day is all or nothing.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User

from ..models import Attendance, AttendanceCode, SchoolClass
from .journal import ABSENT_CODES, attendance_set

REASON_CODES = (AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.UNEXCUSED, AttendanceCode.ABSENT)


@transaction.atomic
def absences_reason_set_day(
    *, actor: User, school_class: SchoolClass, pupil: PupilProfile, day: dt.date, code: str
) -> list[Attendance]:
    """Give every absence of the pupil on the day (all subjects of the class) the reason ``code`` (б, у, п or н)."""
    if code not in REASON_CODES:
        raise ValidationError(_("Выберите причину пропуска: б, у, п или н."))
    rows = list(
        Attendance.objects.filter(
            lesson__assignment__school_class=school_class, lesson__date=day, pupil=pupil, code__in=ABSENT_CODES
        )
        .select_related(
            "lesson__assignment__year__school",
            "lesson__assignment__school_class",
            "lesson__assignment__subgroup",
            "lesson__assignment__subject",
        )
        .order_by("lesson__number")
    )
    if not rows:
        raise ValidationError(_("У %(pupil)s нет пропусков %(date)s.") % {"pupil": pupil, "date": f"{day:%d.%m.%Y}"})
    changed = []
    for row in rows:
        if row.code == code:
            continue
        try:
            changed.append(attendance_set(actor=actor, lesson=row.lesson, pupil=pupil, code=code))
        except ValidationError as error:
            raise ValidationError(
                _("%(n)s урок (%(subject)s): %(error)s")
                % {
                    "n": row.lesson.number,
                    "subject": row.lesson.assignment.subject.name,
                    "error": " ".join(error.messages),
                }
            ) from error
    return changed
