"""Exemptions from subjects (освобождения): the list of a class's pupils' exemptions of the year."""

from django.db.models import QuerySet

from ..models import Enrollment, SchoolClass, SubjectExemption


def class_exemptions(school_class: SchoolClass) -> QuerySet[SubjectExemption]:
    """The exemptions of the year of every pupil who belonged to the class during it (one query when listed)."""
    pupils = Enrollment.objects.filter(school_class=school_class).values("pupil_id")
    return (
        SubjectExemption.objects.filter(year_id=school_class.year_id, pupil_id__in=pupils)
        .select_related("pupil__user", "subject", "period", "created_by")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "subject__order", "subject__name", "period")
    )
