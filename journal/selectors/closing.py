"""Reads for the movement of pupils and for closing the year: rosters, the movement report, the promotion board.

Each returns what its page needs in a fixed number of queries, whatever the number of pupils.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, School

from ..models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear
from ..render.closing import promotion_options_html

GRADUATION_GRADES = (9, 11)
PUPIL_ORDER = ("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name")


# Years ---------------------------------------------------------------------------------------------------------


def school_years(school: School | None) -> list[SchoolYear]:
    if school is None:
        return []
    return list(SchoolYear.objects.filter(school=school).order_by("-start_date"))


def closing_year(school: School | None, today: dt.date | None = None, pk: int | None = None) -> SchoolYear | None:
    """The year a closing page is about: the one asked for, else the latest year that has begun.

    Unlike ``current_year`` this stays on the running year through June, when next year's copy (a draft that has
    not begun) already exists: that is when the year is closed and its pupils promoted.
    """
    if school is None:
        return None
    years = SchoolYear.objects.filter(school=school).select_related("school")
    if pk is not None:
        return years.filter(pk=pk).first()
    today = today or timezone.localdate()
    return years.filter(start_date__lte=today).order_by("-start_date").first() or years.order_by("start_date").first()


def next_year(year: SchoolYear) -> SchoolYear | None:
    """The school's year starting after this one: where its pupils are promoted to."""
    return (
        SchoolYear.objects.filter(school_id=year.school_id, start_date__gt=year.end_date).order_by("start_date").first()
    )


def on_roll_at_year_end(year: SchoolYear) -> QuerySet[Enrollment]:
    """Enrolments still running when the year ends: open-ended (or running past the end).

    A pupil who left on the last day (``date_to`` equal to the end) has left and is not promoted.
    """
    return Enrollment.objects.filter(school_class__year=year, date_from__lte=year.end_date).filter(
        Q(date_to__isnull=True) | Q(date_to__gt=year.end_date)
    )


# The class roster over an interval ----------------------------------------------------------------------------


@dataclass
class Span:
    """A stretch of days a pupil belonged to the class, clipped to the interval asked for."""

    date_from: dt.date
    date_to: dt.date
    enrollment: Enrollment


@dataclass
class RosterRow:
    """A pupil of the class within an interval, with the days they belonged to it."""

    pupil: PupilProfile
    spans: list[Span] = field(default_factory=list)
    arrived_on: dt.date | None = None  # first day in the class, if after the interval's start
    left_on: dt.date | None = None  # last day in the class, if before the interval's end

    @property
    def first_day(self) -> dt.date:
        return self.spans[0].date_from

    @property
    def last_day(self) -> dt.date:
        return self.spans[-1].date_to

    def is_enrolled(self, day: dt.date) -> bool:
        return any(span.date_from <= day <= span.date_to for span in self.spans)


def class_roster(school_class: SchoolClass, date_from: dt.date, date_to: dt.date) -> list[RosterRow]:
    """Every pupil who belonged to the class on some day of [date_from, date_to], with their days in it (1 query).

    The journal grid shows a pupil's cells only on the days of their spans; ``arrived_on`` and ``left_on`` say
    where to mark «прибыл» / «выбыл».
    """
    enrollments = (
        Enrollment.objects.filter(school_class=school_class, date_from__lte=date_to)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=date_from))
        .select_related("pupil__user")
        .order_by(*PUPIL_ORDER, "pupil_id", "date_from")
    )
    rows: dict[int, RosterRow] = {}
    for enrollment in enrollments:
        row = rows.setdefault(enrollment.pupil_id, RosterRow(pupil=enrollment.pupil))
        end = enrollment.date_to if enrollment.date_to is not None and enrollment.date_to < date_to else date_to
        row.spans.append(Span(max(enrollment.date_from, date_from), end, enrollment))
    for row in rows.values():
        row.arrived_on = row.first_day if row.first_day > date_from else None
        row.left_on = row.last_day if row.last_day < date_to else None
    return list(rows.values())


# The movement report (движение учащихся) ------------------------------------------------------------------------


class EventKind:
    ARRIVED = "arrived"
    LEFT = "left"
    MOVED = "moved"


@dataclass
class MovementEvent:
    day: dt.date
    kind: str
    pupil: PupilProfile
    school_class: SchoolClass  # the class arrived in, left, or (for a move) left for ``to_class``
    reason: str
    to_class: SchoolClass | None = None
    effective: bool = True  # on or before the report's date


@dataclass
class ClassMovement:
    school_class: SchoolClass | None  # None: the whole school
    at_start: int = 0
    arrived: int = 0
    moved_in: int = 0
    left: int = 0
    moved_out: int = 0
    now: int = 0


@dataclass
class MovementReport:
    year: SchoolYear
    on_date: dt.date
    classes: list[ClassMovement]
    total: ClassMovement
    events: list[MovementEvent]


def _active(enrollment: Enrollment, day: dt.date) -> bool:
    return enrollment.date_from <= day and (enrollment.date_to is None or enrollment.date_to >= day)


def movement_report(year: SchoolYear, on_date: dt.date) -> MovementReport:
    """Arrivals, departures and moves of the year, and the class sizes at its start and on ``on_date`` (2 queries).

    A move between classes is an enrolment that ends the day before another of the same pupil in this year begins;
    it is counted as «переведён» in both classes but is neither an arrival nor a departure for the school.
    """
    on_date = min(max(on_date, year.start_date), year.end_date)
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    by_class = {c.pk: ClassMovement(c) for c in classes}
    class_by_pk = {c.pk: c for c in classes}
    enrollments = list(
        Enrollment.objects.filter(school_class__year=year)
        .select_related("pupil__user")
        .order_by("pupil_id", "date_from")
    )
    by_pupil: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_pupil[enrollment.pupil_id].append(enrollment)

    events: list[MovementEvent] = []
    for pupil_enrollments in by_pupil.values():
        starts = {e.date_from: e for e in pupil_enrollments}
        moved_in = set()
        for enrollment in pupil_enrollments:
            row = by_class[enrollment.school_class_id]
            school_class = class_by_pk[enrollment.school_class_id]
            if _active(enrollment, year.start_date):
                row.at_start += 1
            if _active(enrollment, on_date):
                row.now += 1
            following = (
                starts.get(enrollment.date_to + dt.timedelta(days=1)) if enrollment.date_to is not None else None
            )
            if following is not None and following.school_class_id != enrollment.school_class_id:
                moved_in.add(following.pk)
                effective = following.date_from <= on_date
                if effective:
                    row.moved_out += 1
                    by_class[following.school_class_id].moved_in += 1
                events.append(
                    MovementEvent(
                        following.date_from,
                        EventKind.MOVED,
                        enrollment.pupil,
                        school_class,
                        following.reason_in or enrollment.reason_out,
                        to_class=class_by_pk[following.school_class_id],
                        effective=effective,
                    )
                )
            elif enrollment.date_to is not None and enrollment.date_to < year.end_date:
                effective = enrollment.date_to < on_date
                row.left += int(effective)
                events.append(
                    MovementEvent(
                        enrollment.date_to,
                        EventKind.LEFT,
                        enrollment.pupil,
                        school_class,
                        enrollment.reason_out,
                        effective=effective,
                    )
                )
        for enrollment in pupil_enrollments:
            if enrollment.date_from > year.start_date and enrollment.pk not in moved_in:
                effective = enrollment.date_from <= on_date
                by_class[enrollment.school_class_id].arrived += int(effective)
                events.append(
                    MovementEvent(
                        enrollment.date_from,
                        EventKind.ARRIVED,
                        enrollment.pupil,
                        class_by_pk[enrollment.school_class_id],
                        enrollment.reason_in,
                        effective=effective,
                    )
                )
    total = ClassMovement(None)
    for row in by_class.values():
        for name in ("at_start", "arrived", "moved_in", "left", "moved_out", "now"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    events.sort(key=lambda e: (e.day, e.school_class.grade, e.school_class.letter, e.pupil.user.last_name))
    return MovementReport(year=year, on_date=on_date, classes=list(by_class.values()), total=total, events=events)


# The promotion board ----------------------------------------------------------------------------------------------


@dataclass
class PromotionRow:
    promotion: Promotion
    value: str  # the select's value: "promote:<class pk>", "hold_back:<class pk>", "graduate", "leave"
    label: str  # the decision in words, for the read-only view
    options_html: SafeString | str = ""
    problem: str = ""


@dataclass
class PromotionClass:
    school_class: SchoolClass
    rows: list[PromotionRow] = field(default_factory=list)
    summary: str = ""


@dataclass
class PromotionSummary:
    total: int = 0
    promote: int = 0
    hold_back: int = 0
    graduate_9: int = 0
    graduate_11: int = 0
    leave: int = 0
    without_target: int = 0
    by_target: list[tuple[SchoolClass, int]] = field(default_factory=list)


@dataclass
class PromotionBoard:
    year: SchoolYear
    next_year: SchoolYear | None
    classes: list[PromotionClass]
    summary: PromotionSummary
    missing_pupils: int = 0  # on the roll at the year's end but not in the preview (arrived or moved since)
    stale_rows: int = 0  # in the preview but no longer on the roll in that class
    missing_classes: list[str] = field(default_factory=list)  # default targets absent from the next year

    @property
    def applied(self) -> bool:
        return self.year.promoted_at is not None

    @property
    def is_stale(self) -> bool:
        """Rows exist but the classes changed since: someone arrived, left or moved after the preview was built."""
        return bool(self.classes) and bool(self.missing_pupils or self.stale_rows)

    @property
    def problems(self) -> int:
        return self.summary.without_target + self.missing_pupils + self.stale_rows


def option_value(decision: str, target_id: int | None) -> str:
    if decision in (PromotionDecision.PROMOTE, PromotionDecision.HOLD_BACK):
        return f"{decision}:{target_id or ''}"
    return decision


def decision_label(promotion: Promotion) -> str:
    target = promotion.target_class
    if promotion.decision == PromotionDecision.PROMOTE:
        return _("перевод в %(cls)s") % {"cls": target} if target else _("перевод: класс не выбран")
    if promotion.decision == PromotionDecision.HOLD_BACK:
        return (
            _("повторное обучение в %(cls)s") % {"cls": target} if target else _("повторное обучение: класс не выбран")
        )
    if promotion.decision == PromotionDecision.GRADUATE:
        return _("выпуск из %(grade)s класса") % {"grade": promotion.from_class.grade}
    return _("выбывает")


def promotion_options(school_class: SchoolClass, next_classes: list[SchoolClass]) -> list[tuple[str, str]]:
    """The choices for a pupil of the class: the next grade's classes, graduation, held back, leaving.

    Held back, a pupil stays with the same letter when the next year has that class (the list stays short: a
    thousand selects make the page); otherwise any class of the grade is offered.
    """
    grade = school_class.grade
    options = []
    if grade < 11:
        options += [
            (option_value(PromotionDecision.PROMOTE, c.pk), f"→ {c}") for c in next_classes if c.grade == grade + 1
        ]
    if grade in GRADUATION_GRADES:
        options.append((PromotionDecision.GRADUATE.value, _("выпуск")))
    same_grade = [c for c in next_classes if c.grade == grade]
    same_letter = [c for c in same_grade if c.letter == school_class.letter]
    options += [
        (option_value(PromotionDecision.HOLD_BACK, c.pk), _("повторно в %(cls)s") % {"cls": c})
        for c in same_letter or same_grade
    ]
    options.append((PromotionDecision.LEAVE.value, _("выбывает")))
    return options


def promotion_board(year: SchoolYear, *, with_options: bool = False) -> PromotionBoard:
    """The preview for the whole school, class by class, with counts (5 queries, whatever the number of pupils).

    With ``with_options`` each row carries its select's options as HTML, built here once per class: a template
    loop over a thousand selects of a dozen options each would cost more than the rest of the page.
    """
    following = next_year(year)
    next_classes = list(SchoolClass.objects.filter(year=following).order_by("grade", "letter")) if following else []
    next_keys = {(c.grade, c.letter) for c in next_classes}
    promotions = list(
        Promotion.objects.filter(year=year)
        .select_related("pupil__user", "from_class", "target_class")
        .order_by("from_class__grade", "from_class__letter", *PUPIL_ORDER)
    )
    # Once applied, every enrolment has ended with the year: nothing is stale any more.
    applied = year.promoted_at is not None
    on_roll = {} if applied else dict(on_roll_at_year_end(year).values_list("pupil_id", "school_class_id"))
    board = PromotionBoard(year=year, next_year=following, classes=[], summary=PromotionSummary())
    summary = board.summary
    targets: Counter[int] = Counter()
    target_classes: dict[int, SchoolClass] = {}
    by_class: dict[int, PromotionClass] = {}
    options_by_class: dict[int, list[tuple[str, str]]] = {}
    previewed = set()
    missing_classes: set[tuple[int, str]] = set()
    for promotion in promotions:
        previewed.add(promotion.pupil_id)
        school_class = promotion.from_class
        group = by_class.get(school_class.pk)
        if group is None:
            group = by_class[school_class.pk] = PromotionClass(school_class)
            board.classes.append(group)
            if following and school_class.grade < 11 and (school_class.grade + 1, school_class.letter) not in next_keys:
                missing_classes.add((school_class.grade + 1, school_class.letter))
        decision = promotion.decision
        value = option_value(decision, promotion.target_class_id)
        row = PromotionRow(promotion, value, decision_label(promotion))
        summary.total += 1
        if decision == PromotionDecision.PROMOTE:
            summary.promote += 1
        elif decision == PromotionDecision.HOLD_BACK:
            summary.hold_back += 1
        elif decision == PromotionDecision.GRADUATE:
            if school_class.grade == 9:
                summary.graduate_9 += 1
            else:
                summary.graduate_11 += 1
        else:
            summary.leave += 1
        if decision in (PromotionDecision.PROMOTE, PromotionDecision.HOLD_BACK):
            if promotion.target_class_id is None:
                summary.without_target += 1
                row.problem = _("класс в новом году не выбран")
            else:
                targets[promotion.target_class_id] += 1
                target_classes[promotion.target_class_id] = promotion.target_class
        if not applied and on_roll.get(promotion.pupil_id) != school_class.pk:
            board.stale_rows += 1
            row.problem = _("учащийся больше не числится в этом классе на конец года")
        if with_options:
            if school_class.pk not in options_by_class:
                options_by_class[school_class.pk] = promotion_options(school_class, next_classes)
            row.options_html = promotion_options_html(options_by_class[school_class.pk], value, row.label)
        group.rows.append(row)
    board.missing_pupils = len(set(on_roll) - previewed)
    board.missing_classes = [f"{grade} «{letter}»" for grade, letter in sorted(missing_classes)]
    summary.by_target = sorted(
        ((target_classes[pk], count) for pk, count in targets.items()), key=lambda item: (item[0].grade, item[0].letter)
    )
    for group in board.classes:
        decisions = Counter(row.label for row in group.rows)
        group.summary = "; ".join(f"{label}: {count}" for label, count in decisions.most_common())
    return board
