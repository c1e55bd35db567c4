"""The audit's shared vocabulary: what a check is given (``AuditContext``), what it finds (``Finding``), the registry
of checks (``Check``, ``register``) and the run over a scope and dates (``run_audit``).

A check is a function ``(ctx: AuditContext) -> list[Finding]``. It reads through ``ctx``'s cached reads (the
assignments in scope, the lessons of the dates, …) so that the audit's query count does not grow with the school:
every read is one query for the whole scope, made once and shared by the checks that need it. A check never writes.

Each finding names the teacher, the class, the assignment (subject) and, where it has one, the lesson or the pupil,
a Russian text for the deputy, and a link to the place in the journal where it can be seen or fixed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.base import ModelState
from django.urls import reverse
from django.utils import timezone

from journal.choices import PeriodKind
from journal.models import (
    Attendance,
    Bell,
    GradeSettings,
    Homework,
    Lesson,
    StudyPeriod,
    TeachingAssignment,
    WorkType,
)
from journal.selectors.sql import as_date, as_datetime, fetch, placeholders, sql_date, table

from ...access import ReportScope
from ...models import AuditSettings

# Groups of checks, in the order the control page shows them.
RECORDS, LATENESS, ACCUMULATION, CONTROL, PLAN, PERIOD_MARKS = (
    "records",
    "lateness",
    "accumulation",
    "control",
    "plan",
    "period_marks",
)
GROUP_TITLES = {
    RECORDS: "Записи об уроках",
    LATENESS: "Своевременность",
    ACCUMULATION: "Накопляемость отметок",
    CONTROL: "Контрольные работы",
    PLAN: "КТП и выполнение программы",
    PERIOD_MARKS: "Отметки за период",
}


@dataclass(frozen=True)
class Finding:
    """One lapse: which check found it, whose it is, where it is, what it is and where to fix it."""

    check: str  # Check.slug
    teacher_id: int | None
    assignment_id: int | None
    class_id: int | None
    text: str  # Russian, for the deputy: «07.11.2026, 3 урок: нет темы урока»
    url: str = ""  # the place in the journal (the grid's column, the КТП, the period marks page)
    day: dt.date | None = None
    lesson_id: int | None = None
    pupil_id: int | None = None
    period_id: int | None = None  # the study period a finding about a pupil's period is for (накопляемость)

    @property
    def key(self) -> str:
        """The lapse's stable name across runs (a weekly remark is matched by it, ``AuditRemark.key``): the check and
        the lesson, or the assignment; the pupil and the study period where there is one. The text and the day may
        change from run to run (a period's findings are dated at the day audited); the key does not."""
        parts = [self.check]
        if self.lesson_id is not None:
            parts.append(f"l{self.lesson_id}")
        elif self.assignment_id is not None:
            parts.append(f"a{self.assignment_id}")
        elif self.class_id is not None:
            parts.append(f"c{self.class_id}")
        if self.pupil_id is not None:
            parts.append(f"p{self.pupil_id}")
        if self.period_id is not None:
            parts.append(f"q{self.period_id}")
        if self.lesson_id is None and self.period_id is None and self.day is not None:
            parts.append(f"{self.day:%Y%m%d}")
        return ":".join(parts)[:120]


@dataclass(frozen=True)
class Check:
    slug: str
    title: str  # Russian, as the control page names the column: «Без темы»
    group: str  # one of the groups above
    clause: str  # the regulation it rests on: «002 §4.4.1»
    run: Callable[["AuditContext"], list[Finding]]
    description: str = ""  # Russian, one sentence: what counts as a lapse (docs, the page's legend)
    weight: int = 1  # in the journal's score: heavier lapses weigh more
    # Whether its lapses become weekly remarks (reports.services.remarks): a lapse the teacher can still fix (a topic
    # entered, marks added), so the remark closes by itself; never lateness, which cannot be undone.
    remark: bool = False


CHECKS: list[Check] = []


# The lesson's columns the checks read (every other field of an audited lesson keeps its default: none is read).
LESSON_COLUMNS = (
    "id", "assignment_id", "date", "number", "topic", "plan_topic_id", "work_type_id", "is_control", "taught_by_id",
    "recorded_at", "attendance_taken_at",
)  # fmt: skip


def bare_instances(model: type, columns: tuple[str, ...], rows: list[tuple]) -> list:
    """Instances of ``model`` from plain rows of ``columns`` (attnames), as read from the database, the rest of the
    fields at their defaults: what journal.selectors.sql.light makes, at a few µs a row for the audit's thousands."""
    defaults = {field.attname: field.get_default() for field in model._meta.concrete_fields}
    new = model.__new__
    alias = connection.alias  # once: the connection proxy's attribute costs µs a row
    instances = []
    for row in rows:
        instance = new(model)
        state = instance.__dict__
        state.update(defaults)
        state.update(zip(columns, row, strict=True))
        model_state = state["_state"] = ModelState()
        model_state.adding, model_state.db = False, alias
        instances.append(instance)
    return instances


def aware(value) -> dt.datetime | None:
    """A datetime column read with plain SQL as an aware datetime (SQLite gives it naive, in UTC, or as text)."""
    value = as_datetime(value)
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def register(check: Check) -> Check:
    if any(existing.slug == check.slug for existing in CHECKS):
        raise ValueError(f"an audit check named {check.slug!r} is registered twice")
    CHECKS.append(check)
    return check


@dataclass
class AuditContext:
    """What the checks read, for a scope and dates: each read one query, cached for all the checks.

    ``start``/``end`` are the dates audited (inclusive); ``today`` the school's today (a lesson after today is not
    yet due). ``settings`` are the school's audit settings (deadlines), or None for the seeds' defaults.
    """

    scope: ReportScope
    start: dt.date
    end: dt.date
    today: dt.date = field(default_factory=timezone.localdate)
    settings: object | None = None
    teacher_id: int | None = None  # the drill-down to one teacher
    class_id: int | None = None  # the drill-down to one class

    @cached_property
    def assignments(self) -> list[TeachingAssignment]:
        """The assignments audited: the scope's (the administration: the school's) of the dates' year."""
        queryset: QuerySet[TeachingAssignment] = self.scope.assignments.filter(
            year__start_date__lte=self.end, year__end_date__gte=self.start
        ).select_related("subject", "school_class", "teacher", "subgroup")
        if self.teacher_id is not None:
            queryset = queryset.filter(teacher_id=self.teacher_id)
        if self.class_id is not None:
            queryset = queryset.filter(school_class_id=self.class_id)
        return list(queryset.order_by("school_class__grade", "school_class__letter", "subject__order", "pk"))

    @cached_property
    def assignment_ids(self) -> list[int]:
        return [assignment.pk for assignment in self.assignments]

    @cached_property
    def assignment_by_id(self) -> dict[int, TeachingAssignment]:
        return {assignment.pk: assignment for assignment in self.assignments}

    @cached_property
    def lessons(self) -> list[Lesson]:
        """The audited assignments' lessons of the dates, up to today (a lesson to come is not due yet)."""
        last = self.last_day
        if last < self.start or not self.assignment_ids:
            return []
        # Plain SQL and bare instances: a whole school's quarter is some 10 000 lessons, and the ORM's deferred
        # instances cost about 30 µs each.
        rows = fetch(
            f"SELECT {', '.join(LESSON_COLUMNS)} FROM {table(Lesson)} "
            f"WHERE assignment_id IN ({placeholders(self.assignment_ids)}) AND date >= %s AND date <= %s "
            f"ORDER BY assignment_id, date, number",
            [*self.assignment_ids, sql_date(self.start), sql_date(last)],
        )
        if connection.vendor != "postgresql":  # SQLite: dates and datetimes come as text or naive, flags as ints
            rows = [
                (pk, assignment_id, as_date(day), number, topic, plan_topic_id, work_type_id, bool(is_control),
                 taught_by_id, aware(recorded_at), aware(taken_at))
                for (pk, assignment_id, day, number, topic, plan_topic_id, work_type_id, is_control, taught_by_id,
                     recorded_at, taken_at) in rows
            ]  # fmt: skip
        return bare_instances(Lesson, LESSON_COLUMNS, rows)

    @cached_property
    def last_day(self) -> dt.date:
        """The last day audited: the end of the dates, or today if they run on (lessons to come are not due)."""
        return min(self.end, self.today)

    @cached_property
    def rules(self) -> AuditSettings:
        """The school's audit settings (deadlines): ``settings`` if given, else the school's (one query), else the
        seeds' defaults (an unsaved ``AuditSettings``)."""
        if isinstance(self.settings, AuditSettings):
            return self.settings
        school = self.scope.school
        return AuditSettings.objects.filter(school=school).first() or AuditSettings(school=school)

    @cached_property
    def tz(self) -> ZoneInfo:
        """The school's time zone: a day ends at 24:00 there."""
        return ZoneInfo(self.scope.school.time_zone)

    def at(self, day: dt.date, time: dt.time = dt.time(0)) -> dt.datetime:
        """A moment of a day in the school's time zone (aware)."""
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def day_end(self, day: dt.date) -> dt.datetime:
        """24:00 of a day in the school's time zone: the next day's midnight (made once per day: the lateness checks
        ask it for every lesson)."""
        ends = self._day_ends
        end = ends.get(day)
        if end is None:
            end = ends[day] = self.at(day + dt.timedelta(days=1))
        return end

    @cached_property
    def _day_ends(self) -> dict[dt.date, dt.datetime]:
        return {}

    @cached_property
    def bells(self) -> dict[tuple[int, int], Bell]:
        """The bell schedules of the audited years: (year id, lesson number) → the bell (one query)."""
        years = {assignment.year_id for assignment in self.assignments}
        if not years:
            return {}
        return {(bell.year_id, bell.number): bell for bell in Bell.objects.filter(year_id__in=years)}

    def bell(self, assignment: TeachingAssignment, number: int) -> Bell | None:
        return self.bells.get((assignment.year_id, number))

    @cached_property
    def periods_by_grade(self) -> dict[tuple[int, int], list[StudyPeriod]]:
        """(year id, grade) → the study periods of the grade's kind, in order (two queries: the periods and the
        grades' settings of the audited years; a grade without settings has quarters)."""
        years = {assignment.year_id for assignment in self.assignments}
        if not years:
            return {}
        kinds = {
            (row.year_id, row.grade): row.period_kind
            for row in GradeSettings.objects.filter(year_id__in=years).only("year_id", "grade", "period_kind")
        }
        periods = list(StudyPeriod.objects.filter(year_id__in=years).order_by("year_id", "number"))
        grades = {(assignment.year_id, assignment.school_class.grade) for assignment in self.assignments}
        return {
            (year_id, grade): [
                period
                for period in periods
                if period.year_id == year_id and period.kind == kinds.get((year_id, grade), PeriodKind.QUARTER)
            ]
            for year_id, grade in grades
        }

    def periods_of(self, assignment: TeachingAssignment) -> list[StudyPeriod]:
        """The study periods of an assignment's class, in order."""
        return self.periods_by_grade.get((assignment.year_id, assignment.school_class.grade), [])

    def period_on(self, assignment: TeachingAssignment, day: dt.date) -> StudyPeriod | None:
        """The study period of an assignment's class containing a day (None in the holidays)."""
        return next((p for p in self.periods_of(assignment) if p.start_date <= day <= p.end_date), None)

    @cached_property
    def work_types(self) -> dict[int, WorkType]:
        """The school's kinds of work, by id (one query)."""
        return {work_type.pk: work_type for work_type in WorkType.objects.filter(school_id=self.scope.school.pk)}

    @cached_property
    def lessons_with_homework(self) -> set[int]:
        """The audited lessons that have homework now (a removed homework keeps its row with an empty text; one
        query)."""
        if not self.lessons:
            return set()
        return set(
            Homework.objects.filter(
                lesson__assignment_id__in=self.assignment_ids,
                lesson__date__gte=self.start,
                lesson__date__lte=self.last_day,
            )
            .filter(~Q(text=""))
            .order_by()  # Homework's ordering runs through the lesson to the school: no joins for DISTINCT
            .values_list("lesson_id", flat=True)
            .distinct()
        )

    @cached_property
    def lessons_with_attendance(self) -> set[int]:
        """The audited lessons with an absence or lateness entered (a cleared code keeps its row with ""; one
        query)."""
        if not self.lessons:
            return set()
        return set(
            Attendance.objects.filter(
                lesson__assignment_id__in=self.assignment_ids,
                lesson__date__gte=self.start,
                lesson__date__lte=self.last_day,
            )
            .exclude(code="")
            .order_by()
            .values_list("lesson_id", flat=True)
            .distinct()
        )

    def teacher_of(self, lesson: Lesson) -> int | None:
        """Who the lapse is charged to: the substitute who taught it, else the assignment's teacher."""
        if lesson.taught_by_id:
            return lesson.taught_by_id
        assignment = self.assignment_by_id.get(lesson.assignment_id)
        return assignment.teacher_id if assignment else None

    def lesson_url(self, lesson: Lesson) -> str:
        """The lesson's page in the journal: its record (topic, kind of work, homework) and its column of marks,
        where the lapse is seen and fixed; ``?period=`` makes its «к журналу» link open the grid at the lesson's
        period. (The grid is opened by period, and its columns carry no anchor to jump to.)"""
        head, tail = self._lesson_url_pattern
        url = f"{head}{lesson.pk}{tail}"
        period = self.period_on(self.assignment_by_id[lesson.assignment_id], lesson.date)
        return f"{url}?period={period.pk}" if period is not None else url

    @cached_property
    def _lesson_url_pattern(self) -> tuple[str, str]:
        """The lesson page's URL around its id, reversed once (thousands of findings would reverse it each)."""
        head, tail = reverse("journal:grid_lesson", args=[987654321]).rsplit("987654321", 1)
        return head, tail

    @cached_property
    def _grid_url_pattern(self) -> tuple[str, str]:
        """The grid's URL around the assignment's id, reversed once (as the lesson page's)."""
        head, tail = reverse("journal:grid", args=[987654321]).rsplit("987654321", 1)
        return head, tail

    def grid_url(self, assignment: TeachingAssignment, day: dt.date | None = None) -> str:
        """The assignment's grid, at the period containing ``day`` (by default the grid's own choice)."""
        head, tail = self._grid_url_pattern
        url = f"{head}{assignment.pk}{tail}"
        period = self.period_on(assignment, day) if day is not None else None
        return f"{url}?period={period.pk}" if period is not None else url

    def lesson_finding(self, check: str, lesson: Lesson, text: str, **extra) -> Finding:
        """A finding about a lesson, linked to the lesson's page (its column of the journal with its record)."""
        assignment = self.assignment_by_id[lesson.assignment_id]
        url = self.lesson_url(lesson)
        return Finding(
            check=check,
            teacher_id=self.teacher_of(lesson),
            assignment_id=assignment.pk,
            class_id=assignment.school_class_id,
            text=f"{lesson.date:%d.%m.%Y}, {lesson.number} урок: {text}",
            url=url,
            day=lesson.date,
            lesson_id=lesson.pk,
            **extra,
        )


@dataclass
class AuditResult:
    context: AuditContext
    findings: list[Finding]

    def by_check(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {check.slug: [] for check in CHECKS}
        for finding in self.findings:
            grouped.setdefault(finding.check, []).append(finding)
        return grouped


def run_audit(context: AuditContext, only: set[str] | None = None) -> AuditResult:
    """Run every registered check (or those named in ``only``) over the context."""
    from . import checks  # noqa: F401 - registers every check

    findings: list[Finding] = []
    for check in CHECKS:
        if only is None or check.slug in only:
            findings.extend(check.run(context))
    return AuditResult(context=context, findings=findings)
