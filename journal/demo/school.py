"""The demo school's structure and people for the current school year (``journal.demo.seed``).

The year, its calendar, periods, vacations and subjects go through the services;
the bulk (users, classes, curriculum, assignments, enrolments, object permissions)
is written with ``bulk_create``: one password hash shared by every demo user,
guardian rows built by ``accounts.permissions.permission_rows`` as the services
do, history rows by simple_history's bulk helper. A thousand pupils take seconds.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from simple_history.utils import bulk_create_with_history

from accounts.choices import ParentKind, Role, Sex
from accounts.demo import names as people
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User
from accounts.permissions import permission_rows
from journal.choices import GRADES, PeriodKind
from journal.demo import data
from journal.models import (
    CurriculumEntry,
    Enrollment,
    SchoolClass,
    SchoolClassUserObjectPermission,
    Subgroup,
    Subject,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
)
from journal.services import school_year_create, study_periods_set, subject_create, vacation_add, year_open

DEMO_PASSWORD = "demo12345"
SEED = 20260901
PUPILS_PER_CLASS = 25
DEFAULT_PUPILS = 550
HOURS_PER_TEACHER = 17  # the rate is 18 hours a week; with part-time staff ~40 teachers for 22 classes
SIBLING_SHARE = 0.12  # share of families with a second child at the school
HISTORY_REASON = "Демонстрационные данные"

MONDAY, SATURDAY, SUNDAY = 0, 5, 6

FIXED_ACCOUNTS = ["admin", "director", "deputy", "teacher", "classteacher", "pupil", "parent", "parent2"]
FIXED_USERNAMES = frozenset(FIXED_ACCOUNTS)


def _weekday_from(first: dt.date, weekday: int) -> dt.date:
    """The first date on or after ``first`` that falls on ``weekday`` (Monday is 0)."""
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


@dataclass(frozen=True)
class YearCalendar:
    """The dates of a school year as a typical school sets them: four quarters, two halves, vacations."""

    name: str
    start: dt.date
    end: dt.date
    quarters: list[tuple[dt.date, dt.date]]
    halves: list[tuple[dt.date, dt.date]]
    vacations: list[tuple[str, dt.date, dt.date, int, int]]  # name, first day, last day, grade_from, grade_to


def year_calendar(start_year: int) -> YearCalendar:
    """Dates for the year starting in September of ``start_year`` (for 2026/2027: Q1 01.09–23.10, …, Q4 to 26.05)."""
    next_year = start_year + 1
    start = dt.date(start_year, 9, 1)
    if start.weekday() == SUNDAY:
        start += dt.timedelta(days=1)
    end = dt.date(next_year, 5, 26)
    if end.weekday() == SUNDAY:
        end -= dt.timedelta(days=1)
    day = dt.timedelta(days=1)
    autumn = _weekday_from(dt.date(start_year, 10, 24), SATURDAY)  # nine days from a Saturday in late October
    autumn_end = autumn + 8 * day
    winter = _weekday_from(dt.date(start_year, 12, 25), SUNDAY)  # from the last Sunday of December
    winter_end = _weekday_from(dt.date(next_year, 1, 8), SUNDAY)  # to the Sunday after the New Year holidays
    spring = _weekday_from(dt.date(next_year, 3, 19), SUNDAY)  # a week from a Sunday in late March
    spring_end = spring + 7 * day
    february = _weekday_from(dt.date(next_year, 2, 15), MONDAY)  # first graders rest a week in February
    quarters = [
        (start, autumn - day),
        (autumn_end + day, winter - day),
        (winter_end + day, spring - day),
        (spring_end + day, end),
    ]
    return YearCalendar(
        name=f"{start_year}/{next_year}",
        start=start,
        end=end,
        quarters=quarters,
        halves=[(quarters[0][0], quarters[1][1]), (quarters[2][0], quarters[3][1])],
        vacations=[
            ("Осенние каникулы", autumn, autumn_end, 1, 11),
            ("Зимние каникулы", winter, winter_end, 1, 11),
            ("Дополнительные каникулы для первоклассников", february, february + 6 * day, 1, 1),
            ("Весенние каникулы", spring, spring_end, 1, 11),
        ],
    )


def current_start_year(today: dt.date) -> int:
    """From July the coming year is prepared; before that the year that began last September is current."""
    return today.year if today.month >= 7 else today.year - 1


@dataclass
class Bundle:
    """What one teacher teaches in one class or subgroup: the subjects of one speciality."""

    speciality: str
    class_index: int
    subgroup_number: int  # 0: the whole class
    lines: list[tuple[str, int]] = field(default_factory=list)  # (subject name, hours per week)
    teacher: int = -1  # index into DemoSchoolBuilder.teachers

    @property
    def hours(self) -> int:
        return sum(hours for _subject, hours in self.lines)


@dataclass
class Family:
    """Children (class indexes) who share a surname and parents."""

    seats: list[int]
    pupil_usernames: list[str] = field(default_factory=list)  # fixed usernames for the demo children
    parent_usernames: dict[str, str] = field(default_factory=dict)  # ParentKind -> fixed username
    kinds: tuple[str, ...] | None = None  # which parents to register; None: drawn at random


class DemoSchoolBuilder:
    """Plans the demo school in memory, then writes it in bulk."""

    def __init__(self, *, pupils: int, today: dt.date) -> None:
        self.pupil_total = pupils
        self.today = today
        self.rng = random.Random(SEED)
        # Hashing is slow by design: hash once, share the encoded value (it is a demo).
        self.password = make_password(DEMO_PASSWORD)
        self.users: list[User] = []
        self.staff_surnames: set[str] = {"Соколов"}  # the admin's
        self.history_user: User | None = None

    # People ------------------------------------------------------------------

    def _patronymic(self, sex: str, father: str | None = None) -> str:
        father = father or self.rng.choice(list(people.MALE_NAMES))
        son, daughter = people.MALE_NAMES[father]
        return son if sex == Sex.MALE else daughter

    def _adult(self, sex: str, surname: str | None = None) -> tuple[str, str, str]:
        surname = surname or self.rng.choice(people.SURNAMES)
        if sex == Sex.MALE:
            return surname, self.rng.choice(people.MAN_NAMES), self._patronymic(sex)
        return people.feminine(surname), self.rng.choice(people.WOMAN_NAMES), self._patronymic(sex)

    def _staff_member(self, sex: str) -> tuple[str, str, str]:
        """An adult whose surname no other staff member bears (two Ивановы in a staff list confuse a demo)."""
        surname = self.rng.choice(people.SURNAMES)
        for _attempt in range(20):
            if surname not in self.staff_surnames:
                break
            surname = self.rng.choice(people.SURNAMES)
        self.staff_surnames.add(surname)
        return self._adult(sex, surname)

    def _phone(self) -> str:
        rng = self.rng
        return f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"

    def _user(self, role: str, names: tuple[str, str, str], username: str = "", **extra: object) -> User:
        last_name, first_name, middle_name = names
        user = User(
            username=username,
            role=role,
            school=self.school,
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            password=self.password,
            **extra,
        )
        self.users.append(user)
        return user

    # The year ------------------------------------------------------------------

    def create_school_and_year(self) -> None:
        self.school = School.objects.create(
            name=data.SCHOOL_NAME,
            short_name=data.SCHOOL_SHORT_NAME,
            address=data.SCHOOL_ADDRESS,
            time_zone="Europe/Moscow",
        )
        self.admin = User.objects.create(
            username="admin",
            role=Role.ADMIN,
            school=self.school,
            password=self.password,
            last_name="Соколов",
            first_name="Андрей",
            middle_name="Викторович",
            email="admin@school7.example",
        )
        self.history_user = self.admin
        calendar = year_calendar(current_start_year(self.today))
        self.year = school_year_create(
            actor=self.admin,
            school=self.school,
            name=calendar.name,
            start_date=calendar.start,
            end_date=calendar.end,
            days_per_week={grade: 6 if grade >= 10 else 5 for grade in GRADES},
        )
        study_periods_set(actor=self.admin, year=self.year, kind=PeriodKind.QUARTER, dates=calendar.quarters)
        study_periods_set(actor=self.admin, year=self.year, kind=PeriodKind.HALF, dates=calendar.halves)
        for name, start, end, grade_from, grade_to in calendar.vacations:
            vacation_add(
                actor=self.admin,
                year=self.year,
                name=name,
                start_date=start,
                end_date=end,
                grade_from=grade_from,
                grade_to=grade_to,
            )
        self.subjects: dict[str, Subject] = {
            name: subject_create(actor=self.admin, school=self.school, name=name, short_name=short, order=order * 10)
            for order, (name, short) in enumerate(data.SUBJECTS, start=1)
        }

    # Classes, curriculum, teachers ----------------------------------------------

    def plan_classes(self) -> None:
        per_grade = max(2, round(self.pupil_total / (len(GRADES) * PUPILS_PER_CLASS)))
        if per_grade > len(data.CLASS_LETTERS):
            raise ValueError(f"Слишком много учащихся: не больше {len(data.CLASS_LETTERS)} классов в параллели.")
        self.classes = [
            SchoolClass(year=self.year, grade=grade, letter=letter)
            for grade in GRADES
            for letter in data.CLASS_LETTERS[:per_grade]
        ]
        base, extra = divmod(self.pupil_total, len(self.classes))
        self.class_sizes = [base + (1 if index < extra else 0) for index in range(len(self.classes))]
        self.class_index = {(c.grade, c.letter): index for index, c in enumerate(self.classes)}
        self.demo_class = self.class_index[(7, "А")]
        self.sibling_class = self.class_index[(4, "Б")]
        self.curriculum: list[CurriculumEntry] = []
        self.bundles: list[Bundle] = []
        for index, school_class in enumerate(self.classes):
            by_key: dict[tuple[str, int], Bundle] = {}
            for subject_name, hours_by_grade in data.CURRICULUM.items():
                hours = hours_by_grade.get(school_class.grade)
                if not hours:
                    continue
                split = school_class.grade in data.SPLIT_SUBJECTS.get(subject_name, ())
                self.curriculum.append(
                    CurriculumEntry(
                        school_class=school_class,
                        subject=self.subjects[subject_name],
                        hours_per_week=Decimal(hours),
                        is_pass_fail=subject_name in data.PASS_FAIL_SUBJECTS,
                        split_into_subgroups=split,
                    )
                )
                if school_class.grade <= 4 and subject_name in data.PRIMARY_SUBJECTS:
                    speciality = data.PRIMARY
                else:
                    speciality = data.SPECIALITY_OF_SUBJECT[subject_name]
                for subgroup_number in (1, 2) if split else (0,):
                    key = (speciality, subgroup_number)
                    if key not in by_key:
                        by_key[key] = Bundle(speciality, index, subgroup_number)
                    by_key[key].lines.append((subject_name, hours))
            self.bundles.extend(by_key.values())
        self.split_classes = {
            index for index, c in enumerate(self.classes) if any(c.grade in r for r in data.SPLIT_SUBJECTS.values())
        }

    def plan_teachers(self) -> None:
        """Enough teachers for ~HOURS_PER_TEACHER hours each; each takes a run of classes (5–8 «А», …)."""
        self.director = self._user(
            Role.DIRECTOR, self._staff_member(Sex.FEMALE), "director", email="director@school7.example"
        )
        self.deputy = self._user(Role.DEPUTY, self._staff_member(Sex.FEMALE), "deputy", email="deputy@school7.example")
        # Unsaved model instances are unhashable: teachers are referred to by their index in this list.
        self.teachers: list[User] = []
        class_teacher_of: dict[int, int] = {}  # class index -> teacher index
        by_speciality: dict[str, list[Bundle]] = defaultdict(list)
        for bundle in self.bundles:
            by_speciality[bundle.speciality].append(bundle)

        def new_teacher(female_share: float) -> int:
            sex = Sex.FEMALE if self.rng.random() < female_share else Sex.MALE
            self.teachers.append(self._user(Role.TEACHER, self._staff_member(sex), phone=self._phone()))
            return len(self.teachers) - 1

        # Grades 1–4: the class's own teacher, who is also its class teacher.
        for bundle in by_speciality.pop(data.PRIMARY, []):
            if bundle.class_index not in class_teacher_of:
                class_teacher_of[bundle.class_index] = new_teacher(0.97)
            bundle.teacher = class_teacher_of[bundle.class_index]
        first_of_speciality: dict[str, int] = {}
        for speciality, (_subjects, female_share) in data.SPECIALITIES.items():
            bundles = by_speciality.get(speciality, [])
            if not bundles:
                continue
            total = sum(bundle.hours for bundle in bundles)
            count = max(1, round(total / HOURS_PER_TEACHER))
            staff = [new_teacher(female_share) for _ in range(count)]
            first_of_speciality[speciality] = staff[0]
            share = total / count
            done = 0
            bundles.sort(key=lambda b: (b.subgroup_number, self.classes[b.class_index].letter, b.class_index))
            for bundle in bundles:
                bundle.teacher = staff[min(count - 1, int((done + bundle.hours / 2) / share))]
                done += bundle.hours

        # The demo accounts: the first maths teacher (5–8 «А») and the Russian teacher of 7 «А».
        demo_teacher = first_of_speciality["maths"]
        self.teachers[demo_teacher].username = "teacher"
        demo_class_teacher = next(
            b.teacher for b in self.bundles if b.speciality == "russian" and b.class_index == self.demo_class
        )
        self.teachers[demo_class_teacher].username = "classteacher"
        class_teacher_of[self.demo_class] = demo_class_teacher

        # Grades 5–11: a teacher with the most hours in the class who leads no class yet.
        hours_in_class: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for bundle in self.bundles:
            hours_in_class[bundle.class_index][bundle.teacher] += bundle.hours
        leading = set(class_teacher_of.values()) | {demo_teacher}
        for index in range(len(self.classes)):
            if index in class_teacher_of:
                continue
            hours = hours_in_class[index]
            candidates = sorted((t for t in hours if t not in leading), key=lambda t: (-hours[t], t))
            candidates += [t for t in range(len(self.teachers)) if t not in leading]
            if candidates:
                class_teacher_of[index] = candidates[0]
                leading.add(candidates[0])
        for index, teacher in class_teacher_of.items():
            self.classes[index].class_teacher = self.teachers[teacher]
        for number, teacher in enumerate((t for t in self.teachers if not t.username), start=1):
            teacher.username = f"t{number:03d}"

    # Pupils and parents ---------------------------------------------------------

    def plan_pupils(self) -> None:
        if min(self.class_sizes) < 2:
            minimum = 2 * len(self.classes)
            raise ValueError(f"Нужно не меньше {minimum} учащихся (по двое в классе).")
        rng = self.rng
        seats = [index for index, size in enumerate(self.class_sizes) for _ in range(size)]
        for index in (self.demo_class, self.demo_class, self.sibling_class):
            seats.remove(index)
        rng.shuffle(seats)
        families = [
            Family(
                [self.demo_class, self.sibling_class],
                pupil_usernames=["pupil", ""],
                parent_usernames={ParentKind.MOTHER: "parent"},
                kinds=(ParentKind.MOTHER, ParentKind.FATHER),
            ),
            Family([self.demo_class], parent_usernames={ParentKind.FATHER: "parent2"}, kinds=(ParentKind.FATHER,)),
        ]
        while seats:
            first = seats.pop()
            family = Family([first])
            if rng.random() < SIBLING_SHARE:
                grade = self.classes[first].grade
                for position in range(len(seats) - 1, max(-1, len(seats) - 50), -1):
                    if abs(self.classes[seats[position]].grade - grade) >= 2:
                        family.seats.append(seats.pop(position))
                        break
            families.append(family)

        self.pupils: list[tuple[int, User, PupilProfile]] = []  # (class index, user, profile)
        self.parents: list[tuple[User, ParentProfile]] = []
        self.links: list[ParentChild] = []
        for family in families:
            self._plan_family(family)
        # p0001… in class order and alphabetically within a class, as a class list reads.
        self.pupils.sort(key=lambda row: (row[0], row[1].last_name, row[1].first_name, row[1].middle_name))
        numbered = (user for _index, user, _profile in self.pupils if not user.username)
        for number, user in enumerate(numbered, start=1):
            user.username = f"p{number:04d}"
        for number, (user, _profile) in enumerate((row for row in self.parents if not row[0].username), start=1):
            user.username = f"r{number:04d}"

    def _plan_family(self, family: Family) -> None:
        rng = self.rng
        surname = rng.choice(people.SURNAMES)
        father_name = rng.choice(people.MAN_NAMES)
        kinds = family.kinds
        if kinds is None:
            draw = rng.random()
            if draw < 0.62:
                kinds = (ParentKind.MOTHER, ParentKind.FATHER)
            elif draw < 0.9:
                kinds = (ParentKind.MOTHER,)
            elif draw < 0.97:
                kinds = (ParentKind.FATHER,)
            else:
                kinds = (ParentKind.GUARDIAN,)  # a grandmother
        children = []
        for position, class_index in enumerate(family.seats):
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            names = (
                surname if sex == Sex.MALE else people.feminine(surname),
                rng.choice(people.BOY_NAMES if sex == Sex.MALE else people.GIRL_NAMES),
                self._patronymic(sex, father_name),
            )
            username = family.pupil_usernames[position] if family.pupil_usernames else ""
            grade = self.classes[class_index].grade
            born_from = dt.date(self.year.start_date.year - grade - 6, 3, 1)  # 6.5–7.5 years old in the 1st grade
            profile = PupilProfile(date_of_birth=born_from + dt.timedelta(days=rng.randrange(365)), sex=sex)
            profile.user = self._user(Role.PUPIL, names, username)
            self.pupils.append((class_index, profile.user, profile))
            children.append(profile)
        for kind in kinds:
            if kind == ParentKind.FATHER:
                names = (surname, father_name, self._patronymic(Sex.MALE))
            elif kind == ParentKind.MOTHER:
                names = (people.feminine(surname), rng.choice(people.WOMAN_NAMES), self._patronymic(Sex.FEMALE))
            else:
                names = self._adult(Sex.FEMALE, surname)
            user = self._user(Role.PARENT, names, family.parent_usernames.get(kind, ""), phone=self._phone())
            parent = ParentProfile(user=user)
            self.parents.append((user, parent))
            self.links.extend(ParentChild(parent=parent, pupil=child, kind=kind) for child in children)

    # Writing --------------------------------------------------------------------

    def write(self) -> None:
        history = {"default_user": self.history_user, "default_change_reason": HISTORY_REASON}
        User.objects.bulk_create(self.users)
        SchoolClass.objects.bulk_create(self.classes)
        subgroups: dict[int, list[Subgroup]] = {
            index: [Subgroup(school_class=self.classes[index], name=f"{n} подгруппа") for n in (1, 2)]
            for index in sorted(self.split_classes)
        }
        Subgroup.objects.bulk_create([sg for pair in subgroups.values() for sg in pair])
        CurriculumEntry.objects.bulk_create(self.curriculum)
        assignments = [
            TeachingAssignment(
                year=self.year,
                teacher=self.teachers[bundle.teacher],
                school_class=self.classes[bundle.class_index],
                subgroup=subgroups[bundle.class_index][bundle.subgroup_number - 1] if bundle.subgroup_number else None,
                subject=self.subjects[subject_name],
                hours_per_week=Decimal(hours),
            )
            for bundle in self.bundles
            for subject_name, hours in bundle.lines
        ]
        bulk_create_with_history(assignments, TeachingAssignment, **history)
        profiles = [profile for _index, _user, profile in self.pupils]
        bulk_create_with_history(profiles, PupilProfile, **history)
        ParentProfile.objects.bulk_create([parent for _user, parent in self.parents])
        bulk_create_with_history(self.links, ParentChild, **history)

        # The two subgroups of a class: the first and second half of the class list.
        by_class: dict[int, list[PupilProfile]] = defaultdict(list)
        for index, _user, profile in self.pupils:
            by_class[index].append(profile)
        membership = Subgroup.pupils.through
        members = []
        for index, pair in subgroups.items():
            pupils = by_class[index]
            half = (len(pupils) + 1) // 2
            members += [membership(subgroup=pair[0], pupilprofile=p) for p in pupils[:half]]
            members += [membership(subgroup=pair[1], pupilprofile=p) for p in pupils[half:]]
        membership.objects.bulk_create(members)
        enrollments = [
            Enrollment(pupil=profile, school_class=self.classes[index], date_from=self.year.start_date)
            for index, _user, profile in self.pupils
        ]
        bulk_create_with_history(enrollments, Enrollment, **history)

        rows = permission_rows(
            TeachingAssignmentUserObjectPermission,
            "assignment_teacher",
            [(a.teacher_id, a.pk) for a in assignments],
        )
        TeachingAssignmentUserObjectPermission.objects.bulk_create(rows)
        rows = permission_rows(
            SchoolClassUserObjectPermission,
            "class_teacher",
            [(c.class_teacher_id, c.pk) for c in self.classes if c.class_teacher_id],
        )
        SchoolClassUserObjectPermission.objects.bulk_create(rows)
        rows = permission_rows(PupilUserObjectPermission, "pupil_self", [(p.user_id, p.pk) for p in profiles])
        rows += permission_rows(
            PupilUserObjectPermission, "pupil_parent", [(link.parent.user_id, link.pupil_id) for link in self.links]
        )
        PupilUserObjectPermission.objects.bulk_create(rows)
        year_open(actor=self.admin, year=self.year)

    def build(self) -> None:
        self.create_school_and_year()
        self.plan_classes()
        self.plan_teachers()
        self.plan_pupils()
        self.write()
