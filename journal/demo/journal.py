"""Demo journal entries for the lessons already held: topics, homework, marks and absences.

Written in bulk straight into the tables (as the rest of the demo seed is): the rules of the services hold for
what it writes — marks only for pupils on the roll that day and present, up to two per lesson, values of the
subject's scale, kinds of work of the school — and nothing is written for future lessons.

The journal is kept as a careful teacher keeps it: every lesson held has its topic (the КТП's line), the register
taken, homework where the subject sets it (``lapses.sets_homework``), and marks the teacher spreads over the class —
at each lesson they ask the pupils with the fewest marks in the study period, those who waited longest first, about
every ``MARK_EVERY`` lessons by the subject's hours, so nobody goes without marks for long (the audit's
накопляемость); at a control work every pupil present is marked. The lapses the deputy's audit should find are
planted on purpose, on three careless teachers in the last four weeks (``journal.demo.lapses``); one pupil is ill
for the last four weeks of the first quarter (``_long_illness``: «не аттестован», journal.demo.period_marks).

The timestamps are what a school's would be, because «Что нового», the cell's history and the audit's lateness
checks read them: each record is written by the lesson's teacher (the substitute for a replaced lesson) on the
lesson day — the register taken at the start of the lesson (``Lesson.attendance_taken_at``) with the absences, the
record saved (``Lesson.recorded_at``) and homework written at its end [003 §2.8], marks at the end or that evening,
a few in the next days, always before the next lesson of the subject begins [003 §2.6] — with its history row ("+")
at that moment. A few marks are corrected later by their teacher and a few absences get their reason from the class
teacher when the document comes [003 §2.9]: those have a second history row ("~") and the old value stays in the
first. Nothing is dated after the moment of the seed.
"""

import bisect
import datetime as dt
import random
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from journal.choices import PeriodKind
from journal.models import (
    Attendance,
    AttendanceCode,
    Bell,
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Homework,
    Lesson,
    Mark,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subgroup,
)
from journal.services.work_types import work_types_ensure

from ..selectors.sql import light
from .bulk import insert_rows
from .lapses import CONTROL_UNMARKED, choose_lapses, sets_homework

SEED = 20261122
CLOCK_SEED = SEED + 1  # the timestamps draw from their own generator: the marks themselves stay as they were
LATE_MARKS = 0.08  # marks entered in the next days rather than on the lesson day
CORRECTED_MARKS = 0.01  # marks their teacher corrected later
REASON_LATER = 0.3  # absences through illness or with an excuse first marked «н», the reason set when the note came
# A pupil is marked about every this many lessons, by the subject's hours a week (more hours: more lessons between
# a pupil's marks, still one or two a week): the teacher asks those with the fewest marks in the study period, then
# those who have waited longest. A subject of an hour a week marks most of the class each lesson (drawings, songs,
# practical work), so that everyone has two marks after its first three lessons of a period.
MARK_EVERY = {1: 1.25, 2: 1.5, 3: 2.5, 4: 3.0, 5: 3.5}
LONG_ILLNESS_DAYS = 28  # the pupil ill at the end of the first quarter (``_long_illness``)

TOPICS: dict[str, list[str]] = {
    "Русский язык": [
        "Повторение изученного в начальных классах",
        "Орфограммы в корне слова",
        "Морфемика и словообразование",
        "Имя существительное как часть речи",
        "Правописание падежных окончаний",
        "Имя прилагательное",
        "Глагол: спряжение и время",
        "Синтаксис и пунктуация простого предложения",
    ],
    "Литература": [
        "Устное народное творчество",
        "А. С. Пушкин. Лирика",
        "М. Ю. Лермонтов. «Бородино»",
        "Н. В. Гоголь. «Вечера на хуторе близ Диканьки»",
        "И. С. Тургенев. «Муму»",
        "Н. А. Некрасов. Стихотворения",
        "Л. Н. Толстой. «Кавказский пленник»",
    ],
    "Математика": [
        "Натуральные числа и действия с ними",
        "Делимость чисел",
        "Обыкновенные дроби",
        "Сложение и вычитание дробей",
        "Десятичные дроби",
        "Проценты",
        "Решение текстовых задач",
    ],
    "Алгебра": [
        "Выражения и их преобразования",
        "Линейное уравнение с одной переменной",
        "Функции и их графики",
        "Линейная функция",
        "Степень с натуральным показателем",
        "Одночлены и многочлены",
        "Формулы сокращённого умножения",
    ],
    "Геометрия": [
        "Начальные геометрические сведения",
        "Треугольники. Признаки равенства",
        "Параллельные прямые",
        "Соотношения между сторонами и углами треугольника",
        "Окружность",
    ],
    "Физика": [
        "Физика и физические методы изучения природы",
        "Строение вещества",
        "Механическое движение",
        "Плотность вещества",
        "Сила. Сила тяжести",
        "Давление твёрдых тел, жидкостей и газов",
    ],
    "История": [
        "Первобытность",
        "Древний Египет",
        "Древняя Греция",
        "Древний Рим",
        "Русь в IX — начале XII века",
        "Русские земли в XIII–XIV веках",
    ],
    "Биология": ["Клеточное строение организмов", "Ткани растений", "Строение цветка", "Корень и побег"],
    "География": ["Земля во Вселенной", "План и карта", "Литосфера", "Гидросфера", "Атмосфера"],
    "Иностранный язык (английский)": [
        "Me and my family",
        "School life",
        "Free time and hobbies",
        "Travelling",
        "The world around us",
    ],
}
GENERIC_TOPICS = ["Введение", "Основные понятия", "Практикум", "Обобщение и систематизация знаний"]
HOMEWORK = [
    "§ {n}, вопросы 1–3",
    "§ {n}, упр. {m}",
    "№ {m}, {k} (учебник)",
    "Выучить правило, § {n}",
    "Повторить § {n}",
]


def _topics(subject: str) -> list[str]:
    return TOPICS.get(subject, GENERIC_TOPICS)


@contextmanager
def _own_timestamps(*models) -> Iterator[None]:
    """Let bulk_create keep the ``updated_at`` each row was given (auto_now would stamp the moment of the seed)."""
    fields = [model._meta.get_field("updated_at") for model in models]
    for field in fields:
        field.auto_now = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now = True


class _Clock:
    """When each record of the demo was written (aware datetimes in the school's zone, never after ``now``)."""

    def __init__(self, year: SchoolYear, now: dt.datetime) -> None:
        self.rng = random.Random(CLOCK_SEED)
        self.zone = zoneinfo.ZoneInfo(year.school.time_zone)
        self.now = now
        self.bells = {
            number: (start, end)
            for number, start, end in Bell.objects.filter(year=year).values_list("number", "start_time", "end_time")
        }

    def lesson(self, lesson: Lesson) -> tuple[dt.datetime, dt.datetime]:
        start, end = self.bells.get(lesson.number, (dt.time(8 + lesson.number, 0), dt.time(8 + lesson.number, 45)))
        return (
            dt.datetime.combine(lesson.date, start, tzinfo=self.zone),
            dt.datetime.combine(lesson.date, end, tzinfo=self.zone),
        )

    def cap(self, moment: dt.datetime) -> dt.datetime:
        return min(moment, self.now - dt.timedelta(minutes=1))

    def minutes(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(minutes=self.rng.randint(low, high))

    def days_later(self, day: dt.date, low: int, high: int, hours: tuple[int, int]) -> dt.datetime:
        later = day + dt.timedelta(days=self.rng.randint(low, high))
        return dt.datetime.combine(later, dt.time(self.rng.randint(*hours), self.rng.randint(0, 59)), tzinfo=self.zone)

    def mark(self, lesson: Lesson, due: dt.datetime | None) -> dt.datetime:
        """When a mark of the lesson was written: at its end or that evening, now and then in the next days — but
        before the next lesson of the subject begins (``due``), as the rule is [003 §2.6]."""
        _start, end = self.lesson(lesson)
        if self.rng.random() < LATE_MARKS:  # checked notebooks, a test marked at home
            moment = self.days_later(lesson.date, 1, 3, (15, 21))
        else:
            moment = end + self.minutes(-8, 150)
        if due is not None and moment >= due:  # the evening before the next lesson's day, or in the break
            before = due.date() - dt.timedelta(days=1)
            evening = dt.datetime.combine(before, dt.time(self.rng.randint(18, 21), self.rng.randint(0, 59)), self.zone)
            moment = evening if end < evening < due else max(end - dt.timedelta(minutes=8), due - self.minutes(1, 5))
        return self.cap(moment)

    def evening(self, day: dt.date, hours: tuple[int, int]) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.rng.randint(*hours), self.rng.randint(0, 59)), tzinfo=self.zone)


def _corrected(rng: random.Random, value: str) -> str:
    """The value a corrected mark had before: one step away on its scale."""
    if value in ("зч", "нз"):
        return "нз" if value == "зч" else "зч"
    number = int(value)
    return str(number - 1 if number == 5 or (number > 2 and rng.random() < 0.5) else number + 1)


def _history(historical, row, *, kind: str, at: dt.datetime, by: int, **values):
    """A history row of ``row`` as simple_history writes it, dated ``at`` (``historical``: ``Model.history.model``,
    resolved once by the caller — resolving the manager per row took a third of the demo's seed)."""
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    fields.update(values, updated_at=at, updated_by_id=by, history_date=at, history_type=kind, history_user_id=by)
    return light(historical, **fields)


TODAY_UNRECORDED = 0.12


def _ended_today(year: SchoolYear, today: dt.date) -> list[int]:
    """The numbers of today's lessons whose bell has rung by now (in the school's time zone)."""
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(year.school.time_zone))
    if now.date() != today:
        return []
    return list(Bell.objects.filter(year=year, end_time__lte=now.time()).values_list("number", flat=True))


def seed_journal(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Fill the lessons held before ``today`` (and today's, once their bell has rung) with topics, homework, marks and absences; returns row counts.

    ``actor`` runs the seed; the records are written by the lessons' teachers (see the module docstring), with the
    lapses of a few careless teachers (``journal.demo.lapses``)."""
    rng = random.Random(SEED)
    kinds = {w.name: w for w in work_types_ensure(year.school)}
    work_types = {w.pk: w for w in kinds.values()}
    oral, test, control, homework_kind = (
        kinds["устный ответ"],
        kinds["самостоятельная работа"],
        kinds["контрольная работа"],
        kinds["домашняя работа"],
    )
    pass_fail = set(
        CurriculumEntry.objects.filter(school_class__year=year, is_pass_fail=True).values_list(
            "school_class_id", "subject_id"
        )
    )
    roster: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for class_id, pupil_id, date_from, date_to in Enrollment.objects.filter(school_class__year=year).values_list(
        "school_class_id", "pupil_id", "date_from", "date_to"
    ):
        roster[class_id].append((pupil_id, date_from, date_to))
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(subgroup__school_class__year=year).values_list(
        "subgroup_id", "pupilprofile_id"
    ):
        members[subgroup_id].add(pupil_id)
    ability = {}  # a pupil's usual level, so averages differ believably

    lessons = list(
        Lesson.objects.filter(Q(date__lt=today) | Q(date=today, number__in=_ended_today(year, today)))
        .filter(assignment__year=year)
        .select_related("assignment__subject", "assignment__school_class", "plan_topic")
        .order_by("assignment_id", "date", "number")
    )
    # Today's lessons over by now are held as well, all but about one in eight: still unrecorded (the deputy's
    # dashboard lists them).
    skip_today = random.Random(SEED + 1)
    lessons = [lesson for lesson in lessons if lesson.date < today or skip_today.random() >= TODAY_UNRECORDED]
    held = {lesson.pk for lesson in lessons}
    by_assignment: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_assignment[lesson.assignment_id].append(lesson)
    # The next lesson of each assignment from today on: its last held lesson's marks are due by its start.
    upcoming: dict[int, Lesson] = {}
    for lesson in Lesson.objects.filter(
        assignment__year=year, date__gte=today, date__lt=today + dt.timedelta(days=21)
    ).order_by("-date", "-number"):
        if lesson.pk not in held:
            upcoming[lesson.assignment_id] = lesson

    def on_roll(assignment, day: dt.date) -> list[int]:
        return [
            pupil_id
            for pupil_id, date_from, date_to in roster[assignment.school_class_id]
            if date_from <= day
            and (date_to is None or day <= date_to)
            and (assignment.subgroup_id is None or pupil_id in members[assignment.subgroup_id])
        ]

    # The records as planned: the КТП's line (journal.demo.plan), else the subject's topics with a control work
    # every eighth lesson. No draws: the lapses are chosen among these lessons before the rest is written.
    for series in by_assignment.values():
        topics = _topics(series[0].assignment.subject.name)
        for index, lesson in enumerate(series):
            planned = lesson.plan_topic
            if planned is not None:
                kind = work_types.get(planned.work_type_id, oral)
                lesson.topic, lesson.work_type, lesson.is_control = planned.title, kind, kind.is_control
            else:
                topic = topics[min(index // 4, len(topics) - 1)]
                is_control = index % 8 == 7
                lesson.topic = f"Контрольная работа по теме «{topic}»" if is_control else topic
                lesson.work_type, lesson.is_control = (control if is_control else oral), is_control
    lapses = choose_lapses(
        year=year,
        today=today,
        series=by_assignment,
        roster={pk: on_roll(series[0].assignment, today) for pk, series in by_assignment.items()},
    )
    ill = _long_illness(year, roster)
    scheme = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))
    period_starts: dict[str, list[dt.date]] = defaultdict(list)
    for kind, start in StudyPeriod.objects.filter(year=year).order_by("start_date").values_list("kind", "start_date"):
        period_starts[kind].append(start)

    clock = _Clock(year, timezone.now())
    class_teachers = dict(SchoolClass.objects.filter(year=year).values_list("pk", "class_teacher_id"))
    marks, absences, homework, updated = [], [], [], []
    stamps: dict[tuple[dt.datetime | None, dt.datetime | None], list[int]] = defaultdict(list)
    for series in by_assignment.values():
        assignment = series[0].assignment
        scale_pass_fail = (assignment.school_class_id, assignment.subject_id) in pass_fail
        gives_homework = sets_homework(assignment)
        every = _mark_every(assignment.hours_per_week)
        last_marked: dict[int, float] = {}  # pupil → the lesson (index) of their last mark: who waits longest
        starts = period_starts[scheme.get(assignment.school_class.grade, PeriodKind.QUARTER)]
        period, in_period = None, Counter()  # the study period's marks so far: the fewest are asked first
        for index, lesson in enumerate(series):
            if bisect.bisect_right(starts, lesson.date) != period:
                period, in_period = bisect.bisect_right(starts, lesson.date), Counter()
            planned, is_control = lesson.plan_topic, lesson.is_control
            if lapses.has("no_topic", lesson):  # marks and absences from the grid, the record never saved
                lesson.topic, lesson.work_type = "", None
            updated.append(lesson)
            writer = lesson.taught_by_id or assignment.teacher_id
            began, ended = clock.lesson(lesson)
            following = series[index + 1] if index + 1 < len(series) else upcoming.get(assignment.pk)
            due = clock.lesson(following)[0] if following is not None else None
            recorded = None if lapses.has("no_topic", lesson) else ended - dt.timedelta(minutes=5)
            if lapses.has("late_record", lesson):
                recorded = clock.evening(lesson.date + dt.timedelta(days=1), (17, 22))
            untaken = lapses.has("no_attendance", lesson)  # nobody took the register
            stamps[(recorded, None if untaken else began + dt.timedelta(minutes=3))].append(lesson.pk)
            text = rng.choice(HOMEWORK).format(n=index // 2 + 1, m=rng.randint(10, 300), k=rng.randint(2, 9))
            if gives_homework and lesson.topic and not lapses.has("no_homework", lesson):
                written = clock.cap(ended - clock.minutes(1, 10))
                if lapses.has("late_homework", lesson):  # entered at home, late in the evening
                    written = clock.cap(clock.evening(lesson.date, (21, 23)))
                homework.append(
                    Homework(
                        lesson=lesson,
                        text=planned.homework if planned is not None and planned.homework else text,
                        updated_by_id=writer,
                        updated_at=written,
                    )
                )
            present = []
            for pupil_id in on_roll(assignment, lesson.date):
                if ill is not None and pupil_id == ill[0] and ill[1] <= lesson.date <= ill[2]:
                    absences.append(_absence(clock, lesson, pupil_id, AttendanceCode.ILL, writer, began, {}))
                    continue
                if rng.random() < 0.04:
                    code = rng.choice(
                        [AttendanceCode.ILL, AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.ABSENT]
                    )
                    if not untaken:
                        absences.append(_absence(clock, lesson, pupil_id, code, writer, began, class_teachers))
                    continue
                if rng.random() < 0.01 and not untaken:
                    absences.append(_absence(clock, lesson, pupil_id, AttendanceCode.LATE, writer, began, {}))
                present.append(pupil_id)
            if is_control:  # everybody present writes it and is marked [001 §3.2.4]
                chosen = present[CONTROL_UNMARKED:] if lesson.pk == lapses.control_unmarked else present
            else:  # the teacher asks those who have waited longest, so every pupil is marked every few lessons
                count = int(len(present) / every + rng.random())
                waiting = {pupil_id: last_marked.get(pupil_id, -rng.random() * every) for pupil_id in present}
                candidates = [pupil_id for pupil_id in present if not lapses.neglects(lesson, pupil_id)]
                # Overdue first (not asked for more than ``every`` lessons), then the fewest marks in the period.
                candidates.sort(
                    key=lambda pupil_id: (
                        index - waiting[pupil_id] <= every,
                        in_period[pupil_id],
                        waiting[pupil_id] + rng.random() * 0.5,
                    )
                )
                asked = set(candidates[:count])
                chosen = [pupil_id for pupil_id in present if pupil_id in asked]
            late = None
            if lapses.has("late_marks", lesson) and due is not None:
                late = clock.cap(due + clock.minutes(60, 240))
            for pupil_id in chosen:
                last_marked[pupil_id] = index
                in_period[pupil_id] += 1
                level = ability.setdefault(pupil_id, rng.uniform(3.0, 4.9))
                if scale_pass_fail:
                    value = "зч" if rng.random() < 0.95 else "нз"
                else:
                    value = str(max(2, min(5, round(rng.gauss(level, 0.7)))))
                kind = lesson.work_type if is_control else rng.choice([oral, oral, oral, test, homework_kind])
                marks.append(_mark(clock, lesson, pupil_id, value, kind, writer, due=due, at=late))
    # Grouped updates: bulk_update's CASE expressions are far slower for thousands of rows.
    by_record: dict[tuple, list[int]] = defaultdict(list)
    for lesson in updated:
        by_record[(lesson.topic, lesson.is_control, lesson.work_type_id)].append(lesson.pk)
    for (topic, is_control, work_type_id), pks in by_record.items():
        for start in range(0, len(pks), 900):
            Lesson.objects.filter(pk__in=pks[start : start + 900]).update(
                topic=topic, is_control=is_control, work_type_id=work_type_id
            )
    # The record saved at the end of the lesson, the register taken at its start (one update per lesson slot).
    for (recorded, taken), pks in stamps.items():
        for start in range(0, len(pks), 900):
            Lesson.objects.filter(pk__in=pks[start : start + 900]).update(
                recorded_at=recorded, attendance_taken_at=taken
            )
    insert_rows(Homework, homework)  # the rows as built, with their own updated_at (journal.demo.bulk)
    insert_rows(Attendance, [row for row, _changes in absences])
    insert_rows(Mark, [row for row, _changes in marks])
    histories: dict[type, list] = {Mark: [], Attendance: [], Homework: []}
    historical = {model: model.history.model for model in histories}
    for row in homework:
        histories[Homework].append(
            _history(historical[Homework], row, kind="+", at=row.updated_at, by=row.updated_by_id)
        )
    for model, rows in ((Attendance, absences), (Mark, marks)):
        for row, changes in rows:
            for kind, at, by, values in changes:
                histories[model].append(_history(historical[model], row, kind=kind, at=at, by=by, **values))
    for model, rows in histories.items():
        insert_rows(historical[model], rows)
    return {
        "lessons": len(updated),
        "marks": len(marks),
        "absences": len(absences),
        "homework": len(homework),
        "corrected": sum(len(changes) > 1 for _row, changes in marks + absences),
        "lapses": sum(len(pks) for pks in lapses.lessons.values()),
    }


def _mark_every(hours) -> float:
    """A pupil is marked about every this many lessons of a subject of ``hours`` a week (``MARK_EVERY``)."""
    whole = round(float(hours or 1))
    return MARK_EVERY.get(whole, MARK_EVERY[max(MARK_EVERY)] if whole > max(MARK_EVERY) else MARK_EVERY[1])


def _long_illness(year: SchoolYear, roster: dict) -> tuple[int, dt.date, dt.date] | None:
    """The demo's pupil ill for the last ``LONG_ILLNESS_DAYS`` of the first quarter (a pupil of the first class of
    grade 6): too few marks in a subject of an hour a week, so «не аттестован» (journal.demo.period_marks)."""
    quarter = StudyPeriod.objects.filter(year=year, kind=PeriodKind.QUARTER, number=1).first()
    school_class = SchoolClass.objects.filter(year=year, grade=6).order_by("letter", "pk").first()
    if quarter is None or school_class is None:
        return None
    pupils = sorted(pupil_id for pupil_id, date_from, _to in roster[school_class.pk] if date_from <= year.start_date)
    if len(pupils) < 3:
        return None
    return pupils[2], quarter.end_date - dt.timedelta(days=LONG_ILLNESS_DAYS - 1), quarter.end_date


# A row and its history as (kind, when, by whom, the values it had then), oldest first; the row holds the last.
Written = tuple[Mark | Attendance, list[tuple[str, dt.datetime, int, dict]]]


def _mark(
    clock: _Clock,
    lesson: Lesson,
    pupil_id: int,
    value: str,
    kind,
    writer: int,
    *,
    due: dt.datetime | None,
    at: dt.datetime | None = None,
) -> Written:
    """A mark written by the lesson's teacher before the next lesson (``due``; a careless teacher's later, ``at``);
    now and then corrected by them a day or three later."""
    written = at or clock.mark(lesson, due)
    changes = [("+", written, writer, {})]
    if clock.rng.random() < CORRECTED_MARKS:
        corrected = clock.days_later(written.astimezone(clock.zone).date(), 1, 3, (9, 18))
        if corrected < clock.now:
            changes = [("+", written, writer, {"value": _corrected(clock.rng, value)}), ("~", corrected, writer, {})]
    last = changes[-1]
    mark = light(
        Mark,
        **{
            "lesson_id": lesson.pk,
            "pupil_id": pupil_id,
            "value": value,
            "work_type_id": kind.pk if kind is not None else None,
            "updated_by_id": writer,
            "updated_at": last[1],
        },
    )
    return mark, changes


def _absence(
    clock: _Clock,
    lesson: Lesson,
    pupil_id: int,
    code: str,
    writer: int,
    began: dt.datetime,
    class_teachers: dict[int, int | None],
) -> Written:
    """An absence marked at the start of the lesson; an illness or an excuse often first as «н», the reason set by
    the class teacher when the note came (a few days later)."""
    written = clock.cap(began + clock.minutes(2, 10))
    changes = [("+", written, writer, {})]
    teacher = class_teachers.get(lesson.assignment.school_class_id)
    if code in (AttendanceCode.ILL, AttendanceCode.EXCUSED) and teacher and clock.rng.random() < REASON_LATER:
        noted = clock.days_later(lesson.date, 1, 5, (8, 16))
        if noted < clock.now:
            changes = [("+", written, writer, {"code": AttendanceCode.ABSENT}), ("~", noted, teacher, {})]
    last = changes[-1]
    row = light(
        Attendance,
        **{"lesson_id": lesson.pk, "pupil_id": pupil_id, "code": code, "updated_by_id": last[2], "updated_at": last[1]},
    )
    return row, changes
