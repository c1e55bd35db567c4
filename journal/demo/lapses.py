"""The demo's journal-keeping lapses, for the deputy's audit (/reports/audit/) and the weekly remarks.

A real school's journal is kept well by most teachers and carelessly by a few. So is the demo's: everything
``seed_journal`` writes is on time and complete, except the lapses chosen here, all in the last four weeks before
the seed's day (``WINDOW_DAYS``) and all on three careless teachers (``careless_teachers``): the fixed ``teacher``
account a little (a newcomer logging in sees their own lessons without a topic and open remarks) and two other
teachers more (their scores on the control page stand out). Per teacher (``COUNTS``: the ``teacher`` account's,
the others'):

- lessons without a topic (the record never saved: marks and absences only, as entered from the grid), some of
  them last week (Monday to Sunday before the seed's week), still open for the weekly remarks;
- lessons without homework in a subject that sets it;
- lessons whose attendance was never taken (no absence entered, no «все присутствуют»);
- lesson records entered the next days (``Lesson.recorded_at`` after the lesson day);
- homework entered late in the evening (its history row long after the class's last lesson);
- marks entered after the next lesson of the subject (their history rows after its start);

and, once for the school, a control work of one of the two (at least a week old, so due) where two pupils who were
present have no mark, and two pupils of one class (with no control work in the four weeks) the same teacher has not
asked for the last four weeks (накопляемость: no mark or one, or a long gap). The two others also have the demo's assignments without a КТП
(``journal.demo.plan``). The choice draws from its own generator: the rest of the demo draws as before.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from accounts.choices import Role
from accounts.models import User
from journal.models import Lesson, SchoolYear, TeachingAssignment

from .data import NO_HOMEWORK_SUBJECTS

SEED = 20261203
WINDOW_DAYS = 28
FIXED_CARELESS = "teacher"  # the fixed account among the careless: a newcomer sees lapses of their own
OTHERS = 2  # careless teachers besides the fixed account
# Lessons per careless teacher: (the fixed account's, each other's).
COUNTS = {
    "no_topic": (2, 5),
    "no_homework": (2, 5),
    "no_attendance": (1, 2),
    "late_record": (1, 4),
    "late_homework": (1, 4),
    "late_marks": (1, 3),
}
LAST_WEEK_NO_TOPIC = (1, 2)  # of the lessons without a topic, this many from last week
CONTROL_UNMARKED = 2  # present pupils without a mark at the one control work
NEGLECTED = 2  # pupils of one class the teacher has not asked lately


def sets_homework(assignment: TeachingAssignment) -> bool:
    """Whether the subject sets homework in the class: not in the first grade, not in PE, music, art, труд, ОБЗР
    (the audit's rule, reports.selectors.audit.records.subject_sets_homework, for the demo's subjects)."""
    return assignment.school_class.grade >= 2 and assignment.subject.name not in NO_HOMEWORK_SUBJECTS


def careless_teachers(year: SchoolYear) -> tuple[int | None, list[int]]:
    """The fixed ``teacher`` account's id and two others' (specialists of grades 5–11 whose every subject sets
    homework, with three classes at least); the same teachers for the same school."""
    assignments = TeachingAssignment.objects.filter(year=year).select_related("school_class", "subject", "teacher")
    by_teacher: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in assignments.order_by("pk"):
        if assignment.teacher_id is not None:
            by_teacher[assignment.teacher_id].append(assignment)
    fixed = User.objects.filter(school_id=year.school_id, username=FIXED_CARELESS, role=Role.TEACHER).first()
    candidates = sorted(
        teacher_id
        for teacher_id, own in by_teacher.items()
        if own[0].teacher.username.startswith("t")
        and own[0].teacher.username[1:].isdigit()
        and all(a.school_class.grade >= 5 and sets_homework(a) for a in own)
        and len({a.school_class_id for a in own}) >= 3
    )
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(candidates, min(OTHERS, len(candidates))))
    return (fixed.pk if fixed is not None and fixed.pk in by_teacher else None), chosen


@dataclass
class Lapses:
    """The lessons chosen for each lapse (ids), the control work's unmarked pupils and the neglected pupils."""

    teachers: list[int] = field(default_factory=list)
    lessons: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    control_unmarked: int | None = None  # the control work's lesson id (its first present pupils get no mark)
    neglected: tuple[int, set[int]] | None = None  # (assignment id, pupil ids) not asked since ``since``
    since: dt.date | None = None

    def has(self, lapse: str, lesson: Lesson) -> bool:
        return lesson.pk in self.lessons[lapse]

    def neglects(self, lesson: Lesson, pupil_id: int) -> bool:
        return (
            self.neglected is not None
            and lesson.assignment_id == self.neglected[0]
            and lesson.date >= self.since
            and pupil_id in self.neglected[1]
        )


def choose_lapses(
    *,
    year: SchoolYear,
    today: dt.date,
    series: dict[int, list[Lesson]],
    roster: dict[int, list[int]],
) -> Lapses:
    """Choose the lapses among the held lessons (``series``: an assignment's lessons before ``today`` in order, with
    their topic and kind of work set; ``roster``: an assignment's pupils now). Nothing when no lesson was held in
    the last four weeks (the summer, the first days of the year)."""
    rng = random.Random(SEED + 1)
    since = today - dt.timedelta(days=WINDOW_DAYS)
    week_start = today - dt.timedelta(days=today.weekday() + 7)  # last week's Monday
    fixed, others = careless_teachers(year)
    lapses = Lapses(teachers=([fixed] if fixed is not None else []) + others, since=since)
    used: set[int] = set()
    for teacher_id in lapses.teachers:
        tier = 0 if teacher_id == fixed else 1
        own: list[tuple[Lesson, Lesson | None]] = []  # (lesson, the next lesson of its assignment held)
        for lessons in series.values():
            if not lessons or lessons[0].assignment.teacher_id != teacher_id:
                continue
            for index, lesson in enumerate(lessons):
                if lesson.date >= since and not lesson.taught_by_id:
                    own.append((lesson, lessons[index + 1] if index + 1 < len(lessons) else None))
        if not own:
            continue

        def pick(lapse: str, candidates: list[Lesson], count: int) -> None:
            free = [lesson for lesson in candidates if lesson.pk not in used]
            for lesson in rng.sample(free, min(count, len(free))):
                lapses.lessons[lapse].add(lesson.pk)
                used.add(lesson.pk)

        homework = [lesson for lesson, _next in own if sets_homework(lesson.assignment)]
        last_week = [lesson for lesson, _next in own if week_start <= lesson.date < week_start + dt.timedelta(days=7)]
        recent = LAST_WEEK_NO_TOPIC[tier]
        pick("no_topic", [lesson for lesson in last_week if not lesson.is_control], recent)
        pick("no_topic", [lesson for lesson, _next in own if not lesson.is_control], COUNTS["no_topic"][tier] - recent)
        pick("no_homework", homework, COUNTS["no_homework"][tier])
        pick("no_attendance", [lesson for lesson, _next in own], COUNTS["no_attendance"][tier])
        recorded_later = [lesson for lesson, _next in own if lesson.date + dt.timedelta(days=1) < today]
        pick("late_record", recorded_later, COUNTS["late_record"][tier])  # the next day's evening, before the seed
        pick("late_homework", homework, COUNTS["late_homework"][tier])
        # Marked after the next lesson, within three days of the lesson (not an essay's week); not a control work.
        pick(
            "late_marks",
            [
                lesson
                for lesson, following in own
                if following is not None
                and not lesson.is_control
                and dt.timedelta(days=1) <= following.date - lesson.date <= dt.timedelta(days=3)
            ],
            COUNTS["late_marks"][tier],
        )
    due = today - dt.timedelta(days=8)  # a control work is checked a week after it (AuditSettings.essay_days)
    controls = [
        lesson
        for lessons in series.values()
        if lessons and lessons[0].assignment.teacher_id in others
        for lesson in lessons
        if since <= lesson.date <= due and lesson.is_control and not lesson.taught_by_id and lesson.pk not in used
    ]
    if controls:
        lesson = rng.choice(controls)
        lapses.control_unmarked = lesson.pk
        used.add(lesson.pk)
    neglect = [
        assignment_id
        for assignment_id, lessons in series.items()
        if lessons
        and lessons[0].assignment.teacher_id in others
        and lessons[0].assignment.subgroup_id is None
        and len(roster.get(assignment_id, ())) > 1
        and sum(lesson.date >= since for lesson in lessons) >= 4
        and not any(lesson.is_control for lesson in lessons if lesson.date >= since)  # nobody marked them since
    ]
    if neglect:
        assignment_id = rng.choice(sorted(neglect))
        pupils = sorted(roster[assignment_id])
        lapses.neglected = (assignment_id, set(rng.sample(pupils, min(NEGLECTED, len(pupils) - 1))))
    return lapses
