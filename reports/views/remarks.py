"""The weekly remarks of the journal's audit (/reports/audit/remarks/): a teacher sees their own remarks; the
administration (director, deputy, admin) the school's table of open and closed remarks per teacher and week, with a
drill-down to a teacher's remarks (/reports/audit/remarks/teacher/<id>/), and may close the remarks fixed since
Monday at once (POST /reports/audit/remarks/refresh/). Pupils, parents and other schools: 404."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.choices import STAFF_ROLES
from accounts.models import User
from journal.lock import school_today

from ..access import report_scope
from ..selectors.remarks import RemarksRow, recent_weeks, remarks_table, teacher_remarks
from ..services.remarks import close_fixed_remarks


def _counts(remarks) -> dict:
    closed = sum(1 for remark in remarks if remark.closed_at is not None)
    return {"open_count": len(remarks) - closed, "closed_count": closed}


def _cell(counts: tuple[int, int] | None) -> str:
    if not counts:
        return '<td class="text-end text-body-tertiary">—</td>'
    opened, closed = counts
    open_html = f'<span class="text-danger-emphasis fw-bold">{opened}</span>' if opened else "0"
    return f'<td class="text-end">{open_html} / {closed}</td>'


def weeks_table(rows: list[RemarksRow], weeks) -> SafeString:
    """Teachers × weeks: «open / closed» remarks recorded that week, and in all."""
    heads = [f'<th scope="col">{escape(_("Учитель"))}</th>']
    heads += [f'<th scope="col" class="text-end">{week:%d.%m}</th>' for week in weeks]
    heads.append(f'<th scope="col" class="text-end">{escape(_("Всего"))}</th>')
    caption = _("Замечания по неделям (с понедельника): открытых / снятых")
    out = [
        '<div class="table-responsive mb-3"><table class="table table-sm table-bordered bg-white align-middle">',
        f'<caption class="caption-top">{escape(caption)}</caption>',
        f"<thead><tr>{''.join(heads)}</tr></thead><tbody>",
    ]
    for row in rows:
        href = reverse("reports:audit-remarks-teacher", args=[row.teacher.pk])
        name = f'<th scope="row" class="fw-normal"><a href="{escape(href)}">{escape(row.teacher.short_name)}</a></th>'
        cells = "".join(_cell(row.weeks.get(week)) for week in weeks)
        out.append(f"<tr>{name}{cells}{_cell((row.open, row.closed))}</tr>")
    if not rows:
        empty = escape(_("За эти недели замечаний нет."))
        out.append(f'<tr><td colspan="{len(weeks) + 2}" class="text-secondary">{empty}</td></tr>')
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))  # every text above went through escape()


@login_required
def remarks(request: HttpRequest) -> HttpResponse:
    """A teacher's own remarks; the administration's table per teacher and week (the last eight weeks)."""
    scope = report_scope(request.user)
    if scope.management:
        weeks = recent_weeks(school_today(scope.school))
        context = {
            "title": _("Замечания по ведению журнала"),
            "management": True,
            "table": weeks_table(remarks_table(scope.school, weeks), weeks),
        }
        return render(request, "reports/audit/remarks.html", context)
    mine = teacher_remarks(request.user)
    context = {"title": _("Мои замечания по ведению журнала"), "management": False, "remarks": mine, **_counts(mine)}
    return render(request, "reports/audit/remarks.html", context)


@login_required
def remarks_teacher(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher's remarks, for the administration: a staff member of the school; 404 for anyone else."""
    scope = report_scope(request.user)
    if not scope.management:
        raise Http404
    person = User.objects.filter(pk=pk, school_id=scope.school.pk, role__in=STAFF_ROLES).first()
    if person is None:
        raise Http404
    theirs = teacher_remarks(person)
    context = {
        "title": _("Замечания по ведению журнала: %(name)s") % {"name": person.short_name},
        "person": person,
        "remarks": theirs,
        **_counts(theirs),
    }
    return render(request, "reports/audit/remarks_teacher.html", context)


@login_required
@require_POST
def remarks_refresh(request: HttpRequest) -> HttpResponse:
    """The administration closes the school's remarks whose lapses are fixed, without waiting for Monday (nothing new
    is recorded)."""
    scope = report_scope(request.user)
    if not scope.management:
        raise Http404
    closed = close_fixed_remarks(school=scope.school)
    if closed:
        text = ngettext(
            "Снято %(n)s замечание: нарушение исправлено.",
            "Снято %(n)s замечаний: нарушения исправлены.",
            closed,
        ) % {"n": closed}
        messages.success(request, text)
    else:
        messages.info(request, _("Исправленных нарушений среди открытых замечаний нет."))
    return redirect("reports:audit-remarks")
