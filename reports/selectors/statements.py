"""Reads of the справки по итогам проверки: who sees which (the administration the school's, drafts included; a
teacher the sent ones addressed to them), the lists, what waits for acknowledgement, and a справка prepared for its
page and its PDF from the figures frozen in it.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.access import is_school_management
from accounts.choices import Role
from accounts.models import School, User
from journal.lock import school_today
from journal.models import SchoolClass

from ..access import report_scope
from ..models import AuditStatement, AuditStatementRecipient
from .audit.base import GROUP_TITLES, AuditContext, AuditResult, run_audit
from .audit.summary import SCORE_DEFINITION, AuditSummary, teacher_summary

FIGURES_VERSION = 1


def _row_dict(row) -> dict:
    return {
        "lessons": row.lessons,
        "counts": {slug: count for slug, count in row.counts.items() if count},
        "lapses": row.findings,
        "weighted": row.weighted,
        "score": row.score,
    }


def freeze_figures(result: AuditResult, summary: AuditSummary, school_class: SchoolClass | None) -> dict:
    """The audit as plain JSON, enough to print the справка without the live engine: the checks (titles, clauses,
    weights), a row per teacher (lessons, a count per check, lapses, score), the school's totals, the classes of the
    scope with their class teachers and lapses, and the dates."""
    ctx = result.context
    weights = {check.slug: check.weight for check in summary.checks}
    teacher_ids = [row.key for row in summary.rows if row.key is not None]
    classes = {assignment.school_class_id: assignment.school_class for assignment in ctx.assignments}
    if school_class is not None:
        classes.setdefault(school_class.pk, school_class)
    people_ids = set(teacher_ids) | {c.class_teacher_id for c in classes.values() if c.class_teacher_id}
    people = {
        user.pk: user
        for user in User.objects.filter(pk__in=people_ids).only(
            "pk", "username", "last_name", "first_name", "middle_name", "is_active", "role", "school_id"
        )
    }
    class_lapses = Counter(
        finding.class_id for finding in result.findings if finding.class_id and weights.get(finding.check, 1) > 0
    )
    teachers = []
    for row in sorted(summary.rows, key=lambda row: (row.key is None, row.title.lower())):
        person = people.get(row.key) if row.key is not None else None
        teachers.append(
            {
                "id": row.key,
                "name": row.title,
                "full_name": person.full_name if person is not None else row.title,
                **_row_dict(row),
            }
        )
    class_rows = []
    for item in sorted(classes.values(), key=lambda c: (c.grade, c.letter)):
        teacher = people.get(item.class_teacher_id) if item.class_teacher_id else None
        class_rows.append(
            {
                "id": item.pk,
                "name": str(item),
                "class_teacher_id": item.class_teacher_id,
                "class_teacher": teacher.short_name if teacher is not None else "",
                "class_teacher_full_name": teacher.full_name if teacher is not None else "",
                "lapses": class_lapses.get(item.pk, 0),
            }
        )
    return {
        "version": FIGURES_VERSION,
        "start": ctx.start.isoformat(),
        "end": ctx.end.isoformat(),
        "today": ctx.today.isoformat(),
        "last_day": ctx.last_day.isoformat(),
        "school_class": {"id": school_class.pk, "name": str(school_class)} if school_class is not None else None,
        "checks": [
            {
                "slug": check.slug,
                "title": check.title,
                "group": check.group,
                "group_title": GROUP_TITLES.get(check.group, check.group),
                "clause": check.clause,
                "description": check.description,
                "weight": check.weight,
            }
            for check in summary.checks
        ],
        "teachers": teachers,
        "totals": {**_row_dict(summary.totals), "teachers": len(teacher_ids)},
        "classes": class_rows,
        "score_definition": SCORE_DEFINITION,
    }


def audit_figures(actor: User, start: dt.date, end: dt.date, school_class: SchoolClass | None) -> dict:
    scope = report_scope(actor)
    context = AuditContext(
        scope=scope,
        start=start,
        end=end,
        today=school_today(scope.school),
        class_id=school_class.pk if school_class is not None else None,
    )
    result = run_audit(context)
    return freeze_figures(result, teacher_summary(result), school_class)


def plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def candidate_teachers(figures: dict) -> dict[int, dict]:
    """The teachers of the audit (rows with a person), by id."""
    return {row["id"]: row for row in figures.get("teachers", []) if row.get("id")}


def candidate_class_teachers(figures: dict) -> dict[int, list[dict]]:
    """The class teachers of the audited classes, by id, each with their classes."""
    out: dict[int, list[dict]] = {}
    for row in figures.get("classes", []):
        if row.get("class_teacher_id"):
            out.setdefault(row["class_teacher_id"], []).append(row)
    return out


def default_recipients(figures: dict) -> tuple[set[int], set[int]]:
    """The teachers with lapses, and the class teachers of the classes with lapses."""
    teachers = {pk for pk, row in candidate_teachers(figures).items() if row.get("lapses")}
    class_teachers = {
        pk for pk, rows in candidate_class_teachers(figures).items() if any(row.get("lapses") for row in rows)
    }
    return teachers, class_teachers


def _is_school_user(user: User) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and user.school_id is not None


def _superseded() -> Exists:
    """A справка that a sent correction replaces."""
    return Exists(AuditStatement.objects.filter(replaces_id=OuterRef("pk"), sent_at__isnull=False))


def visible_statements(user: User) -> QuerySet[AuditStatement]:
    """The справки a user may open: the administration all of their school's (drafts too), a staff member the sent
    ones addressed to them; nobody else any."""
    if not _is_school_user(user):
        return AuditStatement.objects.none()
    statements = AuditStatement.objects.filter(school_id=user.school_id)
    if is_school_management(user):
        return statements
    if not user.is_staff_member:
        return AuditStatement.objects.none()
    return statements.filter(sent_at__isnull=False, recipients__user_id=user.pk)


def statement_for_user(user: User, pk: int) -> AuditStatement:
    """A справка the user may open, with its school, class, author and the справка it corrects; 404 otherwise."""
    statement = (
        visible_statements(user).select_related("school", "school_class", "author", "replaces").filter(pk=pk).first()
    )
    if statement is None:
        raise Http404
    return statement


def school_statements(school: School) -> QuerySet[AuditStatement]:
    """The school's справки, newest first, with the number of recipients and of those who have not acknowledged."""
    return (
        AuditStatement.objects.filter(school=school)
        .select_related("author", "school_class", "replaces")
        .annotate(
            recipients_total=Count("recipients"),
            recipients_pending=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=True)),
            recipients_acknowledged=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False)),
            superseded=_superseded(),
        )
        .order_by("-number")
    )


def user_statements(user: User) -> QuerySet[AuditStatement]:
    """The sent справки addressed to the user («Мои справки»), newest first, each with the user's
    ``acknowledged_at``."""
    if not _is_school_user(user):
        return AuditStatement.objects.none()
    mine = AuditStatementRecipient.objects.filter(statement_id=OuterRef("pk"), user_id=user.pk)
    return (
        AuditStatement.objects.filter(school_id=user.school_id, sent_at__isnull=False, recipients__user_id=user.pk)
        .select_related("author", "school_class", "replaces")
        .annotate(acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]), superseded=_superseded())
        .order_by("-sent_at", "-number")
    )


def unacknowledged_statements(user: User) -> QuerySet[AuditStatement]:
    """The sent справки the user has not acknowledged yet (the teacher's home page); one a sent correction replaces
    is left out: the correction is the one to read."""
    if not _is_school_user(user):
        return AuditStatement.objects.none()
    return (
        AuditStatement.objects.filter(
            school_id=user.school_id,
            sent_at__isnull=False,
            recipients__user_id=user.pk,
            recipients__acknowledged_at__isnull=True,
        )
        .exclude(_superseded())
        .select_related("author")
        .order_by("-sent_at", "-number")
    )


def statements_awaiting(school: School) -> QuerySet[AuditStatement]:
    """The school's sent справки that some recipients have not acknowledged yet (the deputy's dashboard), each with
    ``recipients_total`` and ``recipients_pending``; a справка replaced by a sent correction is left out."""
    return (
        AuditStatement.objects.filter(school=school, sent_at__isnull=False)
        .exclude(_superseded())
        .annotate(
            recipients_total=Count("recipients"),
            recipients_pending=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=True)),
        )
        .filter(recipients_pending__gt=0)
        .order_by("-sent_at", "-number")
    )


# -- a справка on its page and in print ------------------------------------------------------------------------------


@dataclass
class RecipientLine:
    user_id: int
    full_name: str
    short_name: str
    position: str
    acknowledged_at: dt.datetime | None  # in the school's time zone


@dataclass
class CheckLine:
    group: str
    title: str
    clause: str
    description: str
    weight: int
    count: int
    teachers: int


@dataclass
class TeacherLine:
    name: str
    lessons: int
    lapses: int
    score: int | None
    details: str  # «Без темы — 5; Д/з позже срока — 2»


@dataclass
class ClassLine:
    name: str
    class_teacher: str
    lapses: int


@dataclass
class StatementPage:
    """A справка ready for its page and its PDF: the tables from its frozen figures, the recipients with their
    positions and acknowledgements, and the справки it is linked with."""

    statement: AuditStatement
    dates: str
    scope: str
    checks: list[CheckLine]
    teachers: list[TeacherLine]
    classes: list[ClassLine]
    totals: dict
    score_definition: str
    recipients: list[RecipientLine]
    corrections: list[AuditStatement] = field(default_factory=list)
    pending: int = 0
    author_position: str = ""  # «заместитель директора по УВР», as in «Проверку провёл(а): …»

    @property
    def acknowledged(self) -> int:
        return len(self.recipients) - self.pending


ROLE_POSITIONS = {
    Role.TEACHER: "учитель",
    Role.DEPUTY: "заместитель директора по УВР",
    Role.DIRECTOR: "директор",
    Role.ADMIN: "администратор",
}


def _position(user: User, as_class_teacher: bool, classes: list[str]) -> str:
    position = ROLE_POSITIONS.get(user.role, user.get_role_display().lower())
    if as_class_teacher:
        position += ", классный руководитель" + (f" {', '.join(classes)}" if classes else "")
    return position[:1].upper() + position[1:]


def statement_page(statement: AuditStatement, *, user: User | None = None) -> StatementPage:
    """The справка prepared from its figures (the live journal is not read), with its recipients (one query) and
    its corrections (one query: the sent ones; for the administration, drafts too)."""
    figures = statement.figures or {}
    zone = ZoneInfo(statement.school.time_zone)
    totals = figures.get("totals", {})
    counts = totals.get("counts", {})
    checks_by_slug = {check["slug"]: check for check in figures.get("checks", [])}
    teacher_rows = figures.get("teachers", [])
    checks = []
    for check in figures.get("checks", []):
        count = counts.get(check["slug"], 0)
        if not count:
            continue
        checks.append(
            CheckLine(
                group=check.get("group_title", ""),
                title=check["title"],
                clause=check.get("clause", ""),
                description=check.get("description", ""),
                weight=check.get("weight", 1),
                count=count,
                teachers=sum(1 for row in teacher_rows if row["counts"].get(check["slug"])),
            )
        )
    order = {check["slug"]: index for index, check in enumerate(figures.get("checks", []))}
    teachers = []
    for row in teacher_rows:
        details = "; ".join(
            f"{checks_by_slug[slug]['title'] if slug in checks_by_slug else slug} — {count}"
            for slug, count in sorted(row["counts"].items(), key=lambda item: order.get(item[0], len(order)))
        )
        teachers.append(
            TeacherLine(
                name=row["name"], lessons=row["lessons"], lapses=row["lapses"], score=row["score"], details=details
            )
        )
    classes = [
        ClassLine(name=row["name"], class_teacher=row.get("class_teacher", ""), lapses=row.get("lapses", 0))
        for row in figures.get("classes", [])
    ]
    class_names: dict[int, list[str]] = {}
    for row in figures.get("classes", []):
        if row.get("class_teacher_id"):
            class_names.setdefault(row["class_teacher_id"], []).append(row["name"])
    recipients = []
    for row in statement.recipients.select_related("user").order_by("user__last_name", "user__first_name"):
        recipients.append(
            RecipientLine(
                user_id=row.user_id,
                full_name=row.user.full_name,
                short_name=row.user.short_name,
                position=_position(row.user, row.as_class_teacher, class_names.get(row.user_id, [])),
                acknowledged_at=timezone.localtime(row.acknowledged_at, zone) if row.acknowledged_at else None,
            )
        )
    corrections = statement.corrections.select_related("author").order_by("number")
    if user is None or not is_school_management(user):
        corrections = corrections.filter(sent_at__isnull=False)
    start, end = statement.start, statement.end
    school_class = figures.get("school_class")
    return StatementPage(
        statement=statement,
        dates=f"{start:%d.%m.%Y} – {end:%d.%m.%Y}",
        scope=f"{school_class['name']} класс" if school_class else "вся школа",
        checks=checks,
        teachers=teachers,
        classes=classes,
        totals=totals,
        score_definition=figures.get("score_definition", ""),
        recipients=recipients,
        corrections=list(corrections),
        pending=sum(1 for row in recipients if row.acknowledged_at is None),
        author_position=ROLE_POSITIONS.get(statement.author.role, statement.author.get_role_display()),
    )
