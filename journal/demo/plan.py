"""The demo's КТП: a plan for (nearly) every assignment, with its lessons linked to the plan's lines.

Each subject's topics (``journal.TOPICS``) share the assignment's lessons of the year evenly; a topic's lessons are
lines of up to four hours («Тема», «Тема: закрепление», «Тема: практикум»…) with the planned homework and kind of
work of each line, and it ends with a control work (a dictation in Russian, an essay in literature). Every lesson
gets its plan line (``Lesson.plan_topic``, as «Назначить темы урокам» does); ``seed_journal`` then records the held
lessons as planned, so an open lesson ahead opens with the plan's topic, kind of work and homework filled in.

A few assignments are deliberately left without a КТП (``WITHOUT_PLAN``), for the deputy's audit («КТП missing»):
assignments of the demo's careless teachers (``journal.demo.lapses``); the fixed demo accounts' own assignments
always have one. The plan's history rows say that the teacher wrote it
in the last days of August.
"""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict

from journal.models import Lesson, PlanTopic, SchoolYear, TeachingAssignment, WorkType

from .journal import HOMEWORK, _topics
from .lapses import careless_teachers
from .school import FIXED_USERNAMES

SEED = 20261202
WITHOUT_PLAN = 3  # assignments with no КТП at all
MAX_LINE_HOURS = 4
PARTS = [
    ("", "устный ответ"),
    (": закрепление", "самостоятельная работа"),
    (": практикум", "практическая работа"),
    (": обобщение", "тест"),
]
CONTROL_KIND = {"Русский язык": "диктант", "Литература": "сочинение"}


def _lines(subject: str, lessons: int, rng: random.Random) -> list[tuple[str, str, int, str, str]]:
    """(section, title, hours, homework, kind of work's name) of a plan of ``lessons`` hours."""
    topics = _topics(subject)
    lines = []
    paragraph = 0
    for j, topic in enumerate(topics):
        hours = (j + 1) * lessons // len(topics) - j * lessons // len(topics)
        if hours <= 0:
            continue
        control = 1 if hours >= 3 else 0
        study = hours - control
        part = 0
        while study > 0:
            chunk = min(MAX_LINE_HOURS, study)
            suffix, kind = PARTS[part % len(PARTS)]
            if part >= len(PARTS):
                suffix += " (продолжение)"
            paragraph += 1
            homework = rng.choice(HOMEWORK).format(n=paragraph, m=rng.randint(10, 300), k=rng.randint(2, 9))
            lines.append((topic, f"{topic}{suffix}"[:500], chunk, homework, kind))
            study -= chunk
            part += 1
        if control:
            control_kind = CONTROL_KIND.get(subject, "контрольная работа")
            lines.append((topic, f"Контрольная работа по теме «{topic}»"[:500], 1, "", control_kind))
    return lines


def seed_plans(*, year: SchoolYear) -> dict:
    """Write the КТП of the year's assignments (all but ``WITHOUT_PLAN`` of them) and link their lessons."""
    rng = random.Random(SEED)
    kinds = {w.name: w.pk for w in WorkType.objects.filter(school_id=year.school_id)}
    assignments = list(
        TeachingAssignment.objects.filter(year=year)
        .select_related("subject", "teacher")
        .order_by("school_class__grade", "school_class__letter", "subject__name", "pk")
    )
    lessons: dict[int, list[int]] = defaultdict(list)
    for assignment_id, lesson_id in (
        Lesson.objects.filter(assignment__year=year).order_by("date", "number").values_list("assignment_id", "pk")
    ):
        lessons[assignment_id].append(lesson_id)
    # The careless teachers of the demo (journal.demo.lapses) are the ones without a КТП, if they teach.
    _fixed, careless = careless_teachers(year)
    candidates = [a for a in assignments if a.teacher.username not in FIXED_USERNAMES and lessons[a.pk]]
    candidates = [a for a in candidates if a.teacher_id in careless] or candidates
    skipped = {a.pk for a in rng.sample(candidates, min(WITHOUT_PLAN, len(candidates)))}

    zone = zoneinfo.ZoneInfo(year.school.time_zone)
    written = dt.datetime.combine(year.start_date - dt.timedelta(days=4), dt.time(11, 0), tzinfo=zone)
    topics: list[PlanTopic] = []
    for assignment in assignments:
        count = len(lessons[assignment.pk])
        if assignment.pk in skipped or not count:
            continue
        for order, (section, title, hours, homework, kind) in enumerate(
            _lines(assignment.subject.name, count, rng), start=1
        ):
            topics.append(
                PlanTopic(
                    assignment=assignment,
                    order=order,
                    section=section,
                    title=title,
                    hours=hours,
                    homework=homework,
                    work_type_id=kinds.get(kind),
                )
            )
    PlanTopic.objects.bulk_create(topics, batch_size=2000)
    history = PlanTopic.history.model
    PlanTopic.history.model.objects.bulk_create(
        [
            history(
                **{f.attname: getattr(topic, f.attname) for f in topic._meta.concrete_fields},
                history_date=written,
                history_type="+",
                history_user_id=topic.assignment.teacher_id,
            )
            for topic in topics
        ],
        batch_size=2000,
    )
    # Each line takes as many lessons in a row as it has hours (plan_apply_topics' rule).
    by_topic: dict[int, list[int]] = defaultdict(list)
    slots: dict[int, list[int]] = defaultdict(list)
    for topic in topics:
        slots[topic.assignment_id].extend([topic.pk] * topic.hours)
    for assignment_id, topic_ids in slots.items():
        for lesson_id, topic_id in zip(lessons[assignment_id], topic_ids, strict=False):
            by_topic[topic_id].append(lesson_id)
    for topic_id, pks in by_topic.items():
        for start in range(0, len(pks), 900):
            Lesson.objects.filter(pk__in=pks[start : start + 900]).update(plan_topic_id=topic_id)
    return {"plans": len(slots), "plan_topics": len(topics), "without_plan": len(skipped)}
