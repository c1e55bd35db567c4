"""Demo journal entries for the lessons already held: topics, homework, marks and absences.

Written in bulk straight into the tables (as the rest of the demo seed is): the rules of the services hold for
what it writes — marks only for pupils on the roll that day and present, up to two per lesson, values of the
subject's scale, kinds of work of the school — and nothing is written for future lessons.
"""

import datetime as dt
import random
from collections import defaultdict

from accounts.models import User
from journal.models import (
    Attendance,
    AttendanceCode,
    CurriculumEntry,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    SchoolYear,
    Subgroup,
)
from journal.services.work_types import work_types_ensure

SEED = 20261122

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


def seed_journal(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Fill the lessons held before ``today`` with topics, homework, marks and absences; returns row counts."""
    rng = random.Random(SEED)
    kinds = {w.name: w for w in work_types_ensure(year.school)}
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
        .select_related("assignment__subject")
        .order_by("assignment_id", "date", "number")
    )
    by_assignment: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_assignment[lesson.assignment_id].append(lesson)

    marks, absences, homework, updated = [], [], [], []
    for _assignment_id, series in by_assignment.items():
        assignment = series[0].assignment
        topics = _topics(assignment.subject.name)
        scale_pass_fail = (assignment.school_class_id, assignment.subject_id) in pass_fail
        for index, lesson in enumerate(series):
            topic = topics[min(index // 4, len(topics) - 1)]
            is_control = index % 8 == 7
            lesson.topic = f"Контрольная работа по теме «{topic}»" if is_control else topic
            lesson.is_control = is_control
            lesson.work_type = control if is_control else oral
            updated.append(lesson)
            if not is_control and index % 2 == 0:
                homework.append(
                    Homework(
                        lesson=lesson,
                        text=rng.choice(HOMEWORK).format(n=index // 2 + 1, m=rng.randint(10, 300), k=rng.randint(2, 9)),
                        updated_by=actor,
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
                    absences.append(Attendance(lesson=lesson, pupil_id=pupil_id, code=code, updated_by=actor))
                    continue
                if rng.random() < 0.01:
                    absences.append(
                        Attendance(lesson=lesson, pupil_id=pupil_id, code=AttendanceCode.LATE, updated_by=actor)
                    )
                if not (is_control or rng.random() < 0.22):
                    continue
                level = ability.setdefault(pupil_id, rng.uniform(3.0, 4.9))
                if scale_pass_fail:
                    value = "зч" if rng.random() < 0.95 else "нз"
                else:
                    value = str(max(2, min(5, round(rng.gauss(level, 0.7)))))
                kind = control if is_control else rng.choice([oral, oral, oral, test, homework_kind])
                marks.append(Mark(lesson=lesson, pupil_id=pupil_id, value=value, work_type=kind, updated_by=actor))
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
    Homework.objects.bulk_create(homework, batch_size=2000)
    Attendance.objects.bulk_create(absences, batch_size=2000)
    Mark.objects.bulk_create(marks, batch_size=2000)
    return {"lessons": len(updated), "marks": len(marks), "absences": len(absences), "homework": len(homework)}
