"""Reads for the home pages of the staff: a teacher's day and the deputy's dashboard [000 §5.2, 002 §3.3.2].

A teacher's lessons are those they give: the lessons of their assignments that nobody replaces them at, and the
lessons they give as a substitute (``Lesson.taught_by`` and the ``Substitution`` row, which the substitution service
keeps together). Each read keeps a fixed number of queries whatever the number of lessons, classes and subjects; each
lesson comes with the link into its column of the journal (the lesson's page, ``journal:grid_lesson``, opened at the
lesson's study period, as the audit links its findings).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, User

from ..choices import PeriodKind, YearStatus
from ..lock import WARN_WORKING_DAYS, lock_deadline
from ..models import (
    Attendance,
    Bell,
    CalendarDay,
    EditWindow,
    Enrollment,
    GradeSettings,
    Lesson,
    Mark,
    SchoolClass,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
)
from ..workdays import GradeCalendar, single_year_calendar

# How far back the teacher's page looks for lessons without a record: two weeks.
UNRECORDED_DAYS = 14

_LESSON_RELATED = (
    "assignment__year",
    "assignment__school_class",
    "assignment__subject",
    "assignment__subgroup",
    "assignment__teacher",
    "room",
)


@dataclass
class DayLesson:
    """A lesson as the home pages list it: what it is, when, where, its record's state and the link to its column."""

    lesson: Lesson
    url: str
    bell: Bell | None = None
    deadline: dt.date | None = None  # the last day its marks and attendance may be entered (locking_soon)
    substitute_for: User | None = None  # the assignment's teacher, when the lesson is given as a substitute

    @property
    def assignment(self) -> TeachingAssignment:
        return self.lesson.assignment

    @property
    def has_topic(self) -> bool:
        return bool(self.lesson.topic.strip())

    @property
    def attendance_taken(self) -> bool:
        return self.lesson.attendance_taken_at is not None


def given_by(teacher: User) -> Q:
    """The lessons a teacher gives: as the substitute, or as the assignment's teacher when nobody replaces them."""
    return (
        Q(taught_by_id=teacher.pk)
        | Q(substitution__substitute_id=teacher.pk)
        | Q(assignment__teacher_id=teacher.pk, taught_by__isnull=True, substitution__isnull=True)
    )


def teacher_lessons(teacher: User) -> QuerySet[Lesson]:
    """The lessons the teacher gives, in their school, with what a list of lessons shows (no query per lesson)."""
    return (
        Lesson.objects.filter(given_by(teacher), assignment__year__school_id=teacher.school_id)
        .select_related(*_LESSON_RELATED)
        .order_by("date", "number", "assignment__school_class__grade", "assignment__school_class__letter")
    )


class _Links:
    """The lessons' links into the journal, each at the lesson's study period: the periods of the lessons' years are
    read once (two queries: the grades' schemes and the periods), the URL reversed once."""

    def __init__(self, lessons: list[Lesson]) -> None:
        head, tail = reverse("journal:grid_lesson", args=[987654321]).rsplit("987654321", 1)
        self.head, self.tail = head, tail
        years = {lesson.assignment.year_id for lesson in lessons}
        self.kinds: dict[tuple[int, int], str] = {}
        self.periods: list[StudyPeriod] = []
        if years:
            self.kinds = {
                (row.year_id, row.grade): row.period_kind
                for row in GradeSettings.objects.filter(year_id__in=years).only("year_id", "grade", "period_kind")
            }
            self.periods = list(StudyPeriod.objects.filter(year_id__in=years).order_by("year_id", "number"))

    def period_on(self, assignment: TeachingAssignment, day: dt.date) -> StudyPeriod | None:
        kind = self.kinds.get((assignment.year_id, assignment.school_class.grade), PeriodKind.QUARTER)
        return next(
            (
                p
                for p in self.periods
                if p.year_id == assignment.year_id and p.kind == kind and p.start_date <= day <= p.end_date
            ),
            None,
        )

    def url(self, lesson: Lesson) -> str:
        url = f"{self.head}{lesson.pk}{self.tail}"
        period = self.period_on(lesson.assignment, lesson.date)
        return f"{url}?period={period.pk}" if period is not None else url


def _bells(lessons: list[Lesson]) -> dict[tuple[int, int], Bell]:
    """(year id, lesson number) → the bell of the lessons' years (one query; none without lessons)."""
    years = {lesson.assignment.year_id for lesson in lessons}
    if not years:
        return {}
    return {(bell.year_id, bell.number): bell for bell in Bell.objects.filter(year_id__in=years)}


def _day_lessons(lessons: list[Lesson], teacher: User | None = None, *, with_bells: bool = False) -> list[DayLesson]:
    links = _Links(lessons)
    bells = _bells(lessons) if with_bells else {}
    return [
        DayLesson(
            lesson=lesson,
            url=links.url(lesson),
            bell=bells.get((lesson.assignment.year_id, lesson.number)),
            substitute_for=(
                lesson.assignment.teacher
                if teacher is not None and lesson.assignment.teacher_id != teacher.pk
                else None
            ),
        )
        for lesson in lessons
    ]


# A teacher's day -------------------------------------------------------------------------------------------------


def todays_lessons(teacher: User, today: dt.date) -> list[DayLesson]:
    """The lessons the teacher gives today, in bell order, with their bells, rooms, records and links (4 queries:
    the lessons, the bells, the grades' schemes and the periods; 1 on a day without lessons)."""
    lessons = list(teacher_lessons(teacher).filter(date=today))
    if not lessons:
        return []
    return _day_lessons(lessons, teacher, with_bells=True)


def unrecorded_lessons(teacher: User, today: dt.date, days: int = UNRECORDED_DAYS) -> list[DayLesson]:
    """The teacher's lessons of the last ``days`` days before today without a topic or with attendance not taken,
    oldest first (3 queries; 1 when there are none)."""
    lessons = list(
        teacher_lessons(teacher)
        .filter(date__gte=today - dt.timedelta(days=days), date__lt=today)
        .filter(Q(topic="") | Q(attendance_taken_at__isnull=True))
    )
    if not lessons:
        return []
    return _day_lessons(lessons, teacher)


def _year_calendars(lessons: list[Lesson]) -> dict[tuple[int, int], GradeCalendar]:
    """(year id, grade) → the grade's working-day calendar of that year, for the lessons' years and grades.

    Two queries whatever the number of grades: the grades' working weeks and the years' special days; each calendar
    is journal.workdays.single_year_calendar (as the grid's: dates past the year fall back to the production
    calendar).
    """
    years = {lesson.assignment.year_id: lesson.assignment.year for lesson in lessons}
    weeks = {
        (row.year_id, row.grade): row.days_per_week
        for row in GradeSettings.objects.filter(year_id__in=years).only("year_id", "grade", "days_per_week")
    }
    days = list(CalendarDay.objects.filter(year_id__in=years).only("year_id", "date", "kind", "grade_from", "grade_to"))
    calendars = {}
    for year_id, grade in {(lesson.assignment.year_id, lesson.assignment.school_class.grade) for lesson in lessons}:
        year = years[year_id]
        calendars[(year_id, grade)] = single_year_calendar(
            year.start_date,
            year.end_date,
            weeks.get((year_id, grade), 5),
            ((d.date, d.kind) for d in days if d.year_id == year_id and d.grade_from <= grade <= d.grade_to),
        )
    return calendars


def locking_soon(teacher: User, today: dt.date) -> list[DayLesson]:
    """The teacher's columns still empty whose marks and attendance lock within 2 working days (today included).

    The same columns journal.tasks.warn_locking_soon e-mails about (journal.lock.lessons_locking_soon): neither a
    mark nor an attendance code in them, and here also the register not taken; but listed every day until they
    lock, not only on the day of the e-mail. The deadline is journal.lock.lock_deadline's (10 working days after
    the lesson). Not yet stamped as locked, and not in a closed year. 5 queries (the candidate lessons, the grades'
    weeks and special days, the periods for the links); 1 when there are none.
    """
    # 10 working days fit in 30 calendar days even across the New Year holidays.
    since = today - dt.timedelta(days=3 * 10)
    marks = Mark.objects.filter(lesson=OuterRef("pk")).exclude(value="")
    attendance = Attendance.objects.filter(lesson=OuterRef("pk")).exclude(code="")
    candidates = list(
        teacher_lessons(teacher)
        .filter(date__gte=since, date__lte=today, locked_at__isnull=True, attendance_taken_at__isnull=True)
        .exclude(assignment__year__status=YearStatus.CLOSED)
        .filter(~Exists(marks), ~Exists(attendance))
    )
    if not candidates:
        return []
    calendars = _year_calendars(candidates)
    lessons = []
    for lesson in candidates:
        calendar = calendars[(lesson.assignment.year_id, lesson.assignment.school_class.grade)]
        deadline = lock_deadline(lesson, calendar)
        if today <= deadline <= calendar.add_working_days(today, WARN_WORKING_DAYS):
            lesson.lock_deadline = deadline
            lessons.append(lesson)
    if not lessons:
        return []
    result = _day_lessons(lessons, teacher)
    for item in result:
        item.deadline = item.lesson.lock_deadline
    result.sort(key=lambda item: (item.deadline, item.lesson.date, item.lesson.number))
    return result


# The class teacher: marks missing across the class's subjects ---------------------------------------------------


@dataclass
class SubjectGaps:
    """A subject of the class and its pupils with no current mark in the period so far."""

    assignment: TeachingAssignment
    url: str  # the subject's grid at the period
    lessons_held: int  # lessons of the period up to today
    pupils: list[str] = field(default_factory=list)  # «Фамилия Имя», in the class list's order
    roster: int = 0  # pupils of the subject (the class or the subgroup) today


@dataclass
class ClassMarks:
    """The class's current study period and its subjects with pupils still without a mark in it."""

    school_class: SchoolClass
    period: StudyPeriod
    until: dt.date  # today, or the period's end after it
    subjects: list[SubjectGaps]

    @property
    def pupils_missing(self) -> int:
        return sum(len(subject.pupils) for subject in self.subjects)


def _class_period(school_class: SchoolClass, today: dt.date) -> StudyPeriod | None:
    """The class's study period (of its grade's scheme; quarters without settings) containing today, else the last
    one begun (1 query)."""
    grade_kind = GradeSettings.objects.filter(year_id=school_class.year_id, grade=school_class.grade).values(
        "period_kind"
    )[:1]
    return (
        StudyPeriod.objects.filter(year_id=school_class.year_id, start_date__lte=today)
        .annotate(grade_kind=Coalesce(Subquery(grade_kind), Value(PeriodKind.QUARTER.value)))
        .filter(kind=F("grade_kind"))
        .order_by("-start_date")
        .first()
    )


def class_missing_marks(school_class: SchoolClass, today: dt.date) -> ClassMarks | None:
    """For the class teacher: per subject of the class, the pupils with no current mark in the study period so far.

    The pupils are those on the class's (or the subgroup's) list on the day judged (today, or the period's end in
    the holidays after it); a pupil released from the subject for the year or the period is left out. Subjects
    where every pupil has a mark are left out. None before the first period begins. 6 queries whatever the number
    of subjects and pupils: the period, the subjects, the class list, the subgroups' members, the exemptions, and
    the marks with the lessons held counted per subject.
    """
    period = _class_period(school_class, today)
    if period is None:
        return None
    until = min(today, period.end_date)
    assignments = list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("subject", "teacher", "subgroup")
        .order_by("subject__order", "subject__name", "subgroup__name")
    )
    members = list(
        Enrollment.objects.filter(school_class=school_class, date_from__lte=until)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=until))
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil_id")
        .values_list("pupil_id", "pupil__user__last_name", "pupil__user__first_name")
    )
    names = {pupil_id: " ".join(part for part in (last, first) if part) for pupil_id, last, first in members}
    subgroup_ids = {a.subgroup_id for a in assignments if a.subgroup_id}
    in_subgroup: dict[int, set[int]] = defaultdict(set)
    if subgroup_ids:
        through = Subgroup.pupils.through
        for subgroup_id, pupil_id in through.objects.filter(subgroup_id__in=subgroup_ids).values_list(
            "subgroup_id", "pupilprofile_id"
        ):
            in_subgroup[subgroup_id].add(pupil_id)
    exempt = set(
        SubjectExemption.objects.filter(year_id=school_class.year_id, pupil_id__in=names)
        .filter(Q(period__isnull=True) | Q(period=period))
        .values_list("pupil_id", "subject_id")
    )
    lessons = Lesson.objects.filter(assignment__school_class=school_class, date__gte=period.start_date, date__lte=until)
    held = dict(lessons.order_by().values("assignment_id").annotate(n=Count("pk")).values_list("assignment_id", "n"))
    marked = set(
        Mark.objects.filter(lesson__in=lessons)
        .exclude(value="")
        .order_by()
        .values_list("lesson__assignment_id", "pupil_id")
        .distinct()
    )
    grid_url = _grid_url_pattern()
    subjects = []
    for assignment in assignments:
        pupils = [pupil_id for pupil_id in names if (pupil_id, assignment.subject_id) not in exempt]
        if assignment.subgroup_id:
            pupils = [pupil_id for pupil_id in pupils if pupil_id in in_subgroup[assignment.subgroup_id]]
        missing = [names[pupil_id] for pupil_id in pupils if (assignment.pk, pupil_id) not in marked]
        if missing:
            subjects.append(
                SubjectGaps(
                    assignment=assignment,
                    url=grid_url(assignment.pk, period.pk),
                    lessons_held=held.get(assignment.pk, 0),
                    pupils=missing,
                    roster=len(pupils),
                )
            )
    return ClassMarks(school_class=school_class, period=period, until=until, subjects=subjects)


def _grid_url_pattern():
    head, tail = reverse("journal:grid", args=[987654321]).rsplit("987654321", 1)
    return lambda assignment_id, period_id: f"{head}{assignment_id}{tail}?period={period_id}"


# The deputy's dashboard ----------------------------------------------------------------------------------------


@dataclass
class TeacherLessons:
    """A teacher and their lessons in a list of the dashboard."""

    teacher: User
    lessons: list[DayLesson]


def todays_unrecorded_lessons(school: School, today: dt.date, now: dt.time | None = None) -> list[TeacherLessons]:
    """Today's lessons of the school whose bell has rung for the end and that have no topic yet, per teacher (the one
    who gives the lesson: the substitute, else the assignment's teacher), the most lessons first, then by name.

    A lesson whose number has no bell in the schedule is not listed (when it ends is unknown). ``now`` is the
    school's time of day (the request's: the school's time zone is active). 4 queries (the bells, the lessons, the
    grades' schemes and the periods for the links); 1 before any bell has rung.
    """
    now = now or timezone.localtime().time()
    ended: dict[int, list[int]] = defaultdict(list)
    bells: dict[tuple[int, int], Bell] = {}
    for bell in Bell.objects.filter(
        year__school=school, year__start_date__lte=today, year__end_date__gte=today, end_time__lte=now
    ):
        ended[bell.year_id].append(bell.number)
        bells[(bell.year_id, bell.number)] = bell
    if not ended:
        return []
    condition = Q()
    for year_id, numbers in ended.items():
        condition |= Q(assignment__year_id=year_id, number__in=numbers)
    lessons = list(
        Lesson.objects.filter(condition, date=today, topic="")
        .select_related(*_LESSON_RELATED, "taught_by", "substitution__substitute")
        .order_by("number", "assignment__school_class__grade", "assignment__school_class__letter")
    )
    if not lessons:
        return []
    links = _Links(lessons)
    by_teacher: dict[int, TeacherLessons] = {}
    for lesson in lessons:
        substitution = getattr(lesson, "substitution", None)
        teacher = lesson.taught_by or (substitution.substitute if substitution else None) or lesson.assignment.teacher
        item = DayLesson(
            lesson=lesson,
            url=links.url(lesson),
            bell=bells.get((lesson.assignment.year_id, lesson.number)),
            substitute_for=lesson.assignment.teacher if teacher.pk != lesson.assignment.teacher_id else None,
        )
        by_teacher.setdefault(teacher.pk, TeacherLessons(teacher, [])).lessons.append(item)
    rows = sorted(by_teacher.values(), key=lambda row: (row.teacher.last_name, row.teacher.first_name, row.teacher.pk))
    return sorted(rows, key=lambda row: -len(row.lessons))  # the most behind first


def open_edit_windows(school: School, now: dt.datetime | None = None) -> list[EditWindow]:
    """The school's correction windows still open (EditWindow, opened by the deputy), closing soonest first, with
    what they open and who opened them (1 query)."""
    return list(
        EditWindow.objects.filter(assignment__year__school=school, valid_until__gt=now or timezone.now())
        .select_related(
            "assignment__school_class",
            "assignment__subject",
            "assignment__subgroup",
            "assignment__teacher",
            "lesson",
            "opened_by",
        )
        .order_by("valid_until", "pk")
    )
