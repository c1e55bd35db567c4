"""The demo school's last year (2025/2026): kept in full, closed, and its pupils promoted into the current year.

Built after the current year, backwards from it, so that the two agree as if the school had lived through both:

- the year, its quarters, half-years and vacations through the services (``year_calendar`` of the year before);
- a class for every class of the current year, one grade lower, with the same letter: the current 7 «А» was last
  year's 6 «А». Its pupils are those of the current class enrolled from the first of September (the autumn's
  newcomers were elsewhere); last year's 11th grades are graduates who have left, and a few 9th-graders finished
  school after the ninth grade. A primary teacher stays with her class from the 1st to the 4th grade, then takes a
  new 1st grade; a class teacher of grades 5–11 keeps the class, and one whose class graduated took a 5th grade;
- the curriculum, subgroups and teaching load of the current class of the same grade and letter (the subject
  teachers taught the same classes; a primary class's own teacher is its class teacher of that year); the
  timetable planned afresh and the year's lessons laid out by the journal's own services;
- the whole year kept as ``journal.demo.journal`` keeps the current one — topics from the КТП, registers, marks,
  homework, a few lapses in May — then the quarter and half-year marks (``journal.demo.period_marks``), the year
  marks from them, and the exam and final marks of the 9th and 11th grades;
- the end of the year through the promotion services: the preview, the 9th-graders who stayed on moved from
  «выпускник» to «переведён», then ``promotion_apply``, which ends last year's enrolments and closes the year. It
  is dated at the pedagogical council of late June (after the graduates' exams), not at the moment of the seed.
"""

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role, Sex
from accounts.demo import names as people
from accounts.models import PupilProfile, PupilUserObjectPermission, User
from accounts.permissions import permission_rows
from journal.choices import PeriodKind
from journal.models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    PeriodMark,
    PeriodMarkKind,
    Promotion,
    PromotionDecision,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    Subgroup,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
)
from journal.services import school_year_create, study_periods_set, vacation_add, year_open
from journal.services.promotion import promotion_apply, promotion_preview, promotion_set_many

from .bulk import insert_rows
from .journal import seed_journal
from .period_marks import _history_rows, seed_period_marks
from .plan import seed_plans
from .school import year_calendar
from .timetable import seed_timetable

SEED = 20250901
GRADUATES_PER_CLASS = 24  # last year's 11th grades
LEFT_AFTER_NINTH = 3  # per 9th grade: went on to a college after the ninth grade
EXAM_SUBJECTS = ("Русский язык", "Алгебра", "Математика")  # the exams of the 9th and 11th grades
HISTORY_REASON = "Демонстрационные данные: прошлый учебный год"
# The pedagogical council that closes the year: after the graduates' exams and final marks, in late June.
COUNCIL_DELAY = dt.timedelta(days=31)


def _past_class_teacher(grade: int, letter: str, current: dict[tuple[int, str], SchoolClass]) -> int | None:
    """Who led last year's (grade, letter): the same teacher went up with the class; a primary teacher who finished
    the 4th grade took a new 1st grade, a class teacher whose 11th grade graduated took a 5th grade."""
    if grade == 4:
        source = current.get((1, letter))
    elif grade == 11:
        source = current.get((5, letter))
    else:
        source = current.get((grade + 1, letter))
    return source.class_teacher_id if source is not None else None


def _graduates(
    rng: random.Random, school_id: int, count: int, password: str, born_in: int, first_number: int
) -> list[tuple[User, PupilProfile]]:
    """Pupils who finished school last year: accounts kept for the record, no longer signing in."""
    people_rows = []
    for _ in range(count):
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        surname = rng.choice(people.SURNAMES)
        son, daughter = people.MALE_NAMES[rng.choice(list(people.MALE_NAMES))]
        user = User(
            username=f"v{first_number + len(people_rows):04d}",
            role=Role.PUPIL,
            school_id=school_id,
            last_name=surname if sex == Sex.MALE else people.feminine(surname),
            first_name=rng.choice(people.BOY_NAMES if sex == Sex.MALE else people.GIRL_NAMES),
            middle_name=son if sex == Sex.MALE else daughter,
            password=password,
            is_active=False,
        )
        born = dt.date(born_in, rng.randint(1, 12), rng.randint(1, 28))
        people_rows.append((user, PupilProfile(user=user, sex=sex, date_of_birth=born)))
    return people_rows


def past_year_state(current: SchoolYear) -> str:
    """Whether the year before ``current`` is built: "missing", "done" (closed by the promotion) or "partial" (a
    build cut short)."""
    past = SchoolYear.objects.filter(school_id=current.school_id, end_date__lt=current.start_date).order_by("-end_date")
    year = past.first()
    if year is None:
        return "missing"
    return "done" if year.promoted_at is not None else "partial"


def seed_past_year(*, current: SchoolYear, actor: User) -> dict:
    """Build, keep and close the year before ``current`` (see the module docstring); returns row counts.

    Four transactions, so that a server using the same SQLite database meanwhile (``make run`` builds last year in
    the background) waits seconds, not the whole build, to write: the structure, timetable, lessons and КТП; the
    journal; the period, year, exam and final marks; the promotion. The journal and the marks are computed before
    their transaction's first write."""
    with transaction.atomic():
        past, counts = _structure(current, actor)
        placed = seed_timetable(actor=actor, year=past)
        seed_plans(year=past)
    after = past.end_date + dt.timedelta(days=1)
    with transaction.atomic():
        journal = seed_journal(year=past, today=after, actor=actor)
    with transaction.atomic():
        periods = seed_period_marks(year=past, today=after)
        finals = _year_and_final_marks(past)
    with transaction.atomic():
        applied = _promote(current, past, actor)
    return {
        **counts,
        "hours_unplaced": placed["hours_unplaced"],
        **{f"journal_{key}": value for key, value in journal.items()},
        **{f"period_{key}": value for key, value in periods.items()},
        **finals,
        "promoted": applied.counts,
    }


def _structure(current: SchoolYear, actor: User) -> tuple[SchoolYear, dict]:
    """Last year, its classes, curriculum, teaching load, subgroups, pupils and enrolments; opened."""
    rng = random.Random(SEED)
    school = current.school
    calendar = year_calendar(current.start_date.year - 1)
    days = dict(GradeSettings.objects.filter(year=current).values_list("grade", "days_per_week"))
    past = school_year_create(
        actor=actor,
        school=school,
        name=calendar.name,
        start_date=calendar.start,
        end_date=calendar.end,
        days_per_week=days,
    )
    study_periods_set(actor=actor, year=past, kind=PeriodKind.QUARTER, dates=calendar.quarters)
    study_periods_set(actor=actor, year=past, kind=PeriodKind.HALF, dates=calendar.halves)
    for name, start, end, grade_from, grade_to in calendar.vacations:
        vacation_add(
            actor=actor, year=past, name=name, start_date=start, end_date=end, grade_from=grade_from, grade_to=grade_to
        )
    history = {"default_user": actor, "default_change_reason": HISTORY_REASON}

    # The classes and what they studied: the current class of the same grade and letter as the pattern.
    now_classes = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=current)}
    classes = {
        key: SchoolClass(
            year=past, grade=key[0], letter=key[1], class_teacher_id=_past_class_teacher(*key, now_classes)
        )
        for key in sorted(now_classes)
    }
    SchoolClass.objects.bulk_create(classes.values())
    pattern_of = {now_classes[key].pk: classes[key] for key in classes}
    subgroups: dict[tuple[int, str], Subgroup] = {}
    for subgroup in Subgroup.objects.filter(school_class__year=current).order_by("pk"):
        target = pattern_of[subgroup.school_class_id]
        subgroups[(target.grade, target.letter, subgroup.name)] = Subgroup(school_class=target, name=subgroup.name)
    Subgroup.objects.bulk_create(subgroups.values())
    CurriculumEntry.objects.bulk_create(
        CurriculumEntry(
            school_class=pattern_of[entry.school_class_id],
            subject_id=entry.subject_id,
            hours_per_week=entry.hours_per_week,
            is_pass_fail=entry.is_pass_fail,
            split_into_subgroups=entry.split_into_subgroups,
        )
        for entry in CurriculumEntry.objects.filter(school_class__year=current).order_by("pk")
    )
    assignments = []
    for pattern in TeachingAssignment.objects.filter(year=current).select_related("school_class", "subgroup"):
        target = pattern_of[pattern.school_class_id]
        teacher_id = pattern.teacher_id
        if target.grade <= 4 and teacher_id == pattern.school_class.class_teacher_id:  # the class's own teacher
            teacher_id = target.class_teacher_id or teacher_id
        subgroup = subgroups[(target.grade, target.letter, pattern.subgroup.name)] if pattern.subgroup_id else None
        assignments.append(
            TeachingAssignment(
                year=past,
                teacher_id=teacher_id,
                school_class=target,
                subgroup=subgroup,
                subject_id=pattern.subject_id,
                hours_per_week=pattern.hours_per_week,
            )
        )
    bulk_create_with_history(assignments, TeachingAssignment, **history)
    TeachingAssignmentUserObjectPermission.objects.bulk_create(
        permission_rows(
            TeachingAssignmentUserObjectPermission, "assignment_teacher", [(a.teacher_id, a.pk) for a in assignments]
        )
    )
    SchoolClassUserObjectPermission.objects.bulk_create(
        permission_rows(
            SchoolClassUserObjectPermission,
            "class_teacher",
            [(c.class_teacher_id, c.pk) for c in classes.values() if c.class_teacher_id],
        )
    )

    # The pupils: this year's class a grade up, as it stood on the first of September; graduates who have left.
    roll: dict[tuple[int, str], list[int]] = defaultdict(list)
    for enrollment in (
        Enrollment.objects.filter(school_class__year=current, date_from=current.start_date)
        .select_related("school_class")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pk")
    ):
        grade, letter = enrollment.school_class.grade, enrollment.school_class.letter
        if (grade - 1, letter) in classes:
            roll[(grade - 1, letter)].append(enrollment.pupil_id)
    password = User.objects.filter(pk=actor.pk).values_list("password", flat=True).get()
    leavers: list[tuple[tuple[int, str], User, PupilProfile]] = []
    for key in classes:
        count = {11: GRADUATES_PER_CLASS, 9: LEFT_AFTER_NINTH}.get(key[0], 0)
        born_in = past.start_date.year - key[0] - 7
        leavers += [(key, *pair) for pair in _graduates(rng, school.pk, count, password, born_in, len(leavers) + 1)]
    User.objects.bulk_create([user for _key, user, _profile in leavers])
    for _key, user, profile in leavers:
        profile.user = user  # the saved user's pk
    profiles = [profile for _key, _user, profile in leavers]
    bulk_create_with_history(profiles, PupilProfile, **history)
    PupilUserObjectPermission.objects.bulk_create(
        permission_rows(PupilUserObjectPermission, "pupil_self", [(p.user_id, p.pk) for p in profiles])
    )
    for key, _user, profile in leavers:
        roll[key].append(profile.pk)
    enrollments = [
        Enrollment(pupil_id=pupil_id, school_class=classes[key], date_from=past.start_date)
        for key in classes
        for pupil_id in roll[key]
    ]
    bulk_create_with_history(enrollments, Enrollment, **history)
    # Subgroups as this year's (same name, same pupils: promotion carries them), else the two halves of the list;
    # a pupil in none of this year's (a graduate) joins the smaller one.
    now_members: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    for grade, letter, name, pupil_id in Subgroup.pupils.through.objects.filter(
        subgroup__school_class__year=current
    ).values_list(
        "subgroup__school_class__grade", "subgroup__school_class__letter", "subgroup__name", "pupilprofile_id"
    ):
        now_members[(grade, letter, name)].add(pupil_id)
    membership = Subgroup.pupils.through
    members = []
    by_class: dict[tuple[int, str], list[tuple[str, Subgroup]]] = defaultdict(list)
    for (grade, letter, name), subgroup in subgroups.items():
        by_class[(grade, letter)].append((name, subgroup))
    for key, pairs in by_class.items():
        pupils = roll[key]
        chosen: dict[str, list[int]] = {name: [] for name, _subgroup in pairs}
        for position, pupil_id in enumerate(pupils):
            carried = [name for name, _sg in pairs if pupil_id in now_members.get((key[0] + 1, key[1], name), ())]
            if carried:
                chosen[carried[0]].append(pupil_id)
            elif not any(now_members.get((key[0] + 1, key[1], name)) for name, _sg in pairs):
                chosen[pairs[0 if position < (len(pupils) + 1) // 2 else -1][0]].append(pupil_id)
            else:
                chosen[min(chosen, key=lambda name: len(chosen[name]))].append(pupil_id)
        members += [membership(subgroup=sg, pupilprofile_id=p) for name, sg in pairs for p in chosen[name]]
    membership.objects.bulk_create(members)
    year_open(actor=actor, year=past)
    counts = {"classes": len(classes), "enrollments": len(enrollments), "graduates": len(leavers)}
    return past, counts


def _promote(current: SchoolYear, past: SchoolYear, actor: User):
    """The pedagogical council: the promotion through its services, then dated when it met."""
    promotion_preview(actor=actor, year=past)
    # The 9th-graders now in the 10th grade stayed on: promoted, not graduates.
    stayed_on = {
        e.pupil_id: e.school_class
        for e in Enrollment.objects.filter(
            school_class__year=current, school_class__grade=10, date_from=current.start_date
        ).select_related("school_class")
    }
    staying = [
        (promotion, PromotionDecision.PROMOTE, stayed_on[promotion.pupil_id])
        for promotion in Promotion.objects.filter(year=past, pupil_id__in=stayed_on).select_related("from_class")
    ]
    promotion_set_many(actor=actor, year=past, changes=staying)
    marker = Enrollment.history.aggregate(top=Max("history_id"))["top"] or 0
    applied = promotion_apply(actor=actor, year=past)
    zone = zoneinfo.ZoneInfo(past.school.time_zone)
    council = dt.datetime.combine(past.end_date + COUNCIL_DELAY, dt.time(15, 30), zone)
    SchoolYear.objects.filter(pk=past.pk).update(promoted_at=council)
    Promotion.objects.filter(year=past).update(applied_at=council)
    Enrollment.history.filter(history_id__gt=marker).update(history_date=council)
    _reasons_in(current, past)  # this year's first enrolments say where the pupils came from
    return applied


def _reasons_in(current: SchoolYear, past: SchoolYear) -> None:
    """This year's enrolments of promoted pupils read «переведён из 6 «А»», as ``promotion_apply`` writes them."""
    by_class: dict[tuple[int, str], list[int]] = defaultdict(list)
    for promotion in Promotion.objects.filter(year=past, decision=PromotionDecision.PROMOTE).select_related(
        "from_class", "target_class"
    ):
        by_class[(promotion.from_class_id, str(promotion.from_class))].append(promotion.pupil_id)
    for (_class_id, name), pupils in by_class.items():
        Enrollment.objects.filter(school_class__year=current, date_from=current.start_date, pupil_id__in=pupils).update(
            reason_in=f"переведён из {name}"
        )


def _rounded(values: list[str]) -> str:
    """The year mark from the period marks: their mean, rounded half up; «зч» when every one is «зч»."""
    numbers = [int(v) for v in values if v.isdigit()]
    if not numbers:
        return "зч" if values and all(v == "зч" for v in values) else ""
    mean = Decimal(sum(numbers)) / len(numbers)
    return str(int(mean.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))


def _year_and_final_marks(year: SchoolYear) -> dict:
    """Year marks from the set period marks; for the 9th and 11th grades an exam mark in the exam subjects and the
    final mark (the year's, or the rounded mean of the year's and the exam's) — set by the subject's teacher in the
    last days of May, written with their «+» history rows as the service would."""
    rng = random.Random(SEED + 7)
    zone = zoneinfo.ZoneInfo(year.school.time_zone)
    periods: dict[tuple[int, int], list[str]] = defaultdict(list)
    for assignment_id, pupil_id, value in (
        PeriodMark.objects.filter(assignment__year=year, kind=PeriodMarkKind.PERIOD)
        .exclude(value="")
        .order_by("period__start_date")
        .values_list("assignment_id", "pupil_id", "value")
    ):
        periods[(assignment_id, pupil_id)].append(value)
    assignments = {
        a.pk: a for a in TeachingAssignment.objects.filter(year=year).select_related("school_class", "subject")
    }
    rows = []

    def row(assignment, pupil_id: int, kind: str, value: str, day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(rng.randint(14, 19), rng.randint(0, 59)), zone)
        rows.append(
            PeriodMark(
                assignment=assignment,
                pupil_id=pupil_id,
                kind=kind,
                period=None,
                proposed_value=value,
                value=value,
                updated_by_id=assignment.teacher_id,
                updated_at=moment,
            )
        )

    last = year.end_date
    for (assignment_id, pupil_id), values in periods.items():
        assignment = assignments[assignment_id]
        value = _rounded(values)
        if not value:
            continue
        row(assignment, pupil_id, PeriodMarkKind.YEAR, value, last - dt.timedelta(days=rng.randint(0, 2)))
        if assignment.school_class.grade not in (9, 11):
            continue
        final = value
        if assignment.subject.name in EXAM_SUBJECTS and value.isdigit():
            exam = str(max(2, min(5, int(value) + rng.choice((-1, 0, 0, 0, 1)))))
            exam = exam if exam != "2" else "3"  # a failed exam is retaken before the final mark
            row(assignment, pupil_id, PeriodMarkKind.EXAM, exam, last + dt.timedelta(days=rng.randint(14, 24)))
            final = _rounded([value, exam])
        row(assignment, pupil_id, PeriodMarkKind.FINAL, final, last + dt.timedelta(days=26))
    insert_rows(PeriodMark, rows)
    insert_rows(PeriodMark.history.model, _history_rows(PeriodMark, rows, "updated_at", "updated_by_id"))
    counts: dict[str, int] = defaultdict(int)
    for mark in rows:
        counts[f"{mark.kind}_marks"] += 1
    return dict(counts)
