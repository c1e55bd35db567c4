"""The period marks page of an assignment: propose and set period/year/exam/final marks; the deputy's override.

Access as the class journal: the assignment's teacher and the class teacher edit, the management reads
(the deputy head and the admin also allow a mark with too few current marks), everyone else gets 404.
Who edits is ``services.period_marks.can_keep_journal`` (the admin reads, as in the grid).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import PupilProfile

from ..access import assignment_for_user
from ..dates import safe_id
from ..models import PeriodMarkKind, StudyPeriod, TeachingAssignment
from ..selectors import period_marks as selectors
from ..services import period_marks as services


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


def _page_url(assignment: TeachingAssignment, kind: str, period: StudyPeriod | None) -> str:
    url = reverse("journal:period_marks", args=[assignment.pk]) + f"?kind={kind}"
    return url + (f"&period={period.pk}" if period else "")


def _render(request: HttpRequest, assignment, can_edit: bool, page, status: int = 200) -> HttpResponse:
    context = {
        "assignment": assignment,
        "can_edit": can_edit and not assignment.year.is_closed,
        "can_override": services.can_override(request.user, assignment.year.school_id)
        and not assignment.year.is_closed,
        "page": page,
        "Kind": PeriodMarkKind,
    }
    return render(request, "journal/period_marks/page.html", context, status=status)


@login_required
def period_marks(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, _can_read = assignment_for_user(request.user, pk)
    can_edit = services.can_keep_journal(request.user, assignment)
    page = selectors.period_marks_page(
        assignment, request.GET.get("kind"), request.GET.get("period"), timezone.localdate()
    )
    return _render(request, assignment, can_edit, page)


def _changes(request: HttpRequest, page) -> list[tuple]:
    """(row, proposed?, typed) for every input whose value differs from what is stored."""
    fill_forecast = "fill_forecast" in request.POST
    confirm_proposed = "confirm_proposed" in request.POST
    changes = []
    for row in page.rows:
        pupil_id = row.pupil.pk
        typed_proposed = request.POST.get(f"proposed_{pupil_id}")
        if fill_forecast and not row.proposed and row.forecast and not page.pass_fail:
            typed_proposed = row.forecast
        if typed_proposed is not None and services.normalize_value(typed_proposed) != row.proposed:
            changes.append((row, True, typed_proposed))
        typed_value = request.POST.get(f"value_{pupil_id}")
        if confirm_proposed and not row.value:
            typed_value = services.normalize_value(typed_proposed if typed_proposed is not None else row.proposed)
        if typed_value is not None and services.normalize_value(typed_value) != row.value:
            changes.append((row, False, typed_value))
    return changes


@login_required
@require_POST
def period_marks_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the proposed and set marks typed in the table; each refused entry is shown in its row."""
    assignment, _can_read = assignment_for_user(request.user, pk)
    can_edit = services.can_keep_journal(request.user, assignment)
    if not can_edit or assignment.year.is_closed:
        raise PermissionDenied
    kind, period_id = request.POST.get("kind"), request.POST.get("period")
    today = timezone.localdate()
    page = selectors.period_marks_page(assignment, kind, period_id, today)
    saved = 0
    refused: dict[int, tuple[str, dict]] = {}
    for row, proposed, typed in _changes(request, page):
        try:
            services.period_mark_set(
                actor=request.user,
                assignment=assignment,
                pupil=row.pupil,
                kind=page.kind,
                period=page.period,
                value=typed,
                proposed=proposed,
            )
        except (ValidationError, PermissionDenied) as error:
            message, typed_values = refused.get(row.pupil.pk, ("", {}))
            typed_values["proposed" if proposed else "value"] = typed
            refused[row.pupil.pk] = ((message + " " + _error_text(error)).strip(), typed_values)
        else:
            saved += 1
    if not refused:
        if saved:
            messages.success(request, _("Сохранено отметок: %(n)s.") % {"n": saved})
        else:
            messages.info(request, _("Изменений нет."))
        return redirect(_page_url(assignment, page.kind, page.period))
    page = selectors.period_marks_page(assignment, kind, period_id, today)
    for row in page.rows:
        if row.pupil.pk in refused:
            row.error, typed_values = refused[row.pupil.pk]
            row.typed_value = typed_values.get("value")
            row.typed_proposed = typed_values.get("proposed")
    messages.error(
        request,
        _("Не сохранено отметок: %(bad)s (причины — в строках таблицы). Сохранено: %(ok)s.")
        % {"bad": sum(len(t) for _m, t in refused.values()), "ok": saved},
    )
    return _render(request, assignment, can_edit, page, status=400)


@login_required
@require_POST
def period_mark_override(request: HttpRequest, pk: int) -> HttpResponse:
    """The deputy head allows a pupil's period mark despite too few current marks, with a written reason."""
    assignment, _can_edit = assignment_for_user(request.user, pk)
    if not services.can_override(request.user, assignment.year.school_id):
        raise PermissionDenied
    today = timezone.localdate()
    page = selectors.period_marks_page(assignment, request.POST.get("kind"), request.POST.get("period"), today)
    pupil_ids = {row.pupil.pk for row in page.rows}
    pupil_id = safe_id(request.POST.get("pupil"))
    if pupil_id not in pupil_ids:
        messages.error(request, _("Учащийся не найден в этом классе."))
        return redirect(_page_url(assignment, page.kind, page.period))
    pupil = get_object_or_404(PupilProfile.objects.select_related("user"), pk=pupil_id)
    try:
        services.period_mark_override(
            actor=request.user,
            assignment=assignment,
            pupil=pupil,
            kind=page.kind,
            period=page.period,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, f"{pupil}: {_error_text(error)}")
    else:
        messages.success(
            request, _("%(pupil)s: отметку можно выставить без минимума текущих отметок.") % {"pupil": pupil}
        )
    return redirect(_page_url(assignment, page.kind, page.period))
