"""Итоговые данные по обучающимся: each pupil on a class's list at the end of the year with their year marks per
subject, the number of unsatisfactory year marks and of subjects without one, and the promotion decision.

A class, a grade or the whole school in the same fixed number of queries (8), whatever the number of pupils.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from journal.models import (
    Enrollment,
    PeriodMark,
    PeriodMarkKind,
    Promotion,
    PromotionDecision,
    SchoolClass,
    SchoolYear,
    Subgroup,
    SubjectExemption,
)
from journal.selectors.closing import PUPIL_ORDER, decision_label
from journal.selectors.structure import active_enrollments

from ..access import ReportScope
from .summary_sheet import EXEMPT, SheetSubject, class_subjects

UNSATISFACTORY = {"1", "2", "нз"}
NO_DECISION = "none"


@dataclass
class FinalPupil:
    school_class: SchoolClass
    pupil_id: int
    name: str
    marks: dict[int, str] = field(default_factory=dict)  # subject -> the year mark, «осв.», or "" (none)
    unsatisfactory: int = 0  # year marks 1, 2 or «нз»
    unattested: int = 0  # subjects taught to the pupil with no year mark (and no exemption for the year)
    decision: str = NO_DECISION  # a PromotionDecision value, or NO_DECISION
    decision_label: str = ""
    on_list: bool = True  # False: has a decision in this class but is no longer on its list at the year's end

    @property
    def debtor(self) -> bool:
        """Академическая задолженность: an unsatisfactory year mark or a subject without one."""
        return bool(self.unsatisfactory or self.unattested)


@dataclass
class ClassTotals:
    school_class: SchoolClass | None  # None: all the classes shown
    pupils: int = 0
    decisions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    promoted_with_debt: int = 0  # переведены условно: promoted with an academic debt
    with_unsatisfactory: int = 0
    unattested: int = 0


@dataclass
class FinalData:
    year: SchoolYear | None
    on_date: dt.date | None
    subjects: list[SheetSubject]  # the union of the classes' subjects, in the curriculum's order
    pupils: list[FinalPupil]
    classes: list[ClassTotals]
    total: ClassTotals


def _classes(scope: ReportScope, year: SchoolYear, data: dict) -> list[SchoolClass]:
    classes = scope.classes.filter(year=year).select_related("class_teacher").order_by("grade", "letter")
    if data.get("school_class") is not None:
        classes = classes.filter(pk=data["school_class"].pk)
    if data.get("grade"):
        classes = classes.filter(grade=data["grade"])
    return list(classes)


def final_data(scope: ReportScope, data: dict, *, progress=None) -> FinalData:
    year: SchoolYear | None = data.get("year")
    if year is None:
        return FinalData(None, None, [], [], [], ClassTotals(None))
    classes = _classes(scope, year, data)
    by_pk = {c.pk: c for c in classes}
    class_ids = list(by_pk)
    if not class_ids:
        return FinalData(year, year.end_date, [], [], [], ClassTotals(None))
    # The list on the year's last day (REPORTS.md: period figures use the list on the period's last day).
    enrollments = (
        Enrollment.objects.filter(active_enrollments(year.end_date), school_class_id__in=class_ids)
        .select_related("pupil__user")
        .order_by(*PUPIL_ORDER, "pupil_id")
    )
    rows: dict[tuple[int, int], FinalPupil] = {}
    for enrollment in enrollments:
        key = (enrollment.school_class_id, enrollment.pupil_id)
        rows.setdefault(key, FinalPupil(by_pk[key[0]], enrollment.pupil_id, enrollment.pupil.user.full_name))
    promotions = Promotion.objects.filter(year=year, from_class_id__in=class_ids).select_related(
        "pupil__user", "from_class", "target_class"
    )
    for promotion in promotions:
        key = (promotion.from_class_id, promotion.pupil_id)
        row = rows.get(key)
        if row is None:  # decided in the preview, but left or moved since
            row = rows[key] = FinalPupil(by_pk[key[0]], promotion.pupil_id, promotion.pupil.user.full_name)
            row.on_list = False
        row.decision = promotion.decision
        row.decision_label = decision_label(promotion)

    subjects_by_class = class_subjects(class_ids)
    union: dict[int, SheetSubject] = {}
    for subjects in subjects_by_class.values():
        for subject in subjects:
            union.setdefault(subject.pk, subject)
    subjects = sorted(union.values(), key=lambda subject: subject.order)

    year_marks = (
        PeriodMark.objects.filter(assignment__school_class_id__in=class_ids, kind=PeriodMarkKind.YEAR)
        .exclude(value="")
        .values_list("assignment__school_class_id", "pupil_id", "assignment__subject_id", "value")
    )
    marks: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for class_id, pupil_id, subject_id, value in year_marks:
        marks[(class_id, pupil_id)][subject_id] = value
    exempt = set(SubjectExemption.objects.filter(year=year, period__isnull=True).values_list("pupil_id", "subject_id"))
    members = set(
        Subgroup.pupils.through.objects.filter(subgroup__school_class_id__in=class_ids).values_list(
            "subgroup_id", "pupilprofile_id"
        )
    )

    ordered = sorted(rows.values(), key=lambda row: (row.school_class.grade, row.school_class.letter))
    for row in ordered:
        pupil_marks = marks.get((row.school_class.pk, row.pupil_id), {})
        for subject in subjects_by_class.get(row.school_class.pk, []):
            value = pupil_marks.get(subject.pk, "")
            if not value and (row.pupil_id, subject.pk) in exempt:
                value = EXEMPT
            row.marks[subject.pk] = value
            if value in UNSATISFACTORY:
                row.unsatisfactory += 1
            due = subject.whole_class or any((group, row.pupil_id) in members for group in subject.subgroup_ids)
            if not value and due:
                row.unattested += 1

    totals = {pk: ClassTotals(c) for pk, c in by_pk.items()}
    total = ClassTotals(None)
    for row in ordered:
        for bucket in (totals[row.school_class.pk], total):
            bucket.pupils += 1
            bucket.decisions[row.decision] += 1
            bucket.with_unsatisfactory += int(row.unsatisfactory > 0)
            bucket.unattested += int(row.unattested > 0)
            bucket.promoted_with_debt += int(row.decision == PromotionDecision.PROMOTE and row.debtor)
    if progress is not None:
        progress(len(classes), len(classes))
    return FinalData(year, year.end_date, subjects, ordered, list(totals.values()), total)
