"""Активность пользователей: staff sign-ins and journal entries per teacher, pupils' and parents' diary visits per
class (11 queries whatever the number of users, classes, entries or visits).

Entries are read from the journal's history tables (django-simple-history: who wrote, when): every written or
cleared mark and attendance code, every homework saved, every save of a lesson that leaves it with a topic.
Sign-ins and visits are accounts.LoginRecord and accounts.UserVisit (accounts.visits).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.choices import STAFF_ROLES, Role
from accounts.models import LoginRecord, ParentChild, User, UserVisit
from journal.models import Attendance, Enrollment, Homework, Lesson, Mark, SchoolClass
from journal.selectors.structure import active_enrollments

from ..access import ReportScope

KINDS = ("marks", "attendance", "topics", "homework")


@dataclass
class StaffActivity:
    user: User
    logins: int = 0
    marks: int = 0
    attendance: int = 0
    topics: int = 0
    homework: int = 0

    @property
    def entries(self) -> int:
        return self.marks + self.attendance + self.topics + self.homework


@dataclass
class ClassVisits:
    school_class: SchoolClass
    pupils: int = 0
    pupils_visited: int = 0
    families: int = 0  # pupils with at least one parent linked
    families_visited: int = 0  # pupils with at least one parent who visited

    @property
    def families_share(self) -> Decimal | None:
        return None if not self.pupils else Decimal(self.families_visited * 100) / self.pupils


@dataclass
class Activity:
    start: dt.date
    end: dt.date
    staff: list[StaffActivity] = field(default_factory=list)
    classes: list[ClassVisits] = field(default_factory=list)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The range as aware datetimes in the current (the school's) time zone: [start 00:00, end+1 00:00)."""
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first, after


def activity(scope: ReportScope, data: dict, *, progress=None) -> Activity:
    start, end = data["start"], data["end"]
    first, after = _bounds(start, end)
    school = scope.school
    staff = {
        user.pk: StaffActivity(user)
        for user in User.objects.filter(school=school, role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "first_name", "middle_name"
        )
    }
    logins = (
        LoginRecord.objects.filter(school=school, at__gte=first, at__lt=after, user_id__in=list(staff))
        .values("user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in logins:
        staff[row["user_id"]].logins = row["n"]
    histories = {
        "marks": Mark.history.all(),
        "attendance": Attendance.history.all(),
        "topics": Lesson.history.exclude(topic=""),
        "homework": Homework.history.all(),
    }
    for kind, history in histories.items():
        counts = (
            history.filter(history_user_id__in=list(staff), history_date__gte=first, history_date__lt=after)
            .values("history_user_id")
            .annotate(n=Count("history_id"))
            .order_by()
        )
        for row in counts:
            setattr(staff[row["history_user_id"]], kind, row["n"])

    year = data.get("year")
    classes = {
        c.pk: ClassVisits(c)
        for c in (scope.classes.filter(year=year).order_by("grade", "letter") if year is not None else [])
    }
    on_date = min(max(end, year.start_date), year.end_date) if year is not None else end
    roster = list(
        Enrollment.objects.filter(active_enrollments(on_date), school_class_id__in=list(classes)).values_list(
            "school_class_id", "pupil_id", "pupil__user_id"
        )
    )
    parents: dict[int, set[int]] = defaultdict(set)
    for pupil_id, parent_user_id in ParentChild.objects.filter(
        pupil_id__in=[pupil_id for _c, pupil_id, _u in roster]
    ).values_list("pupil_id", "parent__user_id"):
        parents[pupil_id].add(parent_user_id)
    visited = set(
        UserVisit.objects.filter(school=school, day__gte=start, day__lte=end, user__role__in=(Role.PUPIL, Role.PARENT))
        .values_list("user_id", flat=True)
        .distinct()
    )
    for class_id, pupil_id, user_id in roster:
        row = classes[class_id]
        row.pupils += 1
        row.pupils_visited += user_id in visited
        row.families += bool(parents[pupil_id])
        row.families_visited += bool(parents[pupil_id] & visited)
    return Activity(start=start, end=end, staff=list(staff.values()), classes=list(classes.values()))
