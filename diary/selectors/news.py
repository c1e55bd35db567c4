"""«Что нового»: marks (new, changed, taken back), absences and homework since the user last looked, and the
homework for the next school day.

"Since" comes from diary.services.visits (the previous visit, or the last 7 days on the first one). Marks and
absences belong to the pupil directly; homework is the class's and the pupil's subgroups' (and homework given to
chosen pupils only when the pupil is one of them), at lessons while the pupil was in the class, each with the day
it is due (the teacher's date, else the next day with a lesson of the subject, as the week shows it).

The reads are plain SQL (journal.selectors.sql says why), each cut to LIMIT + 1 rows in the database: after a long
absence or a bulk import the ORM read every changed row and filtered them here (540 homework rows, 14 ms of the
database and as much of Python, for a page that shows 40). What needs a row's neighbours (whether a mark was set
since, the day a homework is due) is looked up only for the rows kept, in an outer query.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from accounts.models import PupilProfile
from journal.models import (
    Attendance,
    AttendanceCode,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    Subgroup,
    Subject,
    TeachingAssignment,
    WorkType,
)
from journal.selectors.sql import as_date, as_datetime, fetch, sql_date, table

from .days import DiaryDay, DueHomework, homework_due, next_school_day, pupil_days

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


def _sql_datetime(value: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _marks_and_absences(pupil_id: int, since: dt.datetime) -> list[tuple]:
    """The pupil's marks and absences changed since ``since``, LIMIT + 1 of each, newest lesson first (1 query):
    ("m" or "a", date, number, subject, assignment id, value or code, kind of work, position, updated at, whether
    the mark was first set since ``since``: a history row "+", looked up for the kept marks only)."""
    when = _sql_datetime(since)
    return fetch(
        "SELECT x.kind, x.day, x.number, x.subject, x.assignment_id, x.value, x.work_type, x.position, x.updated_at,"
        f" x.kind = 'm' AND EXISTS (SELECT 1 FROM {table(Mark.history.model)} hm WHERE hm.id = x.id"
        " AND hm.history_type = '+' AND hm.history_date >= %s) FROM ("
        " SELECT * FROM (SELECT 'm' AS kind, m.id, l.\"date\" AS day, l.number, s.name AS subject, l.assignment_id,"
        " m.value, w.name AS work_type, m.position, m.updated_at"
        f" FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id"
        f" JOIN {table(TeachingAssignment)} a ON a.id = l.assignment_id JOIN {table(Subject)} s ON s.id = a.subject_id"
        f" LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id WHERE m.pupil_id = %s AND m.updated_at >= %s"
        ' ORDER BY l."date" DESC, l.number DESC, m.position LIMIT %s) mm'
        " UNION ALL SELECT * FROM (SELECT 'a' AS kind, t.id, l.\"date\" AS day, l.number, s.name AS subject,"
        " l.assignment_id, t.code AS value, CAST(NULL AS VARCHAR(200)) AS work_type, 0 AS position, t.updated_at"
        f" FROM {table(Attendance)} t JOIN {table(Lesson)} l ON l.id = t.lesson_id"
        f" JOIN {table(TeachingAssignment)} a ON a.id = l.assignment_id JOIN {table(Subject)} s ON s.id = a.subject_id"
        " WHERE t.pupil_id = %s AND t.updated_at >= %s AND t.code <> ''"
        ' ORDER BY l."date" DESC, l.number LIMIT %s) aa) x',
        [when, pupil_id, when, LIMIT + 1, pupil_id, when, LIMIT + 1],
    )


def _new_homework(pupil_id: int, since: dt.datetime, start: dt.date, end: dt.date) -> list[tuple]:
    """The homework changed since ``since`` that the pupil sees, LIMIT + 1 rows, newest lesson first (1 query):
    (id, given on, lesson number, subject, text, for chosen pupils only, due on).

    The pupil sees it at a lesson of a class while enrolled in it (an enrolment overlapping ``start``–``end``), of
    the whole class or of one of the pupil's subgroups, given to everyone or to the pupil among others. The reads
    start from the pupil's enrolments (a handful of classes' lessons, not every school's homework).
    """
    through = table(Homework.pupils.through)
    return fetch(
        'SELECT x.id, x.given_on, x.number, x.subject, x.text, x.individual, COALESCE(x.due_date, (SELECT MIN(n."date")'
        f' FROM {table(Lesson)} n WHERE n.assignment_id = x.assignment_id AND n."date" > x.given_on)) FROM ('
        ' SELECT h.id, l."date" AS given_on, l.number, l.assignment_id, s.name AS subject, h.text, h.due_date,'
        f" EXISTS (SELECT 1 FROM {through} hp WHERE hp.homework_id = h.id) AS individual"
        f" FROM {table(Enrollment)} e JOIN {table(TeachingAssignment)} a ON a.school_class_id = e.school_class_id"
        f' JOIN {table(Lesson)} l ON l.assignment_id = a.id AND l."date" >= e.date_from'
        f' AND (e.date_to IS NULL OR l."date" <= e.date_to) JOIN {table(Homework)} h ON h.lesson_id = l.id'
        f" JOIN {table(Subject)} s ON s.id = a.subject_id"
        " WHERE e.pupil_id = %s AND e.date_from <= %s AND (e.date_to IS NULL OR e.date_to >= %s)"
        " AND h.updated_at >= %s AND h.text <> ''"
        f" AND (a.subgroup_id IS NULL OR a.subgroup_id IN (SELECT sp.subgroup_id FROM {table(Subgroup.pupils.through)} sp"
        " WHERE sp.pupilprofile_id = %s))"
        f" AND (NOT EXISTS (SELECT 1 FROM {through} hp WHERE hp.homework_id = h.id)"
        f" OR EXISTS (SELECT 1 FROM {through} hp WHERE hp.homework_id = h.id AND hp.pupilprofile_id = %s))"
        ' ORDER BY l."date" DESC, l.number, h.id LIMIT %s) x ORDER BY x.given_on DESC, x.number, x.id',
        [pupil_id, sql_date(end), sql_date(start), _sql_datetime(since), pupil_id, pupil_id, LIMIT + 1],
    )


def pupil_news(pupil: PupilProfile, since: dt.datetime, *, first_visit: bool, today: dt.date) -> News:
    """What came since ``since`` for the pupil, and the homework for the next school day (5 queries)."""
    news = News(since=since, first_visit=first_visit)
    rows = _marks_and_absences(pupil.pk, since)
    marks = sorted(
        (row for row in rows if row[0] == "m"), key=lambda row: (-as_date(row[1]).toordinal(), -row[2], row[7])
    )
    absences = sorted((row for row in rows if row[0] == "a"), key=lambda row: (-as_date(row[1]).toordinal(), row[2]))
    # A mark is new when it was created since; otherwise it was changed (or taken back) since.
    for _kind, day, _number, subject, assignment_id, value, work_type, _position, updated_at, is_new in marks:
        if not value and is_new:
            continue  # put and taken back since the last visit: nothing to tell
        state = "cleared" if not value else ("new" if is_new else "changed")
        news.marks.append(
            NewsMark(as_date(day), subject, assignment_id, value, work_type or "", state, as_datetime(updated_at))
        )
    for _kind, day, number, subject, _assignment_id, code, *_rest in absences:
        news.absences.append(NewsAbsence(as_date(day), number, subject, code, str(ATTENDANCE_LABELS.get(code, ""))))
    news.truncated = len(news.marks) > LIMIT or len(news.absences) > LIMIT
    news.marks, news.absences = news.marks[:LIMIT], news.absences[:LIMIT]

    # At lessons while the pupil was in the class: the enrolments around the days since (as the week reads them).
    homework = _new_homework(pupil.pk, since, since.date() - dt.timedelta(days=60), today + dt.timedelta(days=60))
    seen: set[int] = set()
    for pk, day, _number, subject, text, individual, due_on in homework:
        if pk in seen:  # two enrolments in the class on one day (not made by the services): shown once
            continue
        seen.add(pk)
        news.homework.append(NewsHomework(as_date(day), subject, text, bool(individual), as_date(due_on)))
    news.truncated = news.truncated or len(news.homework) > LIMIT
    news.homework = news.homework[:LIMIT]

    # The homework due on the next school day, as the week places it (given at the subject's previous lesson or
    # for that day): pupil_days reads what is due on its days however long ago it was given.
    first = today + dt.timedelta(days=1)
    last = today + dt.timedelta(days=NEXT_DAY_LOOKAHEAD)
    days = pupil_days([pupil], first, last, today=today, brief=True)[pupil.pk]
    news.next_day = next_school_day(days, today)
    if news.next_day is not None:
        news.due = homework_due(days, news.next_day.date)
    return news
