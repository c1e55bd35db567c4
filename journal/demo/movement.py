"""Believable movement of pupils for the demo school: a few arrivals, departures and one move between classes.

Called by ``manage.py seed_demo`` after the school is built. Everything goes through the movement services, so
the demo shows what a real school's journal shows: pupils in the class only for their dates, the reasons in the
«движение учащихся» report. The fixed demo accounts (pupil, the children of parent and parent2) are left alone.
"""

import datetime as dt
import random

from django.db.models import Count, Q

from accounts.choices import ParentKind, Role, Sex
from accounts.demo import names as people
from accounts.models import PupilProfile, User
from accounts.services import parent_create, parent_link
from journal.models import Enrollment, SchoolClass, SchoolYear
from journal.services.movement import next_pupil_username, pupil_arrive, pupil_leave, pupil_move
from journal.workdays import grade_calendar

SEED = 20261001
FIXED_PARENTS = ("parent", "parent2")

# (grade, letter, month, day, where from); the order number and date are added from the calendar.
ARRIVALS = [
    (7, "А", 10, 6, "прибыл из МБОУ СОШ № 12 г. Калининграда"),
    (2, "Б", 10, 13, "прибыла из МАОУ «Гимназия № 2» г. Зеленоградска"),
    (5, "А", 11, 10, "прибыл из МБОУ «СОШ № 1» пос. Янтарный (смена места жительства)"),
    (10, "Б", 11, 17, "прибыла из МБОУ СОШ № 5 г. Пионерского"),
]
DEPARTURES = [
    (3, 10, 16, "выбыл в МАОУ СОШ № 4 г. Светлогорска по заявлению родителей"),
    (8, 11, 13, "выбыла в МБОУ «Лицей № 3» г. Калининграда (смена места жительства)"),
    (11, 11, 20, "перешёл на семейное обучение (заявление родителей)"),
]
MOVE = (6, "Б", "А", 11, 9, "перевод по заявлению родителей")


def _school_day(year: SchoolYear, grade: int, month: int, day: int, calendars: dict) -> dt.date:
    """The first school day of the grade on or after the date (the autumn vacation falls in early November)."""
    if grade not in calendars:
        calendars[grade] = grade_calendar(year.school, grade)
    calendar = calendars[grade]
    calendar_year = year.start_date.year if month >= year.start_date.month else year.end_date.year
    candidate = dt.date(calendar_year, month, day)
    while not calendar.is_school_day(candidate) and candidate < year.end_date:
        candidate += dt.timedelta(days=1)
    return candidate


def _order(year: SchoolYear, grade: int, day: dt.date, calendars: dict) -> str:
    """The head's order (приказ) a movement is entered by: dated the working day before, numbered through the year."""
    signed = calendars[grade].add_working_days(day, -1)
    return f"приказ № {28 + (signed - year.start_date).days // 3} от {signed:%d.%m.%Y}"


def _next_parent_username() -> str:
    numbers = [
        int(name[1:]) for name in User.objects.filter(username__regex=r"^r[0-9]+$").values_list("username", flat=True)
    ]
    return f"r{max(numbers, default=0) + 1:04d}"


def _smallest_subgroup(school_class: SchoolClass) -> list:
    subgroup = school_class.subgroups.annotate(size=Count("pupils")).order_by("size", "name").first()
    return [subgroup] if subgroup is not None else []


def seed_movement(*, actor: User, year: SchoolYear) -> None:
    """Add 4 arrivals (with a mother each), 3 departures and 1 move between parallel classes to ``year``."""
    rng = random.Random(SEED)
    classes = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=year).select_related("year__school")}
    calendars: dict = {}
    protected = set(
        PupilProfile.objects.filter(
            Q(user__username="pupil") | Q(parent_links__parent__user__username__in=FIXED_PARENTS)
        ).values_list("pk", flat=True)
    )

    for grade, letter, month, day, where_from in ARRIVALS:
        school_class = classes.get((grade, letter)) or classes.get((grade, "А"))
        if school_class is None:
            continue
        date = _school_day(year, grade, month, day, calendars)
        sex = Sex.MALE if "прибыл " in where_from else Sex.FEMALE
        surname = rng.choice(people.SURNAMES)
        father = rng.choice(people.MAN_NAMES)
        son, daughter = people.MALE_NAMES[father]
        first_name = rng.choice(people.BOY_NAMES if sex == Sex.MALE else people.GIRL_NAMES)
        enrollment = pupil_arrive(
            actor=actor,
            school_class=school_class,
            date=date,
            reason=f"{where_from}, {_order(year, grade, date, calendars)}",
            last_name=surname if sex == Sex.MALE else people.feminine(surname),
            first_name=first_name,
            middle_name=son if sex == Sex.MALE else daughter,
            date_of_birth=dt.date(year.start_date.year - grade - 6, rng.randint(3, 12), rng.randint(1, 28)),
            sex=sex,
            username=next_pupil_username(),
            subgroups=_smallest_subgroup(school_class),
        )
        mother = parent_create(
            actor=actor,
            school=year.school,
            username=_next_parent_username(),
            last_name=people.feminine(surname),
            first_name=rng.choice(people.WOMAN_NAMES),
            middle_name=people.MALE_NAMES[rng.choice(people.MAN_NAMES)][1],
            phone=f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        )
        parent_link(actor=actor, parent=mother, pupil=enrollment.pupil, kind=ParentKind.MOTHER)

    on_roll = list(
        Enrollment.objects.filter(school_class__year=year, date_from=year.start_date, date_to__isnull=True)
        .exclude(pupil_id__in=protected)
        .select_related("school_class", "pupil__user")
        .order_by("school_class__grade", "school_class__letter", "pupil__user__last_name")
    )
    taken: set[int] = set()

    def pick(grade: int, letter: str | None = None) -> Enrollment | None:
        candidates = [
            e
            for e in on_roll
            if e.school_class.grade == grade
            and (letter is None or e.school_class.letter == letter)
            and e.pupil_id not in taken
            and e.pupil.user.role == Role.PUPIL
        ]
        if not candidates:
            return None
        chosen = rng.choice(candidates)
        taken.add(chosen.pupil_id)
        return chosen

    for grade, month, day, where_to in DEPARTURES:
        enrollment = pick(grade)
        if enrollment is None:
            continue
        date = _school_day(year, grade, month, day, calendars)
        if enrollment.pupil.sex == Sex.FEMALE:
            where_to = where_to.replace("выбыл ", "выбыла ").replace("перешёл ", "перешла ")
        else:
            where_to = where_to.replace("выбыла ", "выбыл ").replace("перешла ", "перешёл ")
        pupil_leave(
            actor=actor, pupil=enrollment.pupil, date=date, reason=f"{where_to}, {_order(year, grade, date, calendars)}"
        )

    grade, from_letter, to_letter, month, day, reason = MOVE
    to_class = classes.get((grade, to_letter))
    enrollment = pick(grade, from_letter)
    if to_class is not None and enrollment is not None:
        date = _school_day(year, grade, month, day, calendars)
        pupil_move(
            actor=actor,
            pupil=enrollment.pupil,
            to_class=to_class,
            date=date,
            reason=f"{reason}, {_order(year, grade, date, calendars)}",
            subgroups=_smallest_subgroup(to_class),
        )
