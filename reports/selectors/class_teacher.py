"""Отчёт классного руководителя за период: the class's movement, results, attendance and pupils at risk, in one read.

It reuses the reports' engines: the results (``reports.selectors.results.class_results``), the attendance
(``reports.selectors.attendance.class_attendance``) and the journal's roster over the period
(``journal.selectors.closing.class_roster``), for one class. A constant number of queries (pinned in the tests).
"""

import datetime as dt
from dataclasses import dataclass, field

from journal.models import SchoolClass
from journal.selectors.closing import RosterRow, class_roster

from ..access import ReportScope
from .attendance import ClassAttendance, class_attendance
from .results import ClassReport, ClassResults, class_results
from .settings import report_settings

# Unexcused lessons in the period from which a pupil is listed at risk (a school's usual alarm line).
UNEXCUSED_RISK = 10


@dataclass
class MovementLine:
    name: str
    event: str  # «прибыл(а)» / «выбыл(а)»
    day: dt.date
    basis: str


@dataclass
class RiskLine:
    name: str
    failing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexcused: int = 0


@dataclass
class ClassTeacherReport:
    school_class: SchoolClass | None
    settings: object
    results: ClassResults | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    at_start: int = 0
    at_end: int = 0
    movement: list[MovementLine] = field(default_factory=list)
    attendance: ClassAttendance | None = None
    risk: list[RiskLine] = field(default_factory=list)

    @property
    def class_report(self) -> ClassReport:
        """The results part as «Итоги успеваемости» lays it out (the whole class)."""
        return ClassReport(self.school_class, True, self.results, set(), self.settings)


def _movement(roster: list[RosterRow], start: dt.date, end: dt.date) -> tuple[int, int, list[MovementLine]]:
    at_start = sum(1 for row in roster if row.is_enrolled(start))
    at_end = sum(1 for row in roster if row.is_enrolled(end))
    lines: list[MovementLine] = []
    for row in roster:
        name = row.pupil.user.full_name
        for span in row.spans:
            enrollment = span.enrollment
            if enrollment.date_from > start:
                lines.append(MovementLine(name, "прибыл(а)", enrollment.date_from, enrollment.reason_in))
            if enrollment.date_to is not None and enrollment.date_to < end:
                lines.append(MovementLine(name, "выбыл(а)", enrollment.date_to, enrollment.reason_out))
    lines.sort(key=lambda line: (line.day, line.name))
    return at_start, at_end, lines


def class_teacher_report(scope: ReportScope, data: dict, *, progress=None) -> ClassTeacherReport:
    settings = report_settings(scope.school)
    school_class: SchoolClass | None = data.get("school_class")
    if school_class is None or not scope.classes.filter(pk=school_class.pk).exists():
        return ClassTeacherReport(None, settings)
    report = ClassTeacherReport(school_class, settings)
    report.results = class_results(school_class, data["period"], settings)
    if report.results is None:
        return report
    start, end = report.results.period.start, report.results.period.end
    report.start, report.end = start, end
    roster = class_roster(school_class, start, end)
    report.at_start, report.at_end, report.movement = _movement(roster, start, end)
    blocks = class_attendance([school_class], start, end)
    report.attendance = blocks[0] if blocks else None
    unexcused = {}
    if report.attendance is not None:
        unexcused = {row.pupil.user.full_name: row.totals.unexcused for row in report.attendance.pupils}
    risk = {name: RiskLine(name, failing, missing) for name, failing, missing in report.results.at_risk}
    for name, count in unexcused.items():
        if count >= UNEXCUSED_RISK:
            risk.setdefault(name, RiskLine(name)).unexcused = count
    for line in risk.values():
        line.unexcused = unexcused.get(line.name, 0)
    report.risk = sorted(risk.values(), key=lambda line: line.name)
    return report
