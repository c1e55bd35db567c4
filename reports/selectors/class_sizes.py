"""Наполняемость классов on a date: pupils on the roll by class, boys and girls, and the subgroups (3 queries)."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from journal.models import Enrollment, SchoolYear, Subgroup
from journal.selectors.structure import active_enrollments

from ..access import ReportScope


@dataclass
class ClassSize:
    name: str
    grade: int
    class_teacher: str
    boys: int = 0
    girls: int = 0
    unknown: int = 0
    subgroups: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.boys + self.girls + self.unknown


@dataclass
class ClassSizes:
    year: SchoolYear | None
    on_date: dt.date
    classes: list[ClassSize]


def class_sizes(scope: ReportScope, data: dict, *, progress=None) -> ClassSizes:
    year: SchoolYear | None = data.get("year")
    today = timezone.localdate()
    on_date = data.get("on_date") or (min(max(today, year.start_date), year.end_date) if year else today)
    if year is None:
        return ClassSizes(year=None, on_date=on_date, classes=[])
    classes = scope.classes.filter(year=year).select_related("class_teacher").order_by("grade", "letter")
    if data.get("grade"):
        classes = classes.filter(grade=data["grade"])
    rows = {
        c.pk: ClassSize(name=str(c), grade=c.grade, class_teacher=c.class_teacher.short_name if c.class_teacher else "")
        for c in classes
    }
    on_roll = Enrollment.objects.filter(active_enrollments(on_date), school_class_id__in=rows).values_list(
        "school_class_id", "pupil_id", "pupil__sex"
    )
    pupils_on_roll: dict[int, set[int]] = defaultdict(set)
    for class_id, pupil_id, sex in on_roll:
        row = rows[class_id]
        pupils_on_roll[class_id].add(pupil_id)
        if sex == "m":
            row.boys += 1
        elif sex == "f":
            row.girls += 1
        else:
            row.unknown += 1
    members = Counter()
    names = {}
    for subgroup_id, class_id, name, pupil_id in Subgroup.objects.filter(school_class_id__in=rows).values_list(
        "pk", "school_class_id", "name", "pupils"
    ):
        names[subgroup_id] = (class_id, name)
        if pupil_id is not None and pupil_id in pupils_on_roll[class_id]:
            members[subgroup_id] += 1
    for subgroup_id, (class_id, name) in sorted(names.items(), key=lambda item: item[1][1]):
        rows[class_id].subgroups.append((name, members[subgroup_id]))
    return ClassSizes(year=year, on_date=on_date, classes=list(rows.values()))
