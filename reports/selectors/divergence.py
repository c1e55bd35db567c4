"""Сравнение среднего балла и итоговой отметки: period (or year) marks that differ from the pupil's weighted average
of the current marks of that period by more than the school's threshold (REPORTS.md: the objectivity check).

Eight queries whatever the number of pupils, classes or marks: the settings, the assignments, the periods and the
grades' schemes, the pass/fail subjects, the class lists, the period marks, and the sums of the current marks (one
aggregate query: ``reports.selectors.results.current_mark_sums``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from journal.models import CurriculumEntry, Enrollment, PeriodMark, SchoolYear

from .results import NUMERIC, current_mark_sums, period_frame, resolve_for_classes, weighted_from_sums
from .settings import report_settings


@dataclass
class DivergenceRow:
    pupil: str
    school_class: str
    subject: str
    teacher: str
    average: Decimal
    marks_count: int
    mark: int
    difference: Decimal  # the mark minus the average: positive when the mark is higher


@dataclass
class Divergence:
    year: SchoolYear | None
    threshold: Decimal
    label: str
    rows: list[DivergenceRow]
    checked: int  # period marks compared


def mark_divergence(scope, data: dict, *, progress=None) -> Divergence:
    settings = report_settings(scope.school)
    threshold = settings.divergence_threshold
    year = data.get("year")
    if year is None:
        return Divergence(None, threshold, "", [], 0)
    assignments = scope.assignments.filter(year=year).select_related(
        "school_class__year", "subject", "teacher", "subgroup"
    )
    if data.get("school_class"):
        assignments = assignments.filter(school_class=data["school_class"])
    if data.get("subject"):
        assignments = assignments.filter(subject=data["subject"])
    assignments = list(assignments)
    classes = list({a.school_class_id: a.school_class for a in assignments}.values())
    if not classes:
        return Divergence(year, threshold, "", [], 0)
    periods, kinds = period_frame(classes)
    choices = resolve_for_classes(classes, data["period"], periods, kinds)
    assignments = [a for a in assignments if a.school_class_id in choices]
    if not assignments:
        return Divergence(year, threshold, "", [], 0)
    class_ids = {a.school_class_id for a in assignments}
    pass_fail = set(
        CurriculumEntry.objects.filter(school_class_id__in=class_ids, is_pass_fail=True).values_list(
            "school_class_id", "subject_id"
        )
    )
    # The class list on each class's last day of the period: a pupil counts for the class they are in then.
    last_days = [choices[class_id].end for class_id in class_ids]
    names: dict[tuple[int, int], str] = {}
    for class_id, pupil_id, last, first, middle, date_from, date_to in (
        Enrollment.objects.filter(school_class_id__in=class_ids, date_from__lte=max(last_days))
        .exclude(date_to__lt=min(last_days))
        .values_list(
            "school_class_id",
            "pupil_id",
            "pupil__user__last_name",
            "pupil__user__first_name",
            "pupil__user__middle_name",
            "date_from",
            "date_to",
        )
    ):
        end = choices[class_id].end
        if date_from <= end and (date_to is None or date_to >= end):
            names[(class_id, pupil_id)] = " ".join(part for part in (last, first, middle) if part)
    condition = Q()
    for class_id in class_ids:
        choice = choices[class_id]
        condition |= Q(kind=choice.kind, period_id=choice.period_id, assignment__school_class_id=class_id)
    marks = PeriodMark.objects.filter(
        condition, assignment_id__in=[a.pk for a in assignments], value__in=NUMERIC
    ).values_list("pupil_id", "assignment_id", "value")
    windows: dict[tuple, set[int]] = {}
    for class_id in class_ids:
        windows.setdefault((choices[class_id].start, choices[class_id].end), set()).add(class_id)
    window_sums = dict(zip(windows, current_mark_sums([(s, e, ids) for (s, e), ids in windows.items()]), strict=True))
    by_id = {a.pk: a for a in assignments}
    rows, checked = [], 0
    for pupil_id, assignment_id, value in marks:
        assignment = by_id[assignment_id]
        name = names.get((assignment.school_class_id, pupil_id))
        if name is None or (assignment.school_class_id, assignment.subject_id) in pass_fail:
            continue
        choice = choices[assignment.school_class_id]
        sums = window_sums[(choice.start, choice.end)]
        total, weights, count = sums.get((pupil_id, assignment_id), (Decimal(0), Decimal(0), 0))
        average = weighted_from_sums(total, weights)
        if average is None:
            continue
        checked += 1
        difference = int(value) - average
        if abs(difference) > threshold:
            subject = assignment.subject.name + (f", {assignment.subgroup.name}" if assignment.subgroup_id else "")
            rows.append(
                DivergenceRow(
                    pupil=name,
                    school_class=str(assignment.school_class),
                    subject=subject,
                    teacher=assignment.teacher.short_name,
                    average=average,
                    marks_count=count,
                    mark=int(value),
                    difference=difference,
                )
            )
    grade_order = {c.pk: (c.grade, c.letter) for c in classes}
    class_of = {str(c): grade_order[c.pk] for c in classes}
    rows.sort(key=lambda r: (class_of[r.school_class], r.subject, r.pupil))
    labels = sorted({choices[class_id].label for class_id in class_ids})
    if progress is not None:
        progress(1, 1)
    return Divergence(year, threshold, ", ".join(labels), rows, checked)
