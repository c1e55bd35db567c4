"""Demo journal entries for the lessons already held: topics, homework, marks and absences.

Written in bulk straight into the tables (as the rest of the demo seed is): the rules of the services hold for
what it writes — marks only for pupils on the roll that day and present, up to two per lesson, values of the
subject's scale, kinds of work of the school — and nothing is written for future lessons.

The timestamps are what a school's would be, because «Что нового» and the cell's history read them: each record
is written by the lesson's teacher (the substitute for a replaced lesson) on the lesson day — absences at the start
of the lesson, homework at its end [003 §2.8], marks at the end or that evening, a few in the next days (within
the 10-working-day deadline [000 §5.3]) — with its history row ("+") at that moment. A few marks are corrected
later by their teacher and a few absences get their reason from the class teacher when the document comes
[003 §2.9]: those have a second history row ("~") and the old value stays in the first. Nothing is dated after
the moment of the seed.
"""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from accounts.models import User
from journal.models import (
    Attendance,
    AttendanceCode,
    Bell,
    CurriculumEntry,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    SchoolClass,
    SchoolYear,
    Subgroup,
)
from journal.services.work_types import work_types_ensure

SEED = 20261122
CLOCK_SEED = SEED + 1  # the timestamps draw from their own generator: the marks themselves stay as they were
LATE_MARKS = 0.08  # marks entered in the next days rather than on the lesson day
CORRECTED_MARKS = 0.01  # marks their teacher corrected later
REASON_LATER = 0.3  # absences through illness or with an excuse first marked «н», the reason set when the note came

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

    def mark(self, lesson: Lesson) -> dt.datetime:
        _start, end = self.lesson(lesson)
        if self.rng.random() < LATE_MARKS:  # checked notebooks, a test marked at home
            return self.cap(self.days_later(lesson.date, 1, 3, (15, 21)))
        return self.cap(end + self.minutes(-8, 150))


def _corrected(rng: random.Random, value: str) -> str:
    """The value a corrected mark had before: one step away on its scale."""
    if value in ("зч", "нз"):
        return "нз" if value == "зч" else "зч"
    number = int(value)
    return str(number - 1 if number == 5 or (number > 2 and rng.random() < 0.5) else number + 1)


def _history(model, row, *, kind: str, at: dt.datetime, by: int, **values):
    """A history row of ``row`` as simple_history writes it, dated ``at``."""
    fields = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
    fields.update(values, updated_at=at, updated_by_id=by)
    return model.history.model(**fields, history_date=at, history_type=kind, history_user_id=by)


def seed_journal(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Fill the lessons held before ``today`` with topics, homework, marks and absences; returns row counts.

    ``actor`` runs the seed; the records are written by the lessons' teachers (see the module docstring)."""
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
        Lesson.objects.filter(assignment__year=year, date__lt=today)
        .select_related("assignment__subject", "plan_topic")
        .order_by("assignment_id", "date", "number")
    )
    by_assignment: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_assignment[lesson.assignment_id].append(lesson)

    clock = _Clock(year, timezone.now())
    class_teachers = dict(SchoolClass.objects.filter(year=year).values_list("pk", "class_teacher_id"))
    marks, absences, homework, updated = [], [], [], []
    histories: dict[type, list] = {Mark: [], Attendance: [], Homework: []}
    for _assignment_id, series in by_assignment.items():
        assignment = series[0].assignment
        topics = _topics(assignment.subject.name)
        scale_pass_fail = (assignment.school_class_id, assignment.subject_id) in pass_fail
        for index, lesson in enumerate(series):
            planned = lesson.plan_topic  # the demo's КТП (journal.demo.plan): the lesson is recorded as planned
            if planned is not None:
                kind = work_types.get(planned.work_type_id, oral)
                is_control = kind.is_control
                lesson.topic = planned.title
                lesson.work_type = kind
            else:
                topic = topics[min(index // 4, len(topics) - 1)]
                is_control = index % 8 == 7
                lesson.topic = f"Контрольная работа по теме «{topic}»" if is_control else topic
                lesson.work_type = control if is_control else oral
            lesson.is_control = is_control
            updated.append(lesson)
            writer = lesson.taught_by_id or assignment.teacher_id
            began, ended = clock.lesson(lesson)
            if not is_control and index % 2 == 0:
                written = clock.cap(ended - clock.minutes(1, 10))
                text = rng.choice(HOMEWORK).format(n=index // 2 + 1, m=rng.randint(10, 300), k=rng.randint(2, 9))
                homework.append(
                    Homework(
                        lesson=lesson,
                        text=planned.homework if planned is not None and planned.homework else text,
                        updated_by_id=writer,
                        updated_at=written,
                    )
                )
            pupils = [
                pupil_id
                for pupil_id, date_from, date_to in roster[assignment.school_class_id]
                if date_from <= lesson.date
                and (date_to is None or lesson.date <= date_to)
                and (assignment.subgroup_id is None or pupil_id in members[assignment.subgroup_id])
            ]
            for pupil_id in pupils:
                if rng.random() < 0.04:
                    code = rng.choice(
                        [AttendanceCode.ILL, AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.ABSENT]
                    )
                    absences.append(_absence(clock, lesson, pupil_id, code, writer, began, class_teachers))
                    continue
                if rng.random() < 0.01:
                    absences.append(_absence(clock, lesson, pupil_id, AttendanceCode.LATE, writer, began, {}))
                if not (is_control or rng.random() < 0.22):
                    continue
                level = ability.setdefault(pupil_id, rng.uniform(3.0, 4.9))
                if scale_pass_fail:
                    value = "зч" if rng.random() < 0.95 else "нз"
                else:
                    value = str(max(2, min(5, round(rng.gauss(level, 0.7)))))
                kind = lesson.work_type if is_control else rng.choice([oral, oral, oral, test, homework_kind])
                marks.append(_mark(clock, lesson, pupil_id, value, kind, writer))
    # Grouped updates: bulk_update's CASE expressions are far slower for thousands of rows.
    by_record: dict[tuple, list[int]] = defaultdict(list)
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for lesson in updated:
        by_record[(lesson.topic, lesson.is_control, lesson.work_type_id)].append(lesson.pk)
        by_date[lesson.date].append(lesson.pk)
    for (topic, is_control, work_type_id), pks in by_record.items():
        for start in range(0, len(pks), 900):
            Lesson.objects.filter(pk__in=pks[start : start + 900]).update(
                topic=topic, is_control=is_control, work_type_id=work_type_id
            )
    for day, pks in by_date.items():
        recorded = dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)
        for start in range(0, len(pks), 900):
            Lesson.objects.filter(pk__in=pks[start : start + 900]).update(recorded_at=recorded)
    with _own_timestamps(Homework, Attendance, Mark):
        Homework.objects.bulk_create(homework, batch_size=2000)
        Attendance.objects.bulk_create([row for row, _changes in absences], batch_size=2000)
        Mark.objects.bulk_create([row for row, _changes in marks], batch_size=2000)
    for row in homework:
        histories[Homework].append(_history(Homework, row, kind="+", at=row.updated_at, by=row.updated_by_id))
    for model, rows in ((Attendance, absences), (Mark, marks)):
        for row, changes in rows:
            for kind, at, by, values in changes:
                histories[model].append(_history(model, row, kind=kind, at=at, by=by, **values))
    for model, rows in histories.items():
        model.history.model.objects.bulk_create(rows, batch_size=2000)
    return {
        "lessons": len(updated),
        "marks": len(marks),
        "absences": len(absences),
        "homework": len(homework),
        "corrected": sum(len(changes) > 1 for _row, changes in marks + absences),
    }


# A row and its history as (kind, when, by whom, the values it had then), oldest first; the row holds the last.
Written = tuple[Mark | Attendance, list[tuple[str, dt.datetime, int, dict]]]


def _mark(clock: _Clock, lesson: Lesson, pupil_id: int, value: str, kind, writer: int) -> Written:
    """A mark written by the lesson's teacher; now and then corrected by them a day or three later."""
    written = clock.mark(lesson)
    changes = [("+", written, writer, {})]
    if clock.rng.random() < CORRECTED_MARKS:
        corrected = clock.days_later(written.astimezone(clock.zone).date(), 1, 3, (9, 18))
        if corrected < clock.now:
            changes = [("+", written, writer, {"value": _corrected(clock.rng, value)}), ("~", corrected, writer, {})]
    last = changes[-1]
    mark = Mark(lesson=lesson, pupil_id=pupil_id, value=value, work_type=kind, updated_by_id=writer, updated_at=last[1])
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
    row = Attendance(lesson=lesson, pupil_id=pupil_id, code=code, updated_by_id=last[2], updated_at=last[1])
    return row, changes
