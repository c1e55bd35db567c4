"""What each user may see of the journal, one queryset per kind of object, and the detail helpers built on them.

``visible_*(user)`` is the one answer to "what may this user see": the lists filter it further and the detail
pages take their object from it (NetBox's ``restrict(user, action)``), so a list and its detail page cannot
disagree. The detail helpers add whether the user may write, in the same query, and give 404 to everyone else.

Management (admin, director, deputy) see everything of their school, read-only; teachers reach their
assignments and class teachers their class through django-guardian object permissions granted by the services
(the direct permission tables, read here with EXISTS, never guardian's checker: that one lets any Django
superuser through; the administration only reads the journal).
"""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import can_edit_structure, is_school_management
from accounts.choices import STAFF_ROLES, Role
from accounts.models import PupilProfile, PupilUserObjectPermission, User

from .models import (
    Enrollment,
    Lesson,
    Room,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    Subgroup,
    Subject,
    Substitution,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
    TimetableEntry,
)

LESSON_TEACHER, LESSON_CLASS_TEACHER, LESSON_SUBSTITUTE = "teacher", "class_teacher", "substitute"


# The permission tables as conditions ------------------------------------------------------------------------------


def _holds(table, codename: str, user: User, object_ref: str) -> Exists:
    """The user holds ``codename`` on the object whose id is the outer query's ``object_ref``."""
    return Exists(
        table.objects.filter(user_id=user.pk, content_object_id=OuterRef(object_ref), permission__codename=codename)
    )


def _manages_class(user: User, class_ref: str) -> Exists:
    return _holds(SchoolClassUserObjectPermission, "manage_class", user, class_ref)


def _school_scope(queryset: QuerySet, user: User, school_path: str) -> QuerySet | None:
    """The queryset cut to the user's school; None when the user sees nothing (anonymous, or no school)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_platform_operator:
        return queryset
    if user.school_id is None:
        return None
    return queryset.filter(**{school_path: user.school_id})


# What each user may see ------------------------------------------------------------------------------------------


def visible_years(user: User) -> QuerySet[SchoolYear]:
    """School years as objects to manage (setup, calendar editing): the administration of the school."""
    years = _school_scope(SchoolYear.objects.all(), user, "school_id")
    if years is None or not is_school_management(user):
        return SchoolYear.objects.none()
    return years


def visible_classes(user: User) -> QuerySet[SchoolClass]:
    """The administration: every class of the school; a class teacher: their class (view_class_journal)."""
    classes = _school_scope(SchoolClass.objects.all(), user, "year__school_id")
    if classes is None:
        return SchoolClass.objects.none()
    if is_school_management(user):
        return classes
    return classes.filter(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "pk"))


def visible_assignments(user: User) -> QuerySet[TeachingAssignment]:
    """The administration: every assignment of the school; a teacher: their own; a class teacher: all of their
    class's (their class journal, all subjects [003 §4.4])."""
    assignments = _school_scope(TeachingAssignment.objects.all(), user, "year__school_id")
    if assignments is None:
        return TeachingAssignment.objects.none()
    if is_school_management(user):
        return assignments
    return assignments.filter(
        Q(_holds(TeachingAssignmentUserObjectPermission, "view_assignment_journal", user, "pk"))
        | Q(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "school_class_id"))
    )


def visible_lessons(user: User) -> QuerySet[Lesson]:
    """The lessons of the visible assignments, and a substitute's lessons (that one lesson, not the assignment)."""
    lessons = _school_scope(Lesson.objects.all(), user, "assignment__year__school_id")
    if lessons is None:
        return Lesson.objects.none()
    if is_school_management(user):
        return lessons
    return lessons.filter(
        Q(_holds(TeachingAssignmentUserObjectPermission, "view_assignment_journal", user, "assignment_id"))
        | Q(_holds(SchoolClassUserObjectPermission, "view_class_journal", user, "assignment__school_class_id"))
        | Q(substitution__substitute_id=user.pk)
    )


def visible_pupils(user: User) -> QuerySet[PupilProfile]:
    """A pupil: themself; a parent: their children (view_pupil_diary, granted with the link); a class teacher:
    the pupils who are or were on the roll of their class; the administration: every pupil of the school."""
    pupils = _school_scope(PupilProfile.objects.all(), user, "user__school_id")
    if pupils is None:
        return PupilProfile.objects.none()
    if is_school_management(user):
        return pupils
    condition = Q(_holds(PupilUserObjectPermission, "view_pupil_diary", user, "pk"))
    if user.is_staff_member:
        managed = SchoolClassUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename="manage_class"
        ).values("content_object_id")
        condition |= Q(Exists(Enrollment.objects.filter(pupil_id=OuterRef("pk"), school_class_id__in=managed)))
    return pupils.filter(condition)


def _school_staff_scope(queryset: QuerySet, user: User, school_path: str) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return queryset.none()
    scoped = _school_scope(queryset, user, school_path)
    return queryset.none() if scoped is None else scoped


def timetable_classes(user: User) -> QuerySet[SchoolClass]:
    """Classes as timetables: the school's timetable is open to all its staff, by class, teacher and room (pupils and
    parents see their own in the diary)."""
    return _school_staff_scope(SchoolClass.objects.all(), user, "year__school_id")


def timetable_teachers(user: User) -> QuerySet[User]:
    """The school's staff as timetables (a teacher's week)."""
    return _school_staff_scope(User.objects.filter(role__in=STAFF_ROLES), user, "school_id")


def timetable_rooms(user: User) -> QuerySet[Room]:
    return _school_staff_scope(Room.objects.all(), user, "school_id")


def timetable_entries(user: User) -> QuerySet[TimetableEntry]:
    return _school_staff_scope(TimetableEntry.objects.all(), user, "year__school_id")


# Detail pages: the object from its visible queryset, and whether the user may write -------------------------------


def assignment_for_user(user: User, pk: int) -> tuple[TeachingAssignment, bool]:
    """The assignment and whether the user may keep its journal: the teacher, or the class teacher [003 §4.4].

    One plain query (see "The detail helpers' query" below): the assignment with its year, class, subject, subgroup
    and teacher, and the user's permissions on it and on its class; 404 unless ``visible_assignments`` holds it.
    """
    pk = _object_id(pk)
    if not _sees_a_school(user):
        raise Http404
    alias = router.db_for_read(TeachingAssignment)
    query = _assignment_query(alias, user.is_platform_operator)
    row = query.fetch_one(alias, _detail_params(user, pk))
    if row is None:
        raise Http404
    assignment, year, school_class, subject, subgroup, teacher = query.instances(alias, row)
    on_assignment, on_class = row[-2] or 0, row[-1] or 0
    if not (is_school_management(user) or on_assignment & _VIEW or on_class & _VIEW):  # as visible_assignments
        raise Http404
    _cache(assignment, year=year, school_class=school_class, subject=subject, subgroup=subgroup, teacher=teacher)
    assignment.user_teaches, assignment.user_manages = bool(on_assignment & _EDIT), bool(on_class & _EDIT)
    if user.school_id == year.school_id:
        year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    return assignment, assignment.user_teaches or assignment.user_manages


def class_for_user(user: User, pk: int) -> tuple[SchoolClass, bool]:
    """The class and whether the user manages it (its class teacher)."""
    school_class = get_object_or_404(
        visible_classes(user)
        .select_related("year__school", "class_teacher")
        .annotate(user_manages=_manages_class(user, "pk")),
        pk=pk,
    )
    return school_class, school_class.user_manages


def year_for_user(user: User, pk: int) -> tuple[SchoolYear, bool]:
    """A school year for its school's management; the admin edits it (unless it is closed)."""
    year = get_object_or_404(visible_years(user).select_related("school"), pk=pk)
    return year, can_edit_structure(user) and not year.is_closed


def pupil_for_user(user: User, pk: int) -> PupilProfile:
    """The pupil for their diary and card; 404 for anyone else: a parent who edits the URL to another family's
    child learns nothing."""
    return get_object_or_404(visible_pupils(user).select_related("user__school"), pk=pk)


def lesson_for_user(user: User, pk: int, *, for_page: bool = False) -> tuple[Lesson, bool]:
    """The lesson and whether the user may write in it: the assignment's teacher, the class teacher, the substitute.

    The director, the deputy and the admin see every lesson of their school read-only; anyone else gets 404. One
    plain query (see "The detail helpers' query" below): the lesson with its assignment, year, class and
    substitution, and the user's permissions on the assignment and the class; 404 unless ``visible_lessons`` holds
    it. ``for_page`` adds what a page shows (the subject, the teacher, the subgroup), so that its template reads
    nothing more.
    """
    pk = _object_id(pk)
    if not _sees_a_school(user):
        raise Http404
    alias = router.db_for_read(Lesson)
    query = _lesson_query(alias, for_page, user.is_platform_operator)
    row = query.fetch_one(alias, _detail_params(user, pk))
    if row is None:
        raise Http404
    lesson, assignment, year, school_class, substitution, *page = query.instances(alias, row)
    on_assignment, on_class = row[-2] or 0, row[-1] or 0
    substitute_id = substitution.substitute_id if substitution is not None else None
    if not (  # as visible_lessons
        is_school_management(user) or on_assignment & _VIEW or on_class & _VIEW or substitute_id == user.pk
    ):
        raise Http404
    _cache(lesson, assignment=assignment)
    _cache(assignment, year=year, school_class=school_class)
    if for_page:
        subject, teacher, subgroup = page
        _cache(assignment, subject=subject, teacher=teacher, subgroup=subgroup)
    # None as select_related leaves it: lesson.substitution raises DoesNotExist without a query.
    Lesson._meta.get_field("substitution").set_cached_value(lesson, substitution)
    if substitution is not None:
        _cache(substitution, lesson=lesson)
    lesson.user_teaches, lesson.user_manages = bool(on_assignment & _EDIT), bool(on_class & _EDIT)
    if user.school_id == year.school_id:
        year.school = user.school  # loaded with the user (accounts.backends.UserBackend)
    if lesson.user_teaches:
        role = LESSON_TEACHER
    elif lesson.user_manages:
        role = LESSON_CLASS_TEACHER
    elif substitute_id == user.pk:
        role = LESSON_SUBSTITUTE
    else:
        role = None
    lesson.__dict__.setdefault("_editor_roles", {})[user.pk] = role  # the service's re-check reads it
    return lesson, role is not None


# The detail helpers' query ----------------------------------------------------------------------------------------
#
# Every grid page reads its assignment and every saved cell its lesson. Through the ORM each cost ~2 ms of CPU to
# build (the visibility's three EXISTS, select_related, annotate) and PostgreSQL ~3 ms to plan. Here each is one
# plain query built once per process: the object by its id within the user's school, its related rows joined as
# select_related would, and two scalar subqueries saying which of the journal's permissions the user holds on the
# assignment and on its class (the direct permission tables joined to auth_permission by codename, as ``_holds``
# reads them; ids of permissions are not cached, a test database makes new ones). Who may see the row is then
# decided in Python by the very rules of ``visible_assignments`` and ``visible_lessons``
# (journal/tests/test_access_sql.py compares the two for the whole cast).

_VIEW, _EDIT = 1, 2  # the bits of a permissions column: view_*_journal, and edit_assignment_journal / manage_class


def _object_id(pk) -> int:
    """The id asked for as an integer; 404 for anything that cannot be one (the ORM's lookup finds nothing)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not -(2**63) <= pk < 2**63:
        raise Http404
    return pk


def _sees_a_school(user: User) -> bool:
    """As ``_school_scope``: an active signed-in user of a school, or the platform operator."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_platform_operator or user.school_id is not None


def _detail_params(user: User, pk: int) -> list:
    params = ["view_assignment_journal", "edit_assignment_journal", user.pk, "view_class_journal", "manage_class"]
    params += [user.pk, pk]
    if not user.is_platform_operator:
        params.append(user.school_id)
    return params


def _cache(instance, **related) -> None:
    """Related objects cached on ``instance`` as select_related leaves them (None for an empty nullable key)."""
    fields = instance._meta._forward_fields_map
    for name, value in related.items():
        fields[name].set_cached_value(instance, value)


class ModelRows:
    """Plain query rows made into model instances as the ORM makes them (``from_db``, with the database's conversions
    of the values): the access checks' one-query lookups (journal.access, diary.access). ``parts`` are (model, table
    alias, nullable); ``columns`` is their SQL for the SELECT, ``sql`` the query its user writes around them."""

    def __init__(self, alias: str, parts: list[tuple] = ()) -> None:
        self.spans, self.converters, self.sql = [], [], ""
        self.columns = ", ".join(self.columns_of(connections[alias], parts))

    def columns_of(self, connection, parts: list[tuple]) -> list[str]:
        """The parts' columns as SQL, placed after those already read; their spans in the row and the conversions
        of their values noted."""
        start = self.spans[-1][2] if self.spans else 0
        columns = []
        for model, letter, nullable in parts:
            fields = model._meta.concrete_fields
            self.spans.append((model, start + len(columns), start + len(columns) + len(fields), nullable))
            for field in fields:
                column = field.get_col(model._meta.db_table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if found:
                    self.converters.append((start + len(columns), [(converter, column) for converter in found]))
                columns.append(f"{letter}.{connection.ops.quote_name(field.column)}")
        return columns

    def fetch_one(self, alias: str, params: list) -> tuple | None:
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()

    def fetch_all(self, alias: str, params: list) -> list[tuple]:
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def instances(self, alias: str, row: tuple) -> list:
        """The row's objects in the order of the parts; None for a nullable part the row has not."""
        connection, values = connections[alias], list(row)
        for position, converters in self.converters:
            for converter, column in converters:
                values[position] = converter(values[position], column, connection)
        return [
            None if nullable and values[start] is None else model.from_db(alias, None, values[start:end])
            for model, start, end, nullable in self.spans
        ]


class _Joined(ModelRows):
    """One row of several models and the two permission columns, made into model instances as the ORM makes them
    (``from_db``, with the ORM's conversions of the values).

    ``parts`` are (model, table alias, nullable) read from ``joins`` where ``where``; ``outer`` parts are joined
    around that row (``outer_joins``, on keys that ``outer_keys`` exposes as x.<name>). PostgreSQL plans the joins
    of one level together, trying every order: 8 tables cost ~2 ms of planning, the inner row (LIMIT 1 keeps it a
    level of its own) and the outer joins apart ~0.5 ms.
    """

    def __init__(
        self,
        alias: str,
        parts: list[tuple],
        joins: str,
        where: str,
        outer: list[tuple] = (),
        outer_keys: str = "",
        outer_joins: str = "",
    ) -> None:
        super().__init__(alias)
        connection = connections[alias]
        quote = connection.ops.quote_name
        columns = self.columns_of(connection, parts)
        permission = quote(Permission._meta.db_table)

        def held(table, object_ref: str) -> str:
            return (
                f"(SELECT SUM(DISTINCT CASE ap.codename WHEN %s THEN {_VIEW} WHEN %s THEN {_EDIT} ELSE 0 END)"
                f" FROM {quote(table._meta.db_table)} p JOIN {permission} ap ON ap.id = p.permission_id"
                f" WHERE p.user_id = %s AND p.content_object_id = {object_ref})"
            )

        on_assignment = held(TeachingAssignmentUserObjectPermission, "a.id")
        on_class = held(SchoolClassUserObjectPermission, "a.school_class_id")
        if not outer:
            self.sql = f"SELECT {', '.join(columns)}, {on_assignment}, {on_class} FROM {joins} WHERE {where}"
            return
        inner = ", ".join(f"{column} AS c{n}" for n, column in enumerate(columns))
        outer_columns = self.columns_of(connection, outer)
        self.sql = (
            f"SELECT {', '.join(f'x.c{n}' for n in range(len(columns)))}, {', '.join(outer_columns)},"
            f" x.on_assignment, x.on_class FROM (SELECT {inner}, {on_assignment} AS on_assignment,"
            f" {on_class} AS on_class, {outer_keys} FROM {joins} WHERE {where} LIMIT 1) x {outer_joins}"
        )


_QUERIES: dict[tuple, _Joined] = {}


def _where(object_ref: str, everywhere: bool) -> str:
    """The object's id, and its school unless the user is the platform operator (as ``_school_scope``)."""
    return f"{object_ref} = %s" if everywhere else f"{object_ref} = %s AND y.school_id = %s"


def _tables(alias: str, *models) -> list[str]:
    quote = connections[alias].ops.quote_name
    return [quote(model._meta.db_table) for model in models]


def _assignment_query(alias: str, everywhere: bool) -> _Joined:
    key = ("assignment", alias, everywhere)
    query = _QUERIES.get(key)
    if query is None:
        assignment, year, school_class, subject, subgroup, user = _tables(
            alias, TeachingAssignment, SchoolYear, SchoolClass, Subject, Subgroup, User
        )
        query = _QUERIES[key] = _Joined(
            alias,
            [(TeachingAssignment, "a", False), (SchoolYear, "y", False), (SchoolClass, "c", False)],
            f"{assignment} a JOIN {year} y ON y.id = a.year_id JOIN {school_class} c ON c.id = a.school_class_id",
            _where("a.id", everywhere),
            outer=[(Subject, "j", False), (Subgroup, "g", True), (User, "u", False)],
            outer_keys="a.subject_id AS subject_id, a.subgroup_id AS subgroup_id, a.teacher_id AS teacher_id",
            outer_joins=(
                f"JOIN {subject} j ON j.id = x.subject_id LEFT JOIN {subgroup} g ON g.id = x.subgroup_id"
                f" JOIN {user} u ON u.id = x.teacher_id"
            ),
        )
    return query


def _lesson_query(alias: str, for_page: bool, everywhere: bool) -> _Joined:
    # Only what every cell save needs: on PostgreSQL each join adds planning time to each saved cell. For a save the
    # subject, subgroup and kind of work load lazily when a message needs them.
    key = ("lesson", alias, for_page, everywhere)
    query = _QUERIES.get(key)
    if query is None:
        lesson, assignment, year, school_class, substitution, subject, user, subgroup = _tables(
            alias, Lesson, TeachingAssignment, SchoolYear, SchoolClass, Substitution, Subject, User, Subgroup
        )
        parts = [
            (Lesson, "l", False),
            (TeachingAssignment, "a", False),
            (SchoolYear, "y", False),
            (SchoolClass, "c", False),
            (Substitution, "s", True),
        ]
        joins = (
            f"{lesson} l JOIN {assignment} a ON a.id = l.assignment_id JOIN {year} y ON y.id = a.year_id"
            f" JOIN {school_class} c ON c.id = a.school_class_id LEFT JOIN {substitution} s ON s.lesson_id = l.id"
        )
        page = {}
        if for_page:
            page = {
                "outer": [(Subject, "j", False), (User, "u", False), (Subgroup, "g", True)],
                "outer_keys": "a.subject_id AS subject_id, a.teacher_id AS teacher_id, a.subgroup_id AS subgroup_id",
                "outer_joins": (
                    f"JOIN {subject} j ON j.id = x.subject_id JOIN {user} u ON u.id = x.teacher_id"
                    f" LEFT JOIN {subgroup} g ON g.id = x.subgroup_id"
                ),
            }
        query = _QUERIES[key] = _Joined(alias, parts, joins, _where("l.id", everywhere), **page)
    return query


# Lessons: who keeps one -------------------------------------------------------------------------------------------


def is_lesson_class_teacher(user: User, lesson: Lesson) -> bool:
    """The class teacher of the lesson's class (manage_class), who corrects absence reasons [003 §2.9]."""
    if lesson.__dict__.get("_editor_roles", {}).get(user.pk) == LESSON_CLASS_TEACHER:
        return True
    return SchoolClassUserObjectPermission.objects.filter(
        user_id=user.pk,
        content_object_id=lesson.assignment.school_class_id,
        permission__codename="manage_class",
    ).exists()


def lesson_substitute_id(lesson: Lesson) -> int | None:
    """The substitute recorded for the lesson (замена); no query when it was select_related."""
    try:
        return lesson.substitution.substitute_id
    except Substitution.DoesNotExist:
        return None


def lesson_editor_role(user: User, lesson: Lesson) -> str | None:
    """Why the user may keep this lesson's journal: its teacher, the class teacher, or its substitute; else None.

    The substitute keeps that one lesson only, not the rest of the assignment. The answer is kept on the lesson
    object for this user: ``lesson_for_user`` sets it, and the service checks again without a query.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    roles = lesson.__dict__.setdefault("_editor_roles", {})
    if user.pk not in roles:
        roles[user.pk] = _lesson_editor_role(user, lesson)
    return roles[user.pk]


def _lesson_editor_role(user: User, lesson: Lesson) -> str | None:
    if TeachingAssignmentUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id=lesson.assignment_id, permission__codename="edit_assignment_journal"
    ).exists():
        return LESSON_TEACHER
    if is_lesson_class_teacher(user, lesson):
        return LESSON_CLASS_TEACHER
    if lesson_substitute_id(lesson) == user.pk:
        return LESSON_SUBSTITUTE
    return None


# Rules by role and class ------------------------------------------------------------------------------------------


def require_timetable_editor(user: User) -> None:
    """The timetable is built by the deputy head [002 §4.6.2] and the admin."""
    if not (user.role in (Role.DEPUTY, Role.ADMIN) or user.is_platform_operator):
        raise PermissionDenied


def printable_classes(user: User) -> QuerySet[SchoolClass]:
    """The classes the user prints for (their pupils' paper diaries): the administration any class of their school,
    a class teacher their class. ``diary.access.visible_paper_classes`` is this queryset."""
    if not getattr(user, "is_authenticated", False):
        return SchoolClass.objects.none()
    classes = visible_classes(user)
    if is_school_management(user):
        return classes
    return classes.filter(_manages_class(user, "pk"))


def may_print_for_class(user: User, school_class: SchoolClass) -> bool:
    """Whether the user prints for the class (one EXISTS on ``printable_classes``), e.g. for the class page's link."""
    return printable_classes(user).filter(pk=school_class.pk).exists()


def assignment_user_edits(user: User, assignment: TeachingAssignment) -> bool:
    """Whether the user keeps the assignment's journal (its teacher or the class teacher), for the services'
    re-check; ``assignment_for_user`` answers the same in its query."""
    if "user_teaches" in assignment.__dict__:
        return assignment.user_teaches or assignment.user_manages
    return (
        TeachingAssignmentUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=assignment.pk, permission__codename="edit_assignment_journal"
        ).exists()
        or SchoolClassUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=assignment.school_class_id, permission__codename="manage_class"
        ).exists()
    )
