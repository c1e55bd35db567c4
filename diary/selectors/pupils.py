"""The head of every diary page: whose diary it is, their class, the parent's children to switch between, and the
years the pupil studied at the school (the year switcher)."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import connections, router
from django.db.models import QuerySet

from accounts.access import is_school_management
from accounts.choices import Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User
from journal.access import ModelRows
from journal.models import Enrollment, SchoolClass, SchoolYear
from journal.selectors.sql import as_date, fetch, table

from ..access import family_pupils


@dataclass
class ClassStay:
    """A stay of the pupil in a class (an enrolment): the class with its year, from, to (None: still there)."""

    school_class: SchoolClass
    date_from: dt.date
    date_to: dt.date | None


@dataclass
class PupilYear:
    """A school year the pupil studied at their school, with their class or classes in it (by date)."""

    year: SchoolYear
    stays: list[ClassStay] = field(default_factory=list)

    @property
    def school_class(self) -> SchoolClass:
        """The class the pupil was in last that year (its grade sets the year's study periods)."""
        return self.stays[-1].school_class


@dataclass
class DiaryHeader:
    """Whose diary, their class on the day (else their latest one), the children a parent switches between, and the
    years the pupil studied at the school (the year switcher of the marks pages), newest first."""

    pupil: PupilProfile
    today: dt.date
    school_class: SchoolClass | None  # with its year (pk, name, dates) loaded
    children: list[PupilProfile] = field(default_factory=list)
    years: list[PupilYear] = field(default_factory=list)

    @property
    def switcher(self) -> bool:
        return len(self.children) > 1

    @property
    def year_switcher(self) -> bool:
        return len(self.years) > 1

    def pupil_year(self, year_id: int) -> PupilYear | None:
        """One of the pupil's years (the year switcher's choice), None for a year they did not study at the school."""
        return next((entry for entry in self.years if entry.year.pk == year_id), None)


def family_children(user: User) -> QuerySet[PupilProfile]:
    """The family's children by name (``diary.access.family_pupils``: exactly those whose diary opens), for the
    child switcher and the diary's home."""
    return family_pupils(user).select_related("user").order_by("user__last_name", "user__first_name", "pk")


def parent_children(user: User) -> list[PupilProfile]:
    """``family_children`` of a parent as a list, in one plain query (every diary page a parent opens reads it): the
    children linked to the parent, of the parent's school, on whose diary the parent holds ``view_pupil_diary``,
    with their users, by name. The ORM built that query in ~1 ms and PostgreSQL planned its joins in ~0.8 ms; this
    one is built once per process. Anyone but a parent of a school (the administration and the platform operator
    see through ``visible_pupils`` differently) gets the queryset's answer; the tests hold the two equal."""
    if (
        not getattr(user, "is_authenticated", False)
        or user.role != Role.PARENT
        or not user.is_active
        or user.school_id is None
        or is_school_management(user)
    ):
        return list(family_children(user))
    alias = router.db_for_read(PupilProfile)
    query = _children_query(alias)
    children = []
    for row in query.fetch_all(alias, [user.school_id, user.pk, user.pk, "view_pupil_diary"]):
        pupil, pupil_user = query.instances(alias, row)
        PupilProfile.user.field.set_cached_value(pupil, pupil_user)
        children.append(pupil)
    return children


_CHILDREN_QUERIES: dict[str, ModelRows] = {}


def _children_query(alias: str) -> ModelRows:
    """The query of ``parent_children``, written once per process and database."""
    query = _CHILDREN_QUERIES.get(alias)
    if query is None:
        quote = connections[alias].ops.quote_name
        pupil, user, link, parent, held, permission = (
            quote(model._meta.db_table)
            for model in (PupilProfile, User, ParentChild, ParentProfile, PupilUserObjectPermission, Permission)
        )
        query = _CHILDREN_QUERIES[alias] = ModelRows(alias, [(PupilProfile, "p", False), (User, "u", False)])
        query.sql = (
            f"SELECT {query.columns} FROM {pupil} p JOIN {user} u ON u.id = p.user_id WHERE u.school_id = %s"
            f" AND EXISTS (SELECT 1 FROM {link} pc JOIN {parent} pp ON pp.id = pc.parent_id"
            " WHERE pc.pupil_id = p.id AND pp.user_id = %s)"
            f" AND EXISTS (SELECT 1 FROM {held} o JOIN {permission} ap ON ap.id = o.permission_id"
            " WHERE o.user_id = %s AND o.content_object_id = p.id AND ap.codename = %s)"
            " ORDER BY u.last_name, u.first_name, p.id"
        )
    return query


def pupil_stays(pupil: PupilProfile) -> list[ClassStay]:
    """Every enrolment of the pupil with its class and year, the latest first (1 query, plain SQL: on every diary
    page)."""
    rows = fetch(
        "SELECT c.id, c.grade, c.letter, c.class_teacher_id, y.id, y.school_id, y.name, y.start_date, y.end_date,"
        f" y.status, e.date_from, e.date_to FROM {table(Enrollment)} e"
        f" JOIN {table(SchoolClass)} c ON c.id = e.school_class_id JOIN {table(SchoolYear)} y ON y.id = c.year_id"
        " WHERE e.pupil_id = %s ORDER BY e.date_from DESC, e.id DESC",
        [pupil.pk],
    )
    years: dict[int, SchoolYear] = {}
    stays = []
    for class_id, grade, letter, teacher_id, year_id, school_id, name, start, end, status, date_from, date_to in rows:
        if year_id not in years:
            years[year_id] = SchoolYear(
                pk=year_id,
                school_id=school_id,
                name=name,
                start_date=as_date(start),
                end_date=as_date(end),
                status=status,
            )
        school_class = SchoolClass(
            pk=class_id, grade=grade, letter=letter, class_teacher_id=teacher_id, year=years[year_id]
        )
        stays.append(ClassStay(school_class, as_date(date_from), as_date(date_to)))
    return stays


def class_on(stays: list[ClassStay], on_date: dt.date) -> SchoolClass | None:
    """The class of the stays on the date, else the latest one."""
    if not stays:
        return None
    chosen = next(
        (stay for stay in stays if stay.date_from <= on_date and (stay.date_to is None or on_date <= stay.date_to)),
        stays[0],
    )
    return chosen.school_class


def pupil_years(
    pupil: PupilProfile, stays: list[ClassStay], today: dt.date, current: SchoolClass | None
) -> list[PupilYear]:
    """The years the pupil studied at their school, newest first, each with its stays in date order: the years of
    their enrolments in the school's classes, bar a year not begun yet unless it is the diary's current one (a
    pupil promoted into next year's class sees that year from its first day)."""
    school_id = pupil.user.school_id
    current_id = current.year.pk if current is not None else None
    years: dict[int, PupilYear] = {}
    for stay in stays:
        year = stay.school_class.year
        if year.school_id != school_id or (year.start_date > today and year.pk != current_id):
            continue
        years.setdefault(year.pk, PupilYear(year)).stays.insert(0, stay)
    return sorted(years.values(), key=lambda entry: entry.year.start_date, reverse=True)


def diary_header(user: User, pupil: PupilProfile, today: dt.date) -> DiaryHeader:
    """The pupil's class on the day (else their latest), their years at the school, and a parent's children (2
    queries for a parent, else 1)."""
    children = parent_children(user) if user.role == Role.PARENT else []
    stays = pupil_stays(pupil)
    school_class = class_on(stays, today)
    return DiaryHeader(
        pupil=pupil,
        today=today,
        school_class=school_class,
        children=children,
        years=pupil_years(pupil, stays, today, school_class),
    )
