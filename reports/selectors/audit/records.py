"""The lesson records the journal must have [000 §7.2, 002 §4.4.1]: a topic for every lesson held, and homework
where the subject sets it.

A lesson is due once its record's deadline has passed (24:00 of the lesson day plus the school's grace days,
``AuditSettings.record_grace_days``): today's lessons are not lapses yet.

Attendance is part of the lesson record: the teacher «отмечает посещаемость» [002 §4.4.2] and enters the absent
pupils on the lesson's day [003 §2.5], by 24:00 [002 §4.4.1]. The journal records absences and lateness only
(``Attendance`` rows with a code), so a lesson where everybody came has no row, like a lesson where nobody took the
register; ``Lesson.attendance_taken_at`` tells them apart (stamped when a code is entered or the teacher confirms
«все присутствуют»). A due lesson (the topic's deadline) with neither the stamp nor a code is «не отмечена
посещаемость».

Homework is due by the next day (the lesson day's lessons plus 1.5 h are over), so lessons before today count.

Which lessons expect homework: those of an assignment whose class is in grade 2 or above (no homework in the first
grade, СанПиН 1.2.3685-21) and whose subject is not one of the subjects that give none — physical education, music,
art, technology (труд), ОБЖ/ОБЗР and the like, recognized by name (``NO_HOMEWORK_SUBJECTS``).
"""

import datetime as dt

from journal.models import Lesson, TeachingAssignment

from .base import RECORDS, AuditContext, Check, Finding, register

# Word stems of subject names that give no homework (lower case; a word of the subject's name or short name starting
# with one), and phrases (found anywhere in the name).
NO_HOMEWORK_STEMS = ("физкульт", "физическ", "музык", "изо", "изобраз", "технолог", "труд", "обж", "обзр", "ритмик")
NO_HOMEWORK_PHRASES = ("основы безопасности", "разговоры о важном", "хореограф")


def subject_sets_homework(assignment: TeachingAssignment) -> bool:
    """Whether lessons of the assignment expect homework (see the module docstring)."""
    if assignment.school_class.grade < 2:
        return False
    for name in (assignment.subject.name.lower(), (assignment.subject.short_name or "").lower()):
        if any(phrase in name for phrase in NO_HOMEWORK_PHRASES):
            return False
        words = "".join(char if char.isalnum() else " " for char in name).split()
        if any(word.startswith(stem) for word in words for stem in NO_HOMEWORK_STEMS):
            return False
    return True


def due_lessons(ctx: AuditContext) -> list[Lesson]:
    """The audited lessons whose record is due: the lesson day plus the grace days are over by today."""
    grace = dt.timedelta(days=ctx.rules.record_grace_days)
    return [lesson for lesson in ctx.lessons if lesson.date + grace < ctx.today]


def lessons_without_topic(ctx: AuditContext) -> list[Finding]:
    return [
        ctx.lesson_finding("no_topic", lesson, "нет темы урока")
        for lesson in due_lessons(ctx)
        if not lesson.topic.strip()
    ]


def lessons_without_attendance(ctx: AuditContext) -> list[Finding]:
    lessons = [lesson for lesson in due_lessons(ctx) if lesson.attendance_taken_at is None]
    if not lessons:
        return []
    with_codes = ctx.lessons_with_attendance
    return [
        ctx.lesson_finding("no_attendance", lesson, "не отмечена посещаемость")
        for lesson in lessons
        if lesson.id not in with_codes
    ]


def lessons_without_homework(ctx: AuditContext) -> list[Finding]:
    lessons = [lesson for lesson in ctx.lessons if lesson.date < ctx.today]  # due 1.5 h after the day's lessons
    if not lessons:
        return []
    expects = {pk: subject_sets_homework(assignment) for pk, assignment in ctx.assignment_by_id.items()}
    with_homework = ctx.lessons_with_homework
    return [
        ctx.lesson_finding("no_homework", lesson, "не задано домашнее задание")
        for lesson in lessons
        if expects.get(lesson.assignment_id) and lesson.id not in with_homework
    ]


register(
    Check(
        slug="no_topic",
        title="Без темы",
        group=RECORDS,
        clause="002 §4.4.1",
        run=lessons_without_topic,
        description="Проведённый урок без темы после срока внесения записи (24:00 дня урока).",
        weight=2,
        remark=True,
    )
)
register(
    Check(
        slug="no_homework",
        title="Без д/з",
        group=RECORDS,
        clause="003 §2.8",
        run=lessons_without_homework,
        description=(
            "Проведённый урок без домашнего задания по предмету, где оно задаётся "
            "(кроме 1 класса, физкультуры, музыки, ИЗО, технологии, ОБЖ)."
        ),
        remark=True,
    )
)
register(
    Check(
        slug="no_attendance",
        title="Без посещаемости",
        group=RECORDS,
        clause="002 §4.4.1–4.4.2, 003 §2.5",
        run=lessons_without_attendance,
        description=(
            "Проведённый урок, где после срока внесения записи (24:00 дня урока) не отмечена посещаемость: "
            "нет ни пропусков, ни отметки «все присутствуют»."
        ),
        weight=2,
        remark=True,
    )
)
