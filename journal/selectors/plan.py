"""Reads for the КТП page: the plan with its lessons, the hours check, plan vs fact, plans to copy from."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Lesson, PlanTopic, TeachingAssignment
from ..services.plan import may_copy_from, with_held

WEEKS_IN_YEAR = 34  # 1st grade: 33 weeks (the federal curriculum's count)
WEEKS_IN_FIRST_GRADE = 33


def number_text(value: Decimal | int) -> str:
    """170.0 → «170», 2.5 → «2.5»."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def study_weeks(grade: int) -> int:
    return WEEKS_IN_FIRST_GRADE if grade == 1 else WEEKS_IN_YEAR


@dataclass
class TopicRow:
    topic: PlanTopic
    lessons: list[Lesson] = field(default_factory=list)
    behind: bool = False  # a lesson of this topic is past and has no record

    @property
    def first_date(self) -> dt.date | None:
        return self.lessons[0].date if self.lessons else None

    @property
    def last_date(self) -> dt.date | None:
        return self.lessons[-1].date if self.lessons else None

    @property
    def held(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.held)


@dataclass
class PlanPage:
    assignment: TeachingAssignment
    today: dt.date
    rows: list[TopicRow]
    planned_hours: int
    curriculum_hours: Decimal
    weeks: int
    laid_out: int  # lessons of the assignment in the year (from the timetable)
    held: int  # lessons up to today with a record
    past_without_record: int  # lessons before today with no record at all
    lessons_with_plan_topic: int
    lessons_ahead: int

    @property
    def behind(self) -> list[TopicRow]:
        return [row for row in self.rows if row.behind]

    @property
    def warnings(self) -> list[str]:
        notes = []
        if not self.rows:
            return notes
        if Decimal(self.planned_hours) != self.curriculum_hours:
            notes.append(
                _(
                    "Часов в КТП: %(plan)s, а по учебному плану %(curr)s (%(week)s ч в неделю × %(weeks)s недели). "
                    "Проверьте часы тем."
                )
                % {
                    "plan": self.planned_hours,
                    "curr": number_text(self.curriculum_hours),
                    "week": number_text(self.assignment.hours_per_week),
                    "weeks": self.weeks,
                }
            )
        if self.laid_out and self.planned_hours != self.laid_out:
            notes.append(
                _("Уроков по расписанию на год: %(lessons)s, а часов в КТП: %(plan)s.")
                % {"lessons": self.laid_out, "plan": self.planned_hours}
            )
        return notes


def plan_page(assignment: TeachingAssignment, today: dt.date) -> PlanPage:
    """The plan's topics with their lessons, and the counts of plan vs fact: three queries."""
    topics = list(PlanTopic.objects.filter(assignment=assignment).select_related("work_type").order_by("order"))
    lessons = list(
        with_held(Lesson.objects.filter(assignment=assignment))
        .only("pk", "date", "number", "topic", "plan_topic_id", "recorded_at")
        .order_by("date", "number")
    )
    by_topic: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        if lesson.plan_topic_id:
            by_topic[lesson.plan_topic_id].append(lesson)
    rows = []
    for topic in topics:
        topic_lessons = by_topic.get(topic.pk, [])
        behind = any(lesson.date < today and not lesson.held for lesson in topic_lessons)
        rows.append(TopicRow(topic=topic, lessons=topic_lessons, behind=behind))
    weeks = study_weeks(assignment.school_class.grade)
    return PlanPage(
        assignment=assignment,
        today=today,
        rows=rows,
        planned_hours=sum(topic.hours for topic in topics),
        curriculum_hours=assignment.hours_per_week * weeks,
        weeks=weeks,
        laid_out=len(lessons),
        held=sum(1 for lesson in lessons if lesson.date <= today and lesson.held),
        past_without_record=sum(1 for lesson in lessons if lesson.date < today and not lesson.held),
        lessons_with_plan_topic=sum(1 for lesson in lessons if lesson.plan_topic_id),
        lessons_ahead=sum(1 for lesson in lessons if lesson.date > today),
    )


@dataclass
class CopySource:
    assignment: TeachingAssignment
    topics: int
    hours: int
    recommended: bool  # last year's plan of the same subject and grade


def copy_sources(assignment: TeachingAssignment, user: User) -> list[CopySource]:
    """Plans this user may copy into the assignment: last year's of the same subject and grade first."""
    candidates = (
        TeachingAssignment.objects.filter(year__school_id=assignment.year.school_id)
        .filter(Q(subject_id=assignment.subject_id) | Q(teacher_id=user.pk) | Q(teacher_id=assignment.teacher_id))
        .exclude(pk=assignment.pk)
        .annotate(topic_count=Count("plan_topics"), hours=Sum("plan_topics__hours"))
        .filter(topic_count__gt=0)
        .select_related("year", "school_class", "subject", "subgroup", "teacher")
        .order_by("-year__start_date", "subject__name", "school_class__grade", "school_class__letter")[:100]
    )
    grade = assignment.school_class.grade
    sources = []
    for source in candidates:
        if not may_copy_from(user, assignment, source):
            continue
        recommended = (
            source.subject_id == assignment.subject_id
            and source.year.start_date < assignment.year.start_date
            and source.school_class.grade == grade
        )
        sources.append(CopySource(source, source.topic_count, source.hours or 0, recommended))
    sources.sort(key=lambda s: not s.recommended)
    return sources
