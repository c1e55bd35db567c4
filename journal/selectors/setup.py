"""Reads for the year-opening flow: how far each step has got, and the grids the admin edits."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from accounts.choices import STAFF_ROLES
from accounts.models import PupilProfile, User

from ..models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Lesson,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subject,
    TeachingAssignment,
    TimetableEntry,
    Vacation,
)


@dataclass
class Step:
    number: int
    title: str
    url_name: str
    done: bool
    summary: str
    problems: list[str] = field(default_factory=list)
    url_args: list = field(default_factory=list)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name, args=self.url_args)
        except NoReverseMatch:  # a step whose pages are not installed
            return ""


def year_being_opened(school) -> SchoolYear | None:
    """The newest year of the school: the one the admin is preparing in late August."""
    return SchoolYear.objects.filter(school=school).order_by("-start_date").first()


def previous_year(year: SchoolYear) -> SchoolYear | None:
    return (
        SchoolYear.objects.filter(school_id=year.school_id, start_date__lt=year.start_date)
        .order_by("-start_date")
        .first()
    )


def setup_steps(year: SchoolYear) -> list[Step]:
    """The seven steps of opening a year, each with whether it is done and what is missing."""
    kinds_used = set(GradeSettings.objects.filter(year=year).values_list("period_kind", flat=True))
    kinds_with_periods = set(StudyPeriod.objects.filter(year=year).values_list("kind", flat=True))
    vacations = Vacation.objects.filter(year=year).count()
    calendar_problems = [
        f"не заданы периоды: {StudyPeriod(kind=kind).get_kind_display()}"
        for kind in sorted(kinds_used - kinds_with_periods)
    ]
    if not vacations:
        calendar_problems.append("не заданы каникулы")

    classes = list(
        SchoolClass.objects.filter(year=year).annotate(
            pupils=Count("enrollments", distinct=True), lines=Count("curriculum", distinct=True)
        )
    )
    without_teacher = [str(c) for c in classes if c.class_teacher_id is None]
    without_pupils = [str(c) for c in classes if not c.pupils]
    class_problems = []
    if not classes:
        class_problems.append("классы не созданы")
    if without_teacher:
        class_problems.append("без классного руководителя: " + ", ".join(without_teacher))
    if without_pupils:
        class_problems.append("нет учащихся: " + ", ".join(without_pupils))
    pupils = Enrollment.objects.filter(school_class__year=year).values("pupil").distinct().count()

    without_plan = [str(c) for c in classes if not c.lines]
    lines = CurriculumEntry.objects.filter(school_class__year=year).values_list("school_class_id", "subject_id")
    covered = set(TeachingAssignment.objects.filter(year=year).values_list("school_class_id", "subject_id"))
    uncovered = [line for line in lines if line not in covered]
    assignments = TeachingAssignment.objects.filter(year=year).count()

    entries = TimetableEntry.objects.filter(year=year).count()
    lessons = Lesson.objects.filter(assignment__year=year).count()
    return [
        Step(
            1,
            "Учебный год и календарь",
            "journal:setup_calendar",
            not calendar_problems,
            f"{year.start_date:%d.%m.%Y} — {year.end_date:%d.%m.%Y}; каникул: {vacations}",
            calendar_problems,
            [year.pk],
        ),
        Step(
            2,
            "Классы, классные руководители, подгруппы, учащиеся",
            "journal:setup_classes",
            bool(classes) and not without_teacher and not without_pupils,
            f"классов: {len(classes)}, учащихся: {pupils}",
            class_problems,
            [year.pk],
        ),
        Step(
            3,
            "Предметы и учебный план",
            "journal:setup_curriculum",
            bool(classes) and not without_plan,
            f"строк учебного плана: {len(lines)}",
            ["нет учебного плана: " + ", ".join(without_plan)] if without_plan else [],
            [year.pk],
        ),
        Step(
            4,
            "Учебная нагрузка",
            "journal:setup_assignments",
            bool(lines) and not uncovered,
            f"назначений: {assignments}",
            [f"предметов учебного плана без учителя: {len(uncovered)}"] if uncovered else [],
            [year.pk],
        ),
        Step(
            5,
            "Расписание звонков и уроков",
            "journal:timetable_index",
            entries > 0,
            f"уроков в недельном расписании: {entries}",
            [] if entries else ["расписание не составлено"],
        ),
        Step(
            6,
            "Уроки на год по расписанию",
            "journal:lessons_layout",
            lessons > 0,
            f"уроков в журнале: {lessons}",
            [] if lessons else ["уроки не разложены"],
        ),
    ]


@dataclass
class CurriculumGrid:
    classes: list[SchoolClass]
    rows: list[tuple[Subject, list[tuple[int, Decimal | None]]]]  # subject, [(class id, hours)]
    totals: list[Decimal]


def curriculum_grid(year: SchoolYear) -> CurriculumGrid:
    """Subjects × classes with hours per week, and each class's weekly total: three queries."""
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    subjects = list(Subject.objects.filter(school_id=year.school_id).order_by("order", "name"))
    hours = {
        (e.school_class_id, e.subject_id): e.hours_per_week
        for e in CurriculumEntry.objects.filter(school_class__year=year)
    }
    rows = [(subject, [(c.pk, hours.get((c.pk, subject.pk))) for c in classes]) for subject in subjects]
    totals = [sum((h for (class_id, _subject_id), h in hours.items() if class_id == c.pk), Decimal(0)) for c in classes]
    return CurriculumGrid(classes=classes, rows=rows, totals=totals)


@dataclass
class ClassLoad:
    school_class: SchoolClass
    lines: list[tuple[CurriculumEntry, list[TeachingAssignment]]]
    assignments: list[TeachingAssignment] = field(default_factory=list)


def assignments_by_class(year: SchoolYear) -> list[ClassLoad]:
    """Each class's curriculum lines with the assignments that cover them: four queries."""
    classes = list(SchoolClass.objects.filter(year=year).prefetch_related("subgroups").order_by("grade", "letter"))
    by_line: dict[tuple[int, int], list[TeachingAssignment]] = defaultdict(list)
    by_class: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for a in TeachingAssignment.objects.filter(year=year).select_related("teacher", "subgroup", "subject"):
        by_line[(a.school_class_id, a.subject_id)].append(a)
        by_class[a.school_class_id].append(a)
    lines: dict[int, list] = defaultdict(list)
    for entry in (
        CurriculumEntry.objects.filter(school_class__year=year)
        .select_related("subject")
        .order_by("subject__order", "subject__name")
    ):
        lines[entry.school_class_id].append((entry, by_line.get((entry.school_class_id, entry.subject_id), [])))
    return [ClassLoad(c, lines.get(c.pk, []), by_class.get(c.pk, [])) for c in classes]


def teacher_loads(year: SchoolYear) -> list[tuple[User, Decimal]]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for teacher_id, hours in TeachingAssignment.objects.filter(year=year).values_list("teacher_id", "hours_per_week"):
        totals[teacher_id] += hours
    staff = User.objects.filter(school_id=year.school_id, role__in=STAFF_ROLES, is_active=True).order_by(
        "last_name", "first_name"
    )
    return [(user, totals.get(user.pk, Decimal(0))) for user in staff]


def classes_with_counts(year: SchoolYear):
    return (
        SchoolClass.objects.filter(year=year)
        .select_related("class_teacher")
        .prefetch_related("subgroups")
        .annotate(pupils=Count("enrollments", filter=Q(enrollments__date_to__isnull=True), distinct=True))
        .order_by("grade", "letter")
    )


def staff_for_select(year: SchoolYear):
    return User.objects.filter(school_id=year.school_id, role__in=STAFF_ROLES, is_active=True).order_by(
        "last_name", "first_name"
    )


def class_pupils_for_subgroups(school_class: SchoolClass):
    on_roll = Enrollment.objects.filter(school_class=school_class, date_to__isnull=True).values("pupil")
    return (
        PupilProfile.objects.filter(pk__in=on_roll)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
