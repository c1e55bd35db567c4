"""The head of every diary page: whose diary it is, their class, and the parent's children to switch between."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.choices import Role
from accounts.models import PupilProfile, User
from journal.models import Enrollment, SchoolClass, SchoolYear
from journal.selectors.sql import as_date, fetch, table

from ..access import family_pupils


@dataclass
class DiaryHeader:
    """Whose diary, their class on the day (else their latest one), and the children a parent switches between."""

    pupil: PupilProfile
    today: dt.date
    school_class: SchoolClass | None  # with its year (pk, name, dates) loaded
    children: list[PupilProfile] = field(default_factory=list)

    @property
    def switcher(self) -> bool:
        return len(self.children) > 1


def family_children(user: User) -> QuerySet[PupilProfile]:
    """The family's children by name (``diary.access.family_pupils``: exactly those whose diary opens), for the
    child switcher and the diary's home."""
    return family_pupils(user).select_related("user").order_by("user__last_name", "user__first_name", "pk")


def pupil_class(pupil: PupilProfile, on_date: dt.date) -> SchoolClass | None:
    """The pupil's class on the date, else their latest, with its year (1 query, plain SQL: on every diary page)."""
    rows = fetch(
        "SELECT c.id, c.grade, c.letter, c.class_teacher_id, y.id, y.school_id, y.name, y.start_date, y.end_date,"
        f" y.status, e.date_from, e.date_to FROM {table(Enrollment)} e"
        f" JOIN {table(SchoolClass)} c ON c.id = e.school_class_id JOIN {table(SchoolYear)} y ON y.id = c.year_id"
        " WHERE e.pupil_id = %s ORDER BY e.date_from DESC",
        [pupil.pk],
    )
    if not rows:
        return None
    chosen = next(
        (row for row in rows if as_date(row[10]) <= on_date and (row[11] is None or on_date <= as_date(row[11]))),
        rows[0],
    )
    class_id, grade, letter, teacher_id, year_id, school_id, name, start, end, status, *_dates = chosen
    year = SchoolYear(
        pk=year_id, school_id=school_id, name=name, start_date=as_date(start), end_date=as_date(end), status=status
    )
    return SchoolClass(pk=class_id, grade=grade, letter=letter, class_teacher_id=teacher_id, year=year)


def diary_header(user: User, pupil: PupilProfile, today: dt.date) -> DiaryHeader:
    """The pupil's class on the day (else their latest), and a parent's children (2 queries for a parent, else 1)."""
    children = list(family_children(user)) if user.role == Role.PARENT else []
    return DiaryHeader(pupil=pupil, today=today, school_class=pupil_class(pupil, today), children=children)
