"""Step 7 of opening a year: last year's structure, one grade up, as the starting point of the new year.

What is copied: the week and the period scheme of each grade; study periods and vacations, shifted by whole weeks
(so that a vacation that began on a Saturday still does); classes one grade up (5 «А» → 6 «А»; the 11th grade
leaves; new first grades with last year's letters); class teachers with their classes; subgroups by name (without
pupils: they come with the promotion); each new class's curriculum from last year's class of the same grade and
letter (the grade's plan), else from the class itself; teaching assignments, the teacher following the class for
subjects still in its new curriculum, with the new curriculum's hours. Pupils are not copied: the promotion
(``journal.services.promotion``) enrols them.

One rule of the Russian primary school: the teacher who brought a class through grades 1–4 does not follow it to
the 5th grade (subject teachers take over) but takes a new first grade. So 4 «А» becomes 5 «А» without a class
teacher (the page says so) and its teacher leads the new 1 «А», with the lessons last year's 1 «А» teacher gave.

Who: the school's administrator (every write goes through the structure services, which grant the permissions).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES
from accounts.models import User
from accounts.services import ensure_school_admin

from ..choices import PeriodKind
from ..models import (
    CurriculumEntry,
    GradeSettings,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
    Vacation,
)
from .structure import (
    assignment_create,
    class_create,
    curriculum_set,
    school_year_create,
    study_periods_set,
    subgroup_create,
    vacation_add,
)

LAST_PRIMARY_GRADE = 4
SATURDAY, SUNDAY = 5, 6


@dataclass
class CurriculumLine:
    subject: Subject
    hours_per_week: Decimal
    is_pass_fail: bool
    split_into_subgroups: bool


@dataclass
class AssignmentCopy:
    subject: Subject
    teacher: User
    hours_per_week: Decimal
    subgroup_name: str | None = None


@dataclass
class ClassCopy:
    """One class of the new year and where each of its parts comes from."""

    grade: int
    letter: str
    source: SchoolClass | None  # last year's class it continues; for a new first grade, last year's 1st of the letter
    is_new: bool  # a new first grade (no pupils will come by promotion)
    class_teacher: User | None
    curriculum_from: SchoolClass | None
    curriculum: list[CurriculumLine] = field(default_factory=list)
    subgroup_names: list[str] = field(default_factory=list)
    assignments: list[AssignmentCopy] = field(default_factory=list)
    without_teacher: list[Subject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.grade} «{self.letter}»"

    @property
    def hours(self) -> Decimal:
        return sum((line.hours_per_week for line in self.curriculum), Decimal(0))


@dataclass
class YearCopyPlan:
    source_year: SchoolYear
    start_date: dt.date
    end_date: dt.date
    shift_weeks: int
    days_per_week: dict[int, int]
    period_kinds: dict[int, str]
    periods: dict[str, list[tuple[dt.date, dt.date]]]
    vacations: list[tuple[str, dt.date, dt.date, int, int]]
    classes: list[ClassCopy]
    leaving: list[SchoolClass]  # the 11th grade: not carried
    calendar_notes: list[str] = field(default_factory=list)

    @property
    def class_count(self) -> int:
        return len(self.classes)

    @property
    def class_teacher_count(self) -> int:
        return sum(1 for c in self.classes if c.class_teacher is not None)

    @property
    def curriculum_count(self) -> int:
        return sum(len(c.curriculum) for c in self.classes)

    @property
    def assignment_count(self) -> int:
        return sum(len(c.assignments) for c in self.classes)

    @property
    def subgroup_count(self) -> int:
        return sum(len(c.subgroup_names) for c in self.classes)

    @property
    def without_teacher_count(self) -> int:
        return sum(len(c.without_teacher) for c in self.classes)

    @property
    def period_list(self) -> list[tuple[str, list[tuple[dt.date, dt.date]]]]:
        return [(str(PeriodKind(kind).label).capitalize(), dates) for kind, dates in self.periods.items()]

    @property
    def period_count(self) -> int:
        return sum(len(dates) for dates in self.periods.values())


def suggested_year(source_year: SchoolYear) -> tuple[str, dt.date, dt.date]:
    """The next year's usual name and dates: 1 September (2 September if the 1st is a Sunday) to 26 May."""
    first = source_year.start_date.year + 1
    start = dt.date(first, 9, 1)
    if start.weekday() == SUNDAY:
        start += dt.timedelta(days=1)
    end = dt.date(first + 1, 5, 26)
    if end.weekday() == SUNDAY:
        end -= dt.timedelta(days=1)
    return f"{first}/{first + 1}", start, end


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _shift_calendar(plan: YearCopyPlan, periods: list[StudyPeriod], vacations: list[Vacation]) -> None:
    """Periods and vacations moved by whole weeks; the first period starts and the last ends with the new year."""
    delta = dt.timedelta(weeks=plan.shift_weeks)
    start, end = plan.start_date, plan.end_date
    by_kind: dict[str, list[StudyPeriod]] = defaultdict(list)
    for period in periods:
        by_kind[period.kind].append(period)
    for kind, items in by_kind.items():
        dates = [(p.start_date + delta, p.end_date + delta) for p in sorted(items, key=lambda p: p.number)]
        dates[0] = (start, dates[0][1])
        dates[-1] = (dates[-1][0], end)
        ordered = all(s <= e for s, e in dates) and all(a[1] < b[0] for a, b in pairwise(dates))
        if ordered and dates[0][1] <= end and dates[-1][0] >= start:
            plan.periods[kind] = dates
        else:
            plan.calendar_notes.append(
                _("Периоды «%(kind)s» не перенесены: при новых датах года они не укладываются; задайте их вручную.")
                % {"kind": PeriodKind(kind).label}
            )
    for vacation in vacations:
        first, last = vacation.start_date + delta, vacation.end_date + delta
        if start <= first and last <= end:
            plan.vacations.append((vacation.name, first, last, vacation.grade_from, vacation.grade_to))
        else:
            plan.calendar_notes.append(
                _(
                    "Каникулы «%(name)s» не перенесены: %(start)s — %(end)s выходят за даты нового года; задайте их вручную."
                )
                % {"name": vacation.name, "start": _date(first), "end": _date(last)}
            )


def _can_teach(user: User | None) -> bool:
    return user is not None and user.is_active and user.role in STAFF_ROLES


def plan_year_copy(source_year: SchoolYear, start_date: dt.date, end_date: dt.date) -> YearCopyPlan:
    """What the copy will create, without writing anything (8 queries): the page shows it, the service does it."""
    grade_settings = list(GradeSettings.objects.filter(year=source_year))
    plan = YearCopyPlan(
        source_year=source_year,
        start_date=start_date,
        end_date=end_date,
        shift_weeks=round((start_date - source_year.start_date).days / 7),
        days_per_week={gs.grade: gs.days_per_week for gs in grade_settings},
        period_kinds={gs.grade: gs.period_kind for gs in grade_settings},
        periods={},
        vacations=[],
        classes=[],
        leaving=[],
    )
    _shift_calendar(
        plan,
        list(StudyPeriod.objects.filter(year=source_year)),
        list(Vacation.objects.filter(year=source_year).order_by("start_date")),
    )

    classes = list(
        SchoolClass.objects.filter(year=source_year).select_related("class_teacher").order_by("grade", "letter")
    )
    by_key = {(c.grade, c.letter): c for c in classes}
    curriculum: dict[int, list[CurriculumEntry]] = defaultdict(list)
    for entry in CurriculumEntry.objects.filter(school_class__year=source_year).select_related("subject"):
        curriculum[entry.school_class_id].append(entry)
    subgroups: dict[int, list[str]] = defaultdict(list)
    for subgroup in Subgroup.objects.filter(school_class__year=source_year).order_by("name"):
        subgroups[subgroup.school_class_id].append(subgroup.name)
    assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in TeachingAssignment.objects.filter(year=source_year).select_related(
        "teacher", "subject", "subgroup"
    ):
        assignments[assignment.school_class_id].append(assignment)

    def curriculum_source(grade: int, letter: str, own: SchoolClass) -> SchoolClass:
        same = by_key.get((grade, letter))
        if same is not None and curriculum[same.pk]:
            return same
        same_grade = [c for c in classes if c.grade == grade and curriculum[c.pk]]
        return same_grade[0] if same_grade else own

    def build(
        grade: int,
        letter: str,
        source: SchoolClass,
        class_teacher: User | None,
        teacher_swap: tuple[int | None, User | None] = (None, None),
    ) -> ClassCopy:
        plan_from = curriculum_source(grade, letter, source)
        copy = ClassCopy(
            grade=grade,
            letter=letter,
            source=source,
            is_new=grade == 1,
            class_teacher=class_teacher if _can_teach(class_teacher) else None,
            curriculum_from=plan_from,
            subgroup_names=list(dict.fromkeys(subgroups[source.pk] + subgroups[plan_from.pk])),
        )
        if plan_from.pk == source.pk and grade != source.grade:
            copy.notes.append(
                _("учебный план — прежний, %(cls)s: в %(year)s не было плана %(grade)s класса")
                % {"cls": source, "year": source_year.name, "grade": grade}
            )
        elif plan_from.letter != letter:
            copy.notes.append(_("учебный план — как у %(cls)s %(year)s") % {"cls": plan_from, "year": source_year.name})
        lines = {}
        for entry in curriculum[plan_from.pk]:
            lines[entry.subject_id] = CurriculumLine(
                entry.subject, entry.hours_per_week, entry.is_pass_fail, entry.split_into_subgroups
            )
        copy.curriculum = list(lines.values())
        swapped_from, swapped_to = teacher_swap
        seen = set()
        for assignment in assignments[source.pk]:
            teacher = assignment.teacher
            if swapped_from is not None and teacher.pk == swapped_from:
                teacher = swapped_to
            line = lines.get(assignment.subject_id)
            if not _can_teach(teacher) or line is None or line.hours_per_week <= 0:
                continue
            subgroup_name = None
            if assignment.subgroup_id and line.split_into_subgroups and assignment.subgroup.name in copy.subgroup_names:
                subgroup_name = assignment.subgroup.name
            key = (assignment.subject_id, teacher.pk, subgroup_name)
            if key in seen:
                continue
            seen.add(key)
            copy.assignments.append(AssignmentCopy(assignment.subject, teacher, line.hours_per_week, subgroup_name))
        taught = {a.subject.pk for a in copy.assignments}
        if grade <= LAST_PRIMARY_GRADE and copy.class_teacher is not None and plan_from.pk != source.pk:
            # A primary class teacher teaches what the grade's class teacher taught last year (ОРКСЭ in the 4th).
            for assignment in assignments[plan_from.pk]:
                line = lines.get(assignment.subject_id)
                if (
                    assignment.teacher_id == plan_from.class_teacher_id
                    and assignment.subject_id not in taught
                    and line is not None
                    and line.hours_per_week > 0
                ):
                    taught.add(assignment.subject_id)
                    copy.assignments.append(AssignmentCopy(assignment.subject, copy.class_teacher, line.hours_per_week))
        copy.without_teacher = [
            line.subject for line in copy.curriculum if line.hours_per_week > 0 and line.subject.pk not in taught
        ]
        return copy

    for school_class in classes:
        if school_class.grade >= 11:
            plan.leaving.append(school_class)
            continue
        if school_class.grade == LAST_PRIMARY_GRADE:
            copy = build(
                school_class.grade + 1,
                school_class.letter,
                school_class,
                None,
                teacher_swap=(school_class.class_teacher_id, None),
            )
            if school_class.class_teacher_id:
                copy.notes.append(
                    _("учитель начальных классов %(name)s набирает 1 класс; классного руководителя назначьте")
                    % {"name": school_class.class_teacher.short_name}
                )
        else:
            copy = build(school_class.grade + 1, school_class.letter, school_class, school_class.class_teacher)
        plan.classes.append(copy)
    for school_class in classes:
        if school_class.grade != 1:
            continue
        fourth = by_key.get((LAST_PRIMARY_GRADE, school_class.letter))
        teacher = fourth.class_teacher if fourth is not None else None
        copy = build(
            1, school_class.letter, school_class, teacher, teacher_swap=(school_class.class_teacher_id, teacher)
        )
        copy.notes.insert(0, _("новый класс"))
        if copy.class_teacher is not None:
            copy.notes.append(_("классный руководитель — из %(cls)s") % {"cls": fourth})
        plan.classes.append(copy)
    plan.classes.sort(key=lambda c: (c.grade, c.letter))
    return plan


@transaction.atomic
def year_copy_structure(
    *, actor: User, source_year: SchoolYear, name: str, start_date: dt.date, end_date: dt.date
) -> SchoolYear:
    """Create the new year from ``source_year``'s structure (see the module's docstring); one transaction."""
    school = source_year.school
    ensure_school_admin(actor, school)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Укажите название учебного года, например 2027/2028."))
    if SchoolYear.objects.filter(school=school, name=name).exists():
        raise ValidationError(_("Учебный год «%(name)s» уже есть в школе.") % {"name": name})
    if end_date <= start_date:
        raise ValidationError(_("Окончание учебного года должно быть позже его начала."))
    if start_date <= source_year.end_date:
        raise ValidationError(
            _("Новый учебный год должен начинаться после окончания %(year)s (%(end)s).")
            % {"year": source_year.name, "end": _date(source_year.end_date)}
        )
    plan = plan_year_copy(source_year, start_date, end_date)
    year = school_year_create(
        actor=actor,
        school=school,
        name=name,
        start_date=start_date,
        end_date=end_date,
        days_per_week=plan.days_per_week,
    )
    settings = list(GradeSettings.objects.filter(year=year))
    for grade_settings in settings:
        grade_settings.period_kind = plan.period_kinds.get(grade_settings.grade, grade_settings.period_kind)
    GradeSettings.objects.bulk_update(settings, ["period_kind"])
    for kind, dates in plan.periods.items():
        study_periods_set(actor=actor, year=year, kind=kind, dates=dates)
    for vacation_name, first, last, grade_from, grade_to in plan.vacations:
        vacation_add(
            actor=actor,
            year=year,
            name=vacation_name,
            start_date=first,
            end_date=last,
            grade_from=grade_from,
            grade_to=grade_to,
        )
    for copy in plan.classes:
        school_class = class_create(
            actor=actor, year=year, grade=copy.grade, letter=copy.letter, class_teacher=copy.class_teacher
        )
        subgroups = {
            subgroup_name: subgroup_create(actor=actor, school_class=school_class, name=subgroup_name, pupils=[])
            for subgroup_name in copy.subgroup_names
        }
        for line in copy.curriculum:
            curriculum_set(
                actor=actor,
                school_class=school_class,
                subject=line.subject,
                hours_per_week=line.hours_per_week,
                is_pass_fail=line.is_pass_fail,
                split_into_subgroups=line.split_into_subgroups,
            )
        for assignment in copy.assignments:
            assignment_create(
                actor=actor,
                school_class=school_class,
                subject=assignment.subject,
                teacher=assignment.teacher,
                hours_per_week=assignment.hours_per_week,
                subgroup=subgroups.get(assignment.subgroup_name) if assignment.subgroup_name else None,
            )
    return year
