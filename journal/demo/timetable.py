"""A believable, conflict-free timetable for the demo school (called by ``seed_demo``).

Rooms: a home classroom for each primary class (1st floor), a cabinet for each
subject teacher (2nd and 3rd floors; labs, computer rooms and workshops named
after the subject), gyms for physical education. The bell schedule: seven
45-minute lessons from 8:30 with 10–20-minute breaks. The timetable is built in
memory, one slot (day, lesson) at a time across all classes, so that every class
has its lessons from the first one without gaps, no more than the sanitary rules'
daily maximum, a teacher is never in two places and a room never holds two
lessons; the two subgroups of a split subject sit at the same time in different
rooms. Whatever the sweep cannot place is placed later by moving one blocking
lesson. The result is checked with the same conflict rule the services use
(``slot_conflict``) before it is written in bulk, then the year's lessons are laid out.
"""

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import User
from journal.models import Bell, GradeSettings, Room, SchoolClass, SchoolYear, TeachingAssignment, TimetableEntry
from journal.services.structure import ensure_year_writable
from journal.services.timetable import SlotLesson, bells_set, ensure_timetable_editor, lessons_layout, slot_conflict

SEED = 20260901
LESSONS = 7
FIRST_BELL = dt.time(8, 30)
LESSON_MINUTES = 45
BREAKS = [10, 20, 20, 10, 10, 10]  # after lessons 1..6: the two long breaks are for the school canteen
PE = "Физическая культура"
GYMS = [("Спортзал", 60), ("Малый спортзал", 30), ("Зал ритмики", 30), ("Тренажёрный зал", 25)]
OTHER_ROOMS = [("Актовый зал", 200), ("Библиотека", 30)]
# A teacher whose main subject is one of these gets a named room (the first ones of each subject).
SPECIAL_ROOMS = {
    "Физика": ["Кабинет физики", "Лаборатория физики"],
    "Химия": ["Лаборатория химии"],
    "Биология": ["Лаборатория биологии"],
    "Информатика": ["Компьютерный класс 1", "Компьютерный класс 2"],
    "Труд (технология)": ["Мастерская", "Кабинет технологии"],
    "Музыка": ["Кабинет музыки"],
    "Изобразительное искусство": ["Кабинет ИЗО"],
    "Основы безопасности и защиты Родины": ["Кабинет ОБЗР"],
}
HUMANITIES = {
    "Русский язык",
    "Литература",
    "Иностранный язык (английский)",
    "История",
    "Обществознание",
    "Основы духовно-нравственной культуры народов России",
}


def max_lessons_a_day(grade: int) -> int:
    """The sanitary rules (СанПиН 1.2.3685-21): 1st grade 4–5, 2–4 up to 5, 5–6 up to 6, 7–11 up to 7."""
    if grade <= 4:
        return 5
    if grade <= 6:
        return 6
    return 7


def bell_times() -> list[tuple[int, dt.time, dt.time]]:
    rows = []
    start = dt.datetime.combine(dt.date(2000, 1, 1), FIRST_BELL)
    for number in range(1, LESSONS + 1):
        end = start + dt.timedelta(minutes=LESSON_MINUTES)
        rows.append((number, start.time(), end.time()))
        if number <= len(BREAKS):
            start = end + dt.timedelta(minutes=BREAKS[number - 1])
    return rows


@dataclass
class Part:
    """One assignment's lesson inside a unit."""

    assignment_id: int
    teacher: int
    subgroup: int | None
    pool: tuple[int, ...]  # rooms to choose from, the first free one is taken


@dataclass
class Unit:
    """Lessons that sit in one slot of a class: a whole-class lesson, or lessons of different subgroups."""

    klass: int  # index into the class list
    subjects: frozenset[int]
    parts: list[Part]
    slot: tuple[int, int] | None = None
    rooms: list[int] = field(default_factory=list)

    @property
    def teachers(self) -> list[int]:
        return [part.teacher for part in self.parts]


class Planner:
    """Places units into (day, lesson) slots; every check is a set lookup."""

    def __init__(self, classes: list[SchoolClass], weeks: list[int], units: list[Unit], seed: int = SEED) -> None:
        self.classes = classes
        self.weeks = weeks
        self.units = units
        self.rng = random.Random(seed)
        self.class_slot: list[dict[tuple[int, int], Unit]] = [{} for _ in classes]
        self.class_day: list[list[int]] = [[0] * 7 for _ in classes]
        self.subject_day: list[dict[tuple[int, int], int]] = [defaultdict(int) for _ in classes]
        self.teacher_slot: dict[int, dict[tuple[int, int], Unit]] = defaultdict(dict)
        self.room_slot: dict[int, set[tuple[int, int]]] = defaultdict(set)
        self.remaining: dict[int, int] = defaultdict(int)
        self.per_class: list[list[Unit]] = [[] for _ in classes]
        for unit in units:
            self.per_class[unit.klass].append(unit)
            for teacher in unit.teachers:
                self.remaining[teacher] += 1
        self.limits = [max_lessons_a_day(c.grade) for c in classes]

    # Primitive moves ---------------------------------------------------------------------------

    def rooms_for(self, unit: Unit, slot: tuple[int, int]) -> list[int] | None:
        taken: list[int] = []
        for part in unit.parts:
            room = next((r for r in part.pool if slot not in self.room_slot[r] and r not in taken), None)
            if room is None:
                return None
            taken.append(room)
        return taken

    def free_for(self, unit: Unit, slot: tuple[int, int]) -> list[int] | None:
        """The rooms if the unit fits the slot (class, teachers, rooms, daily maximum), else None."""
        day = slot[0]
        if day >= self.weeks[unit.klass] or slot in self.class_slot[unit.klass]:
            return None
        if self.class_day[unit.klass][day] >= self.limits[unit.klass]:
            return None
        if any(slot in self.teacher_slot[t] for t in unit.teachers):
            return None
        return self.rooms_for(unit, slot)

    def place(self, unit: Unit, slot: tuple[int, int], rooms: list[int]) -> None:
        unit.slot, unit.rooms = slot, rooms
        self.class_slot[unit.klass][slot] = unit
        self.class_day[unit.klass][slot[0]] += 1
        for subject in unit.subjects:
            self.subject_day[unit.klass][(subject, slot[0])] += 1
        for teacher in unit.teachers:
            self.teacher_slot[teacher][slot] = unit
            self.remaining[teacher] -= 1
        for room in rooms:
            self.room_slot[room].add(slot)

    def unplace(self, unit: Unit) -> tuple[int, int]:
        slot = unit.slot
        assert slot is not None
        del self.class_slot[unit.klass][slot]
        self.class_day[unit.klass][slot[0]] -= 1
        for subject in unit.subjects:
            self.subject_day[unit.klass][(subject, slot[0])] -= 1
        for teacher in unit.teachers:
            del self.teacher_slot[teacher][slot]
            self.remaining[teacher] += 1
        for room in unit.rooms:
            self.room_slot[room].discard(slot)
        unit.slot, unit.rooms = None, []
        return slot

    # The sweep ---------------------------------------------------------------------------------

    def quotas(self, index: int) -> list[int]:
        """Lessons per day: as even as possible, the longer days rotating between classes."""
        week = self.weeks[index]
        total = len(self.per_class[index])
        base, extra = divmod(total, week)
        days = [base] * week + [0] * (7 - week)
        for k in range(extra):
            days[(index + k) % week] += 1
        return [min(n, self.limits[index]) for n in days]

    def score(self, unit: Unit, day: int) -> float:
        repeats = sum(self.subject_day[unit.klass][(s, day)] for s in unit.subjects)
        left = sum(1 for u in self.per_class[unit.klass] if u.slot is None and u.subjects == unit.subjects)
        urgency = sum(self.remaining[t] for t in unit.teachers) / len(unit.parts)
        return urgency + 2 * left + 3 * (len(unit.parts) - 1) - 40 * repeats + self.rng.random()

    def sweep(self) -> None:
        quotas = [self.quotas(index) for index in range(len(self.classes))]
        for day in range(6):
            for number in range(1, LESSONS + 1):
                slot = (day, number)
                waiting = [
                    index
                    for index in range(len(self.classes))
                    if day < self.weeks[index] and self.class_day[index][day] < quotas[index][day]
                ]
                options = {}
                for index in waiting:
                    options[index] = [u for u in self.per_class[index] if u.slot is None]
                self.rng.shuffle(waiting)
                waiting.sort(key=lambda i: len({frozenset(u.teachers) for u in options[i]}))
                for index in waiting:
                    best, best_rooms, best_score = None, None, None
                    for unit in options[index]:
                        if unit.slot is not None:
                            continue
                        rooms = self.free_for(unit, slot)
                        if rooms is None:
                            continue
                        score = self.score(unit, day)
                        if best_score is None or score > best_score:
                            best, best_rooms, best_score = unit, rooms, score
                    if best is not None:
                        self.place(best, slot, best_rooms)

    # Repairs -----------------------------------------------------------------------------------

    def slots_of(self, index: int) -> list[tuple[int, int]]:
        """The class's slots, those right after its last lesson of a day first (no gaps for the pupils)."""
        ends = {}
        for day in range(self.weeks[index]):
            busy = [n for (d, n) in self.class_slot[index] if d == day]
            ends[day] = max(busy, default=0)
        slots = [(d, n) for d in range(self.weeks[index]) for n in range(1, LESSONS + 1)]
        return sorted(slots, key=lambda s: (s[1] != ends[s[0]] + 1, self.class_day[index][s[0]], s))

    def place_anywhere(self, unit: Unit) -> bool:
        for slot in self.slots_of(unit.klass):
            rooms = self.free_for(unit, slot)
            if rooms is not None:
                self.place(unit, slot, rooms)
                return True
        return False

    def move_elsewhere(self, unit: Unit, avoid: tuple[int, int]) -> bool:
        old = self.unplace(unit)
        for slot in self.slots_of(unit.klass):
            if slot == avoid or slot == old:
                continue
            rooms = self.free_for(unit, slot)
            if rooms is not None:
                self.place(unit, slot, rooms)
                return True
        self.place(unit, old, self.rooms_for(unit, old) or [])
        return False

    def repair(self, unit: Unit) -> bool:
        """Place a unit by moving one lesson that blocks it: a teacher's other class, or the class's other lesson."""
        for slot in self.slots_of(unit.klass):
            day = slot[0]
            if day >= self.weeks[unit.klass]:
                continue
            blockers = {id(b): b for t in unit.teachers if (b := self.teacher_slot[t].get(slot)) is not None}
            own = self.class_slot[unit.klass].get(slot)
            if own is not None:
                blockers[id(own)] = own
            if len(blockers) != 1:
                continue
            blocker = next(iter(blockers.values()))
            old = self.unplace(blocker)
            rooms = self.free_for(unit, slot)
            if rooms is not None:
                self.place(unit, slot, rooms)
                if self.place_anywhere_except(blocker, slot):
                    return True
                self.unplace(unit)
            self.place(blocker, old, self.rooms_for(blocker, old) or [])
        return False

    def place_anywhere_except(self, unit: Unit, avoid: tuple[int, int]) -> bool:
        for slot in self.slots_of(unit.klass):
            if slot == avoid:
                continue
            rooms = self.free_for(unit, slot)
            if rooms is not None:
                self.place(unit, slot, rooms)
                return True
        return False

    def run(self) -> list[Unit]:
        self.sweep()
        left = [u for u in self.units if u.slot is None]
        for unit in left:
            if not self.place_anywhere(unit):
                self.repair(unit)
        return [u for u in self.units if u.slot is None]


def _rooms(school, assignments: list[TeachingAssignment], classes: list[SchoolClass]) -> dict:
    """Create the rooms (those missing) and decide each assignment's room pool."""
    hours: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    class_main: dict[int, tuple[float, int]] = {}
    per_class_teacher: dict[tuple[int, int], float] = defaultdict(float)
    for a in assignments:
        hours[a.teacher_id][a.subject.name] += float(a.hours_per_week)
        per_class_teacher[(a.school_class_id, a.teacher_id)] += float(a.hours_per_week)
    for (class_id, teacher_id), total in per_class_teacher.items():
        if class_id not in class_main or total > class_main[class_id][0]:
            class_main[class_id] = (total, teacher_id)
    primary = [c for c in classes if c.grade <= 4]
    homeroom_of = {c.pk: f"{101 + n}" for n, c in enumerate(primary)}
    homeroom_teacher = {class_main[c.pk][1]: c.pk for c in primary if c.pk in class_main}

    names: dict[int, str] = {}  # teacher -> own room
    special_left = {subject: list(rooms) for subject, rooms in SPECIAL_ROOMS.items()}
    floors = {2: 201, 3: 301}
    teachers_needing = sorted(
        {a.teacher_id for a in assignments if a.subject.name != PE and a.teacher_id not in homeroom_teacher}
        | {
            a.teacher_id
            for a in assignments
            if a.teacher_id in homeroom_teacher and a.school_class_id != homeroom_teacher[a.teacher_id]
        }
    )
    for teacher_id in teachers_needing:
        taught = {subject: h for subject, h in hours[teacher_id].items() if subject != PE}
        main = max(taught.items(), key=lambda kv: kv[1])[0]
        if special_left.get(main):
            names[teacher_id] = special_left[main].pop(0)
            continue
        floor = 2 if main in HUMANITIES else 3
        names[teacher_id] = str(floors[floor])
        floors[floor] += 1
    wanted = (
        [(name, 28) for name in homeroom_of.values()]
        + [(name, 15 if name.startswith("Компьютерный") else 28) for name in names.values()]
        + GYMS
        + OTHER_ROOMS
    )
    existing = {room.name: room for room in Room.objects.filter(school=school)}
    new = [Room(school=school, name=name, capacity=capacity) for name, capacity in wanted if name not in existing]
    Room.objects.bulk_create(new)
    by_name = {**existing, **{room.name: room for room in new}}
    if any(room.pk is None for room in by_name.values()):  # SQLite < 3.35 returns no ids
        by_name = {room.name: room for room in Room.objects.filter(school=school)}
    gyms = tuple(by_name[name].pk for name, _capacity in GYMS)
    pools: dict[int, tuple[int, ...]] = {}
    for a in assignments:
        if a.subject.name == PE:
            pools[a.pk] = gyms
        elif homeroom_teacher.get(a.teacher_id) == a.school_class_id:
            pools[a.pk] = (by_name[homeroom_of[a.school_class_id]].pk,)
        else:
            pools[a.pk] = (by_name[names[a.teacher_id]].pk,)
    return {"pools": pools, "created": len(new)}


def _units(classes: list[SchoolClass], assignments: list[TeachingAssignment], pools: dict) -> tuple[list[Unit], int]:
    """Whole-class lessons one unit per hour; subgroup lessons of a subject paired across subgroups."""
    index_of = {c.pk: n for n, c in enumerate(classes)}
    units: list[Unit] = []
    fractional = 0
    split: dict[tuple[int, int], dict[int, list[tuple[TeachingAssignment, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    singles: dict[int, list[Unit]] = defaultdict(list)
    for a in assignments:
        whole_hours = int(a.hours_per_week)
        fractional += a.hours_per_week - whole_hours
        part = Part(a.pk, a.teacher_id, a.subgroup_id, pools[a.pk])
        klass = index_of[a.school_class_id]
        if a.subgroup_id is None:
            units += [Unit(klass, frozenset([a.subject_id]), [part]) for _ in range(whole_hours)]
        else:
            split[(klass, a.subject_id)][a.subgroup_id].append((part, whole_hours))
    for (klass, subject_id), groups in split.items():
        queues = {group: [p for p, h in parts for _ in range(h)] for group, parts in groups.items()}
        while True:
            heads, teachers = [], set()
            for group, queue in queues.items():
                if queue and queue[0].teacher not in teachers:
                    teachers.add(queue[0].teacher)
                    heads.append(group)
            if len(heads) < 2:
                break
            units.append(Unit(klass, frozenset([subject_id]), [queues[group].pop(0) for group in heads]))
        for queue in queues.values():
            singles[klass] += [Unit(klass, frozenset([subject_id]), [p]) for p in queue]
    # Lone subgroup lessons of different subgroups and teachers share a slot (sg 1 English with sg 2 IT).
    for klass, lone in singles.items():
        while lone:
            first = lone.pop(0)
            mate = next(
                (
                    u
                    for u in lone
                    if u.parts[0].subgroup != first.parts[0].subgroup and u.parts[0].teacher != first.parts[0].teacher
                ),
                None,
            )
            if mate is not None:
                lone.remove(mate)
                units.append(Unit(klass, first.subjects | mate.subjects, first.parts + mate.parts))
            else:
                units.append(first)
    return units, int(fractional)


def check_conflicts(
    entries: list[TimetableEntry], teachers: dict[int, tuple[int, int, int | None]], year_end
) -> list[str]:
    """Every pair of entries at the same slot through ``slot_conflict``: the services' rule."""
    by_slot: dict[tuple[int, int], list[SlotLesson]] = defaultdict(list)
    problems = []
    for entry in entries:
        teacher_id, class_id, subgroup_id = teachers[entry.assignment_id]
        lesson = SlotLesson(
            teacher_id, class_id, subgroup_id, entry.room_id, entry.valid_from, entry.valid_to or year_end
        )
        for other in by_slot[(entry.weekday, entry.number)]:
            kind = slot_conflict(lesson, other)
            if kind:
                problems.append(f"{kind}: {entry.weekday}/{entry.number}, assignment {entry.assignment_id}")
        by_slot[(entry.weekday, entry.number)].append(lesson)
    return problems


@transaction.atomic
def seed_timetable(*, actor: User, year: SchoolYear, layout: bool = True) -> dict:
    """Rooms, bells and a conflict-free timetable for every class of a year without one; then the lesson layout.

    Returns counts: rooms created, bells, timetable entries, hours that could not be placed (with what they
    are), and the layout result. Fractional weekly hours (0.5) are not placed and are counted as unplaced.
    """
    started = time.perf_counter()
    ensure_timetable_editor(actor, year.school_id)
    ensure_year_writable(year)
    if TimetableEntry.objects.filter(year=year).exists():
        raise ValueError("the year already has a timetable")
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    week_of = dict(GradeSettings.objects.filter(year=year).values_list("grade", "days_per_week"))
    assignments = list(
        TeachingAssignment.objects.filter(year=year).select_related("subject").order_by("school_class_id", "pk")
    )
    rooms = _rooms(year.school, assignments, classes)
    if not Bell.objects.filter(year=year).exists():
        bells_set(actor=actor, year=year, bells=bell_times())
    bell_numbers = set(Bell.objects.filter(year=year).values_list("number", flat=True))

    units, fractional = _units(classes, assignments, rooms["pools"])
    planner = Planner(classes, [week_of.get(c.grade, 5) for c in classes], units)
    unplaced = planner.run()
    unplaced_hours = sum(len(u.parts) for u in unplaced)

    entries = []
    for unit in units:
        if unit.slot is None:
            continue
        day, number = unit.slot
        if number not in bell_numbers:
            raise ValueError(f"no bell for lesson {number}")
        for part, room in zip(unit.parts, unit.rooms, strict=True):
            entries.append(
                TimetableEntry(
                    year=year,
                    assignment_id=part.assignment_id,
                    weekday=day,
                    number=number,
                    room_id=room,
                    valid_from=year.start_date,
                )
            )
    who = {a.pk: (a.teacher_id, a.school_class_id, a.subgroup_id) for a in assignments}
    problems = check_conflicts(entries, who, year.end_date)
    if problems:
        raise AssertionError("the demo timetable has conflicts: " + "; ".join(problems[:5]))
    TimetableEntry.objects.bulk_create(entries)
    planned = time.perf_counter() - started

    result = lessons_layout(actor=actor, year=year) if layout else None
    by_id = {a.pk: a for a in assignments}
    return {
        "rooms_created": rooms["created"],
        "bells": len(bell_numbers),
        "entries": len(entries),
        "hours_unplaced": unplaced_hours + fractional,
        "unplaced": [
            f"{classes[u.klass]}: " + ", ".join(str(by_id[p.assignment_id].subject) for p in u.parts) for u in unplaced
        ],
        "timetable_seconds": round(planned, 2),
        "layout": result,
        "seconds": round(time.perf_counter() - started, 2),
    }
