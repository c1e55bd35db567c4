"""«Что нового»: marks (new, changed, taken back), absences and homework since the user last looked, and the
homework for the next school day.

"Since" comes from diary.services.visits (the previous visit, or the last 7 days on the first one). Marks and
absences belong to the pupil directly; homework is the class's and the pupil's subgroups' (and homework given to
chosen pupils only when the pupil is one of them), at lessons while the pupil was in the class, each with the day
it is due (the teacher's date, else the next day with a lesson of the subject, as the week shows it).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import DateField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import PupilProfile
from journal.models import Attendance, AttendanceCode, Homework, Lesson, Mark

from .days import (
    DiaryDay,
    DueHomework,
    enrolment_spans,
    homework_due,
    next_school_day,
    pupil_days,
    subgroup_memberships,
)

ATTENDANCE_LABELS = dict(AttendanceCode.choices)
NEXT_DAY_LOOKAHEAD = 14  # how far ahead the next school day is looked for (vacations)
LIMIT = 40  # items per list: after a long absence (or a bulk import) the page stays small; the rest is in the week


@dataclass
class NewsMark:
    date: dt.date
    subject: str
    assignment_id: int
    value: str
    work_type: str
    state: str  # "new", "changed", "cleared"
    updated_at: dt.datetime


@dataclass
class NewsAbsence:
    date: dt.date
    number: int
    subject: str
    code: str
    label: str


@dataclass
class NewsHomework:
    date: dt.date  # the lesson it was given at
    subject: str
    text: str
    individual: bool
    due_on: dt.date | None = None  # None: the subject has no later lesson yet


@dataclass
class News:
    since: dt.datetime
    first_visit: bool
    marks: list[NewsMark] = field(default_factory=list)
    absences: list[NewsAbsence] = field(default_factory=list)
    homework: list[NewsHomework] = field(default_factory=list)
    next_day: DiaryDay | None = None
    due: list[DueHomework] = field(default_factory=list)
    truncated: bool = False  # some list was cut at LIMIT items

    @property
    def is_empty(self) -> bool:
        return not (self.marks or self.absences or self.homework)


def pupil_news(pupil: PupilProfile, since: dt.datetime, *, first_visit: bool, today: dt.date) -> News:
    """What came since ``since`` for the pupil, and the homework for the next school day (13 queries)."""
    news = News(since=since, first_visit=first_visit)
    rows = list(
        Mark.objects.filter(pupil_id=pupil.pk, updated_at__gte=since)
        .order_by("-lesson__date", "-lesson__number", "position")
        .values_list(
            "id",
            "lesson__date",
            "lesson__assignment__subject__name",
            "lesson__assignment_id",
            "value",
            "work_type__name",
            "updated_at",
        )[: LIMIT + 1]
    )
    # A mark is new when it was created since; otherwise it was changed (or taken back) since.
    new_ids = set(
        Mark.history.filter(id__in=[row[0] for row in rows], history_type="+", history_date__gte=since).values_list(
            "id", flat=True
        )
    )
    for mark_id, day, subject, assignment_id, value, work_type, updated_at in rows:
        is_new = mark_id in new_ids
        if not value and is_new:
            continue  # put and taken back since the last visit: nothing to tell
        state = "cleared" if not value else ("new" if is_new else "changed")
        news.marks.append(NewsMark(day, subject, assignment_id, value, work_type or "", state, updated_at))
    for day, number, subject, code in (
        Attendance.objects.filter(pupil_id=pupil.pk, updated_at__gte=since)
        .exclude(code="")
        .order_by("-lesson__date", "lesson__number")
        .values_list("lesson__date", "lesson__number", "lesson__assignment__subject__name", "code")[: LIMIT + 1]
    ):
        news.absences.append(NewsAbsence(day, number, subject, code, str(ATTENDANCE_LABELS.get(code, ""))))

    news.truncated = len(news.marks) > LIMIT or len(news.absences) > LIMIT
    news.marks, news.absences = news.marks[:LIMIT], news.absences[:LIMIT]

    spans = enrolment_spans([pupil.pk], since.date() - dt.timedelta(days=60), today + dt.timedelta(days=60))
    pupil_spans = spans.get(pupil.pk, [])
    class_ids = {span.class_id for span in pupil_spans}
    if class_ids:
        groups = subgroup_memberships([pupil.pk], class_ids).get(pupil.pk, set())
        next_lesson = (
            Lesson.objects.filter(assignment_id=OuterRef("lesson__assignment_id"), date__gt=OuterRef("lesson__date"))
            .order_by("date")
            .values("date")[:1]
        )
        rows = (
            Homework.objects.filter(updated_at__gte=since, lesson__assignment__school_class_id__in=class_ids)
            .filter(Q(lesson__assignment__subgroup__isnull=True) | Q(lesson__assignment__subgroup_id__in=groups))
            .exclude(text="")
            .annotate(due_on=Coalesce("due_date", Subquery(next_lesson), output_field=DateField()))
            .order_by("-lesson__date", "lesson__number", "pk")
            .values_list(
                "pk",
                "lesson__date",
                "lesson__assignment__school_class_id",
                "lesson__assignment__subject__name",
                "text",
                "pupils",
                "due_on",
            )
        )
        by_pk: dict[int, list] = {}
        for pk, day, class_id, subject, text, only_for, due_on in rows:
            if not any(span.class_id == class_id and span.covers(day) for span in pupil_spans):
                continue
            entry = by_pk.setdefault(pk, [day, subject, text, set(), due_on])
            if only_for is not None:
                entry[3].add(only_for)
        for day, subject, text, only_for, due_on in by_pk.values():
            if not only_for or pupil.pk in only_for:
                news.homework.append(NewsHomework(day, subject, text, bool(only_for), due_on))
        news.truncated = news.truncated or len(news.homework) > LIMIT
        news.homework = news.homework[:LIMIT]

    # The homework due on the next school day, as the week places it (given at the subject's previous lesson or
    # for that day): pupil_days reads what is due on its days however long ago it was given.
    days = pupil_days([pupil], today, today + dt.timedelta(days=NEXT_DAY_LOOKAHEAD), today=today)[pupil.pk]
    news.next_day = next_school_day(days, today)
    if news.next_day is not None:
        news.due = homework_due(days, news.next_day.date)
    return news
