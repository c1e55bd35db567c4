"""Who sees which report: the administration the whole school, a class teacher their class, a subject teacher the
results of their own assignments; everyone else (pupils, parents, another school) gets 404.

Built on ``journal.access``'s visibility querysets, so a report never shows what the journal would not.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import is_school_management
from accounts.models import School, User
from journal.access import printable_classes, visible_assignments
from journal.models import SchoolClass, TeachingAssignment

from .models import ReportJob

# Who a report is for: the whole school (the administration), a class (and the administration), an assignment's
# results (its teacher, the class teacher, the administration).
SCHOOL, CLASS, ASSIGNMENT = "school", "class", "assignment"


@dataclass(frozen=True)
class ReportScope:
    """What a user reports on: their school, whether they see all of it, the whole classes and the assignments."""

    user: User
    school: School
    management: bool
    classes: QuerySet[SchoolClass]
    assignments: QuerySet[TeachingAssignment]

    def may_see(self, audience: str) -> bool:
        if self.management:
            return True
        if audience == CLASS:
            return self.classes.exists()
        if audience == ASSIGNMENT:  # a class teacher sees their class's results even where they teach nothing
            return self.classes.exists() or self.assignments.exists()
        return False


def report_scope(user: User) -> ReportScope:
    """The user's reporting scope; 404 for those who see no report (pupils, parents, the platform operator, who has
    no school of their own)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.school_id is None:
        raise Http404
    if not (user.is_staff_member or is_school_management(user)):
        raise Http404
    management = is_school_management(user)
    # A class teacher's whole classes: the ones they print for (journal.access: the administration any class).
    classes = printable_classes(user)
    scope = ReportScope(
        user=user,
        school=user.school,
        management=management,
        classes=classes,
        assignments=visible_assignments(user),
    )
    return scope


def report_class(scope: ReportScope, pk: int | None) -> SchoolClass:
    """A class the scope reports on, by id; 404 for any other."""
    if pk is None:
        raise Http404
    school_class = scope.classes.select_related("year", "class_teacher").filter(pk=pk).first()
    if school_class is None:
        raise Http404
    return school_class


def visible_report_jobs(user: User) -> QuerySet[ReportJob]:
    """A report job is its requester's: the file holds what their scope showed them."""
    if not getattr(user, "is_authenticated", False):
        return ReportJob.objects.none()
    return ReportJob.objects.filter(requested_by_id=user.pk, school_id=user.school_id)
