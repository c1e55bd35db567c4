"""The control page's figures: an ``AuditResult`` turned into a row per teacher (lessons held, a count per check, the
weighted lapses and the journal's score) and, for a teacher's drill-down, a row per assignment.

The score of the journal's state (printed on the page as ``SCORE_DEFINITION``)::

    score = 100 − 100 × (weighted lapses) ÷ (lessons held), clamped to 0…100 and rounded to a whole number

where a lapse weighs its check's ``weight`` and «lessons held» are the teacher's lessons in the journal of the dates,
up to today (``AuditContext.lessons``; the lessons a substitute taught count for the substitute). A teacher with no lesson held and no lapse has no score («—»); with no
lesson held but a lapse (e.g. a missing КТП) the divisor is 1, so the score is 0 at the first full lapse.
"""

from collections import Counter
from dataclasses import dataclass, field

from accounts.models import User

from . import base
from .base import GROUP_TITLES, AuditResult, Check, Finding

SCORE_DEFINITION = (
    "Оценка состояния журнала = 100 − 100 × (взвешенное число нарушений) ÷ (число уроков), в пределах от 0 до "
    "100, с округлением до целого. Уроки — уроки учителя в журнале за проверенные даты, не позже сегодняшнего "
    "дня; урок, проведённый на замене, считается заменявшему учителю. Вес нарушения задаёт проверка (указан ниже). "
    "Нет уроков и нет нарушений — оценки нет (—); нет уроков, но есть нарушения — делитель равен 1. "
    "«Нарушений» — число нарушений с весом больше 0 (проверки с весом 0 — для сведения)."
)


def ordered_checks() -> list[Check]:
    """The registered checks in the page's order: by group (``GROUP_TITLES``' order), then as registered."""
    groups = list(GROUP_TITLES)
    order = {slug: index for index, slug in enumerate(groups)}
    return sorted(base.CHECKS, key=lambda check: order.get(check.group, len(groups)))


def score(weighted: int, lessons: int) -> int | None:
    if not lessons and not weighted:
        return None
    value = 100 - 100 * weighted / max(lessons, 1)
    return max(0, min(100, round(value)))


@dataclass
class AuditRow:
    """One teacher (or, in the drill-down, one assignment): lessons held, a count per check, lapses and score."""

    key: int | None  # the teacher's (the assignment's) id; None: findings without one
    title: str
    lessons: int = 0
    counts: Counter = field(default_factory=Counter)
    weighted: int = 0
    findings: int = 0  # the lapses: findings of checks weighing more than 0

    @property
    def score(self) -> int | None:
        return score(self.weighted, self.lessons)

    def add(self, finding: Finding, weights: dict[str, int]) -> None:
        """Count the finding in its check's column; a lapse (weight above 0) also in the lapses and the score."""
        weight = weights.get(finding.check, 1)
        self.counts[finding.check] += 1
        if weight > 0:
            self.findings += 1
            self.weighted += weight


@dataclass
class AuditSummary:
    checks: list[Check]
    rows: list[AuditRow]
    totals: AuditRow

    def sorted_rows(self, key: str, descending: bool = False) -> list[AuditRow]:
        """The rows sorted by a column: «teacher», «lessons», «lapses», «score» or a check's slug."""
        return sort_rows(self.rows, key, descending)


SORT_KEYS = ("teacher", "lessons", "lapses", "score")


def sort_rows(rows: list[AuditRow], key: str, descending: bool = False) -> list[AuditRow]:
    by_title = sorted(rows, key=lambda row: row.title.lower())
    if key == "teacher":
        return list(reversed(by_title)) if descending else by_title
    if key == "lessons":
        value = lambda row: row.lessons  # noqa: E731
    elif key == "lapses":
        value = lambda row: row.findings  # noqa: E731
    elif key == "score":
        # Rows without a score go last either way.
        present = [row for row in by_title if row.score is not None]
        absent = [row for row in by_title if row.score is None]
        return sorted(present, key=lambda row: row.score, reverse=descending) + absent
    else:
        value = lambda row: row.counts.get(key, 0)  # noqa: E731
    return sorted(by_title, key=value, reverse=descending)  # stable: ties stay by name


def _weights(checks: list[Check]) -> dict[str, int]:
    return {check.slug: check.weight for check in checks}


def teacher_summary(result: AuditResult) -> AuditSummary:
    """A row per teacher: every teacher of the audited assignments, every substitute who taught a lesson of them,
    and anyone a finding is charged to; findings charged to nobody make a row «Без учителя»."""
    ctx = result.context
    checks = ordered_checks()
    weights = _weights(checks)
    names: dict[int, str] = {}
    for assignment in ctx.assignments:
        if assignment.teacher_id is not None and assignment.teacher is not None:
            names[assignment.teacher_id] = assignment.teacher.short_name
    lessons = Counter(ctx.teacher_of(lesson) for lesson in ctx.lessons)
    wanted = {key for key in lessons if key is not None} | {f.teacher_id for f in result.findings if f.teacher_id}
    if ctx.teacher_id:
        wanted.add(ctx.teacher_id)
    missing = wanted - set(names)
    if missing:  # substitutes from outside the audited assignments: one query
        for user in User.objects.filter(pk__in=missing).only(
            "pk", "username", "last_name", "first_name", "middle_name"
        ):
            names[user.pk] = user.short_name
    if ctx.teacher_id is not None:  # the drill-down: that teacher's row only
        names = {ctx.teacher_id: names.get(ctx.teacher_id, "")}
    rows = {pk: AuditRow(key=pk, title=name, lessons=lessons.get(pk, 0)) for pk, name in names.items()}
    totals = AuditRow(key=None, title="Итого", lessons=sum(row.lessons for row in rows.values()))
    for finding in result.findings:
        row = rows.get(finding.teacher_id)
        if row is None:
            if ctx.teacher_id is not None:
                continue
            row = rows.setdefault(None, AuditRow(key=None, title="Без учителя"))
        row.add(finding, weights)
        totals.add(finding, weights)
    return AuditSummary(checks=checks, rows=list(rows.values()), totals=totals)


def assignment_summary(result: AuditResult, teacher_id: int) -> AuditSummary:
    """The drill-down's first table: a row per assignment (class and subject) of the teacher's findings and
    lessons; lessons the teacher taught on another's assignment are counted where they were taught."""
    ctx = result.context
    checks = ordered_checks()
    weights = _weights(checks)
    rows: dict[int | None, AuditRow] = {}

    def row_for(assignment_id: int | None) -> AuditRow:
        if assignment_id not in rows:
            assignment = ctx.assignment_by_id.get(assignment_id) if assignment_id is not None else None
            title = f"{assignment.school_class} · {assignment.subject}" if assignment else "Прочее"
            if assignment is not None and assignment.subgroup_id:
                title = f"{title} ({assignment.subgroup})"
            rows[assignment_id] = AuditRow(key=assignment_id, title=title)
        return rows[assignment_id]

    for assignment in ctx.assignments:
        if assignment.teacher_id == teacher_id:
            row_for(assignment.pk)
    for lesson in ctx.lessons:
        if ctx.teacher_of(lesson) == teacher_id:
            row_for(lesson.assignment_id).lessons += 1
    totals = AuditRow(key=None, title="Итого")
    for finding in result.findings:
        if finding.teacher_id != teacher_id:
            continue
        row_for(finding.assignment_id).add(finding, weights)
        totals.add(finding, weights)
    totals.lessons = sum(row.lessons for row in rows.values())
    return AuditSummary(checks=checks, rows=list(rows.values()), totals=totals)


def teacher_findings(result: AuditResult, teacher_id: int) -> list[tuple[Check | None, list[Finding]]]:
    """The teacher's findings by check, in the page's order, each list by date."""
    checks = ordered_checks()
    by_check: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.teacher_id == teacher_id:
            by_check.setdefault(finding.check, []).append(finding)
    known = {check.slug: check for check in checks}
    out: list[tuple[Check | None, list[Finding]]] = []
    for check in checks:
        if by_check.get(check.slug):
            out.append((check, sorted(by_check[check.slug], key=_finding_order)))
    for slug, findings in by_check.items():
        if slug not in known:
            out.append((None, sorted(findings, key=_finding_order)))
    return out


def _finding_order(finding: Finding):
    return (finding.day is None, finding.day or 0, finding.class_id or 0, finding.text)
