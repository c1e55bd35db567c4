"""The deputy's control page of the journal (/reports/audit/) and a teacher's drill-down (/reports/audit/teacher/<id>/).

The administration (director, deputy, admin) sees the whole school, a class teacher the same page for their class
(``AuditContext.class_id``); everyone else 404. The tables are joined here in Python (escaped), as
``reports.render.html`` does for the reports: a whole school's month must come in well under 2 s.
"""

from html import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES
from accounts.models import User
from journal.lock import school_today
from journal.models import Lesson

from ..access import CLASS, ReportScope, report_scope
from ..forms.audit import AuditForm
from ..replica import reads_replica
from ..selectors.audit.base import GROUP_TITLES, AuditContext, Check, Finding, run_audit
from ..selectors.audit.summary import (
    SCORE_DEFINITION,
    SORT_KEYS,
    AuditRow,
    AuditSummary,
    assignment_summary,
    ordered_checks,
    sort_rows,
    teacher_findings,
    teacher_summary,
)

DEFAULT_SORT = "score"  # the worst journals first


def _scope(request: HttpRequest) -> ReportScope:
    scope = report_scope(request.user)
    if not scope.may_see(CLASS):  # the administration, or a class teacher
        raise Http404
    return scope


def _context(scope: ReportScope, form: AuditForm, teacher_id: int | None = None) -> AuditContext:
    data = form.cleaned_data
    school_class = data.get("school_class")
    return AuditContext(
        scope=scope,
        start=data["start"],
        end=data["end"],
        today=school_today(scope.school),
        teacher_id=teacher_id,
        class_id=school_class.pk if school_class is not None else None,
    )


def _query(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


def _invalid(request: HttpRequest, form: AuditForm, title: str) -> HttpResponse:
    return render(request, "reports/audit/invalid.html", {"form": form, "title": title}, status=400)


def _legend(checks: list[Check]) -> list[dict]:
    return [
        {
            "group": GROUP_TITLES.get(check.group, check.group),
            "title": check.title,
            "description": check.description,
            "clause": check.clause,
            "weight": check.weight,
        }
        for check in checks
    ]


# -- the tables ---------------------------------------------------------------------------------------------------


def _score_cell(row: AuditRow) -> str:
    value = row.score
    if value is None:
        return '<td class="text-end text-secondary">—</td>'
    css = "text-danger fw-bold" if value < 60 else ("text-warning-emphasis" if value < 85 else "text-success")
    return f'<td class="text-end {css}">{value}</td>'


def _count_cells(row: AuditRow, checks: list[Check]) -> str:
    parts = []
    for check in checks:
        count = row.counts.get(check.slug, 0)
        if count:
            parts.append(f'<td class="text-end">{count}</td>')
        else:
            parts.append('<td class="text-end text-body-tertiary">0</td>')
    return "".join(parts)


def _group_row(checks: list[Check], before: int, after: int) -> str:
    cells = [f'<th colspan="{before}"></th>'] if before else []
    current, span = None, 0
    for check in [*checks, None]:
        group = check.group if check is not None else None
        if group != current or check is None:
            if span:
                title = escape(GROUP_TITLES.get(current, current or ""))
                cells.append(f'<th colspan="{span}" scope="colgroup" class="text-center">{title}</th>')
            current, span = group, 0
        span += 1
    if after:
        cells.append(f'<th colspan="{after}"></th>')
    return f"<tr>{''.join(cells)}</tr>"


def _sort_head(request: HttpRequest, key: str, title: str, sort: str, descending: bool, *, note: str = "") -> str:
    """A sortable header: a link that sorts by the column (again: the other way), with aria-sort when sorted."""
    active = key == sort
    next_value = key if (not active or descending) else f"-{key}"
    href = "?" + _query(request, sort=next_value)
    aria = f' aria-sort="{"descending" if descending else "ascending"}"' if active else ""
    arrow = (" ▼" if descending else " ▲") if active else ""
    end = "" if key == "teacher" else ' class="text-end"'
    hint = f' title="{escape(note)}"' if note else ""
    return (
        f'<th scope="col"{end}{aria}><a href="{escape(href)}" class="link-body-emphasis"{hint}>'
        f"{escape(title)}{arrow}</a></th>"
    )


def _parse_sort(raw: str, checks: list[Check]) -> tuple[str, bool]:
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORT_KEYS and key not in {check.slug for check in checks}:
        return DEFAULT_SORT, False
    return key, descending


TEACHERS_TABLE = "table table-sm table-bordered table-hover bg-white report-table align-middle audit-table"
ASSIGNMENTS_TABLE = "table table-sm table-bordered bg-white report-table align-middle"


def _summary_table(summary: AuditSummary, heads: list[str], caption: str, table_class: str, rows) -> SafeString:
    """The control table: a header row per group of checks, the columns, then ``rows`` — (row, its <th> HTML) —
    each with its lessons, a count per check, lapses and score, and the totals."""
    checks = summary.checks
    out = [
        '<div class="table-responsive mb-3">',
        f'<table class="{table_class}">',
        f'<caption class="caption-top">{escape(caption)}</caption><thead>',
        _group_row(checks, 2, 2),
        f"<tr>{''.join(heads)}</tr></thead><tbody>",
    ]
    for row, head in rows:
        out.append(
            f'<tr>{head}<td class="text-end">{row.lessons}</td>{_count_cells(row, checks)}'
            f'<td class="text-end">{row.findings}</td>{_score_cell(row)}</tr>'
        )
    if not summary.rows:
        out.append(f'<tr><td colspan="{len(checks) + 4}" class="text-secondary">{escape(_("Нет данных."))}</td></tr>')
    totals = summary.totals
    out.append(
        f'</tbody><tfoot><tr class="fw-bold"><th scope="row">{escape(_("Итого"))}</th>'
        f'<td class="text-end">{totals.lessons}</td>{_count_cells(totals, checks)}'
        f'<td class="text-end">{totals.findings}</td>{_score_cell(totals)}</tr></tfoot></table></div>'
    )
    return mark_safe("".join(out))  # every text above went through escape()


def teachers_table(request: HttpRequest, summary: AuditSummary, sort: str, descending: bool) -> SafeString:
    query = _query(request, sort=None)
    heads = [_sort_head(request, "teacher", _("Учитель"), sort, descending)]
    heads.append(_sort_head(request, "lessons", _("Уроков"), sort, descending, note=_("Проведено уроков за даты")))
    for check in summary.checks:
        heads.append(_sort_head(request, check.slug, check.title, sort, descending, note=check.description))
    heads.append(_sort_head(request, "lapses", _("Нарушений"), sort, descending))
    heads.append(_sort_head(request, "score", _("Оценка"), sort, descending, note=_("Оценка состояния журнала")))

    def head(row) -> str:
        if row.key is None:
            return f'<th scope="row" class="fw-normal fst-italic">{escape(row.title)}</th>'
        href = reverse("reports:audit-teacher", args=[row.key]) + (f"?{query}" if query else "")
        return f'<th scope="row" class="fw-normal"><a href="{escape(href)}">{escape(row.title)}</a></th>'

    rows = [(row, head(row)) for row in sort_rows(summary.rows, sort, descending)]
    return _summary_table(summary, heads, _("Нарушения по учителям"), TEACHERS_TABLE, rows)


def assignments_table(summary: AuditSummary) -> SafeString:
    heads = [
        f'<th scope="col">{escape(_("Класс и предмет"))}</th>',
        f'<th scope="col" class="text-end">{_("Уроков")}</th>',
    ]
    for check in summary.checks:
        heads.append(f'<th scope="col" class="text-end" title="{escape(check.description)}">{escape(check.title)}</th>')
    heads.append(f'<th scope="col" class="text-end">{escape(_("Нарушений"))}</th>')
    heads.append(f'<th scope="col" class="text-end">{escape(_("Оценка"))}</th>')
    rows = [(row, f'<th scope="row" class="fw-normal">{escape(row.title)}</th>') for row in summary.rows]
    return _summary_table(summary, heads, _("Классы и предметы учителя"), ASSIGNMENTS_TABLE, rows)


def findings_html(groups: list[tuple[Check | None, list[Finding]]], where: dict[int, str]) -> SafeString:
    """The teacher's findings by check: each a line with its class and subject and a link into the journal."""
    out = []
    for check, findings in groups:
        title = check.title if check is not None else _("Прочие замечания")
        clause = f" [{check.clause}]" if check is not None and check.clause else ""
        anchor = f' id="check-{escape(check.slug)}"' if check is not None else ""
        out.append(
            f'<section class="mb-3"{anchor}><h3 class="h6">{escape(title)}'
            f' <span class="badge text-bg-secondary">{len(findings)}</span>'
            f'<span class="small text-secondary fw-normal">{escape(clause)}</span></h3>'
        )
        if check is not None and check.description:
            out.append(f'<p class="small text-secondary mb-1">{escape(check.description)}</p>')
        out.append('<ul class="list-group mb-2">')
        for finding in findings:
            place = where.get(finding.assignment_id, "") if finding.assignment_id else ""
            place_html = f'<span class="text-secondary">{escape(place)}:</span> ' if place else ""
            link = (
                f' <a href="{escape(finding.url)}" class="ms-1">{escape(_("Открыть в журнале"))}</a>'
                if finding.url
                else ""
            )
            out.append(f'<li class="list-group-item py-1">{place_html}{escape(finding.text)}{link}</li>')
        out.append("</ul></section>")
    if not groups:
        out.append(f'<p class="text-success">{escape(_("Нарушений не найдено."))}</p>')
    return mark_safe("".join(out))  # every text above went through escape()


# -- the pages ------------------------------------------------------------------------------------------------------


@login_required
@reads_replica
def control(request: HttpRequest) -> HttpResponse:
    """The school's (a class teacher's: their class's) control page: a row per teacher with counts per check."""
    scope = _scope(request)
    form = AuditForm(request.GET, scope=scope)
    title = _("Контроль ведения журнала")
    if not form.is_valid():
        return _invalid(request, form, title)
    result = run_audit(_context(scope, form))
    summary = teacher_summary(result)
    sort, descending = _parse_sort(request.GET.get("sort", ""), summary.checks)
    context = {
        "title": title,
        "form": form,
        "dates_label": form.cleaned_data["dates_label"],
        "start": form.cleaned_data["start"],
        "end": form.cleaned_data["end"],
        "school_class": form.cleaned_data.get("school_class"),
        "table": teachers_table(request, summary, sort, descending),
        "legend": _legend(summary.checks),
        "score_definition": SCORE_DEFINITION,
        "teachers": len([row for row in summary.rows if row.key is not None]),
        "totals": summary.totals,
        "management": scope.management,  # the link to the audit settings
    }
    return render(request, "reports/audit/control.html", context)


def _teacher(scope: ReportScope, form: AuditForm, pk: int) -> User:
    """The teacher of the drill-down: a staff member of the school; for a class teacher, one who teaches (or taught
    a lesson) in their class. 404 otherwise."""
    teacher = User.objects.filter(pk=pk, school_id=scope.school.pk, role__in=STAFF_ROLES).first()
    if teacher is None:
        raise Http404
    school_class = form.cleaned_data.get("school_class") if form.is_valid() else None
    if not scope.management:
        classes = [school_class.pk] if school_class is not None else list(scope.classes.values_list("pk", flat=True))
        teaches = scope.assignments.filter(school_class_id__in=classes, teacher_id=pk).exists()
        if not teaches and not Lesson.objects.filter(assignment__school_class_id__in=classes, taught_by_id=pk).exists():
            raise Http404
    return teacher


@login_required
@reads_replica
def teacher(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher's drill-down: their classes and subjects with counts per check, then every finding with its link."""
    scope = _scope(request)
    form = AuditForm(request.GET, scope=scope)
    person = _teacher(scope, form, pk)
    title = _("Контроль ведения журнала: %(name)s") % {"name": person.short_name}
    if not form.is_valid():
        return _invalid(request, form, title)
    result = run_audit(_context(scope, form, teacher_id=person.pk))
    by_assignment = assignment_summary(result, person.pk)
    where = {row.key: row.title for row in by_assignment.rows if row.key is not None}
    query = _query(request, sort=None)
    context = {
        "title": title,
        "person": person,
        "form": form,
        "dates_label": form.cleaned_data["dates_label"],
        "school_class": form.cleaned_data.get("school_class"),
        "back": reverse("reports:audit") + (f"?{query}" if query else ""),
        "table": assignments_table(by_assignment),
        "findings": findings_html(teacher_findings(result, person.pk), where),
        "totals": by_assignment.totals,
        "legend": _legend(ordered_checks()),
        "score_definition": SCORE_DEFINITION,
    }
    return render(request, "reports/audit/teacher.html", context)
