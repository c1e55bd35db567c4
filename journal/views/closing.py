"""Views of the closing area: the movement of pupils, the promotion and closing of the year, the year copy.

Who may do what is decided by the services (movement and the year copy: the school's administrator; the
promotion: the deputy head and the administrator); the views only turn "may not" into 403 early, so that a
read-only user sees no form: the director and the class teacher may look, not act.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can_edit_structure, require_management
from accounts.models import PupilProfile
from journal.access import class_for_user, pupil_for_user, visible_classes, visible_years
from journal.forms.closing import (
    ARRIVAL_REASONS,
    LEAVING_REASONS,
    PupilArriveForm,
    PupilLeaveForm,
    PupilMoveForm,
    YearCopyForm,
)

from .. import selectors
from ..dates import safe_id
from ..lock import school_today
from ..models import Promotion, PromotionDecision, SchoolClass, SchoolYear
from ..selectors import closing
from ..services.movement import pupil_arrive as arrive_service
from ..services.movement import pupil_leave as leave_service
from ..services.movement import pupil_move as move_service
from ..services.promotion import can_close_year, promotion_preview, promotion_set_many, year_closing_opens
from ..services.promotion import promotion_apply as apply_service
from ..services.year_copy import plan_year_copy, suggested_year, year_copy_structure


def _clip(day: dt.date, year: SchoolYear) -> dt.date:
    return min(max(day, year.start_date), year.end_date)


def _year_or_404(request: HttpRequest) -> SchoolYear:
    raw = request.POST.get("year") or request.GET.get("year")
    pk = safe_id(raw) if raw else None
    if raw and pk is None:
        raise Http404
    year = closing.closing_year(request.user.school, timezone.localdate(), pk)
    if year is None:
        raise Http404(_("Учебный год не найден."))
    return year


def _promotion_url(year: SchoolYear, anchor: str = "") -> str:
    return f"{reverse('journal:promotion')}?year={year.pk}{anchor}"


def _require_structure_editor(request: HttpRequest) -> None:
    if not can_edit_structure(request.user):
        raise PermissionDenied


# Movement ----------------------------------------------------------------------------------------------------------


@login_required
def movement(request: HttpRequest) -> HttpResponse:
    """Движение учащихся: arrivals, departures and moves of the year, class sizes at its start and today."""
    require_management(request.user)
    year = _year_or_404(request)
    report = closing.movement_report(year, timezone.localdate())
    context = {
        "year": year,
        "years": closing.school_years(request.user.school),
        "report": report,
        "can_edit": can_edit_structure(request.user) and not year.is_closed,
    }
    return render(request, "journal/closing/movement.html", context)


@login_required
def class_movement(request: HttpRequest, pk: int) -> HttpResponse:
    """A class's pupils over the whole year with their dates in it; the admin's buttons for arrivals and so on."""
    school_class, _can_manage = class_for_user(request.user, pk)
    year = school_class.year
    on_date = _clip(timezone.localdate(), year)
    roster = closing.class_roster(school_class, year.start_date, year.end_date)
    context = {
        "school_class": school_class,
        "year": year,
        "roster": roster,
        "on_date": on_date,
        "on_roll": sum(1 for row in roster if row.is_enrolled(on_date)),
        "current_ids": {row.pupil.pk for row in roster if row.is_enrolled(on_date)},
        "can_edit": can_edit_structure(request.user) and not year.is_closed,
    }
    return render(request, "journal/closing/class_movement.html", context)


def _render_pupil_form(request: HttpRequest, form, **context) -> HttpResponse:
    return render(request, "journal/closing/pupil_form.html", {"form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def pupil_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    school_class, _can_manage = class_for_user(request.user, pk)
    _require_structure_editor(request)
    year = school_class.year
    form = PupilArriveForm(
        request.POST or None, school_class=school_class, initial={"date": _clip(timezone.localdate(), year)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = arrive_service(
                actor=request.user,
                school_class=school_class,
                date=data["date"],
                reason=data["reason"],
                pupil=data["pupil"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                username=data["username"],
                subgroups=data.get("subgroups") or [],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s зачислен(а) в %(cls)s с %(date)s.")
                % {"name": enrollment.pupil, "cls": school_class, "date": f"{enrollment.date_from:%d.%m.%Y}"},
            )
            return redirect("journal:class_movement", school_class.pk)
    return _render_pupil_form(
        request,
        form,
        title=_("Прибыл учащийся в %(cls)s") % {"cls": school_class},
        school_class=school_class,
        year=year,
        datalist=("arrival-reasons", ARRIVAL_REASONS),
    )


def _pupil_and_enrollment(request: HttpRequest, pk: int):
    pupil: PupilProfile = pupil_for_user(request.user, pk)
    _require_structure_editor(request)
    enrollment = selectors.pupil_enrollment(pupil, timezone.localdate())
    return pupil, enrollment


@login_required
@require_http_methods(["GET", "POST"])
def pupil_leave(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, enrollment = _pupil_and_enrollment(request, pk)
    initial = {"date": _clip(timezone.localdate(), enrollment.school_class.year)} if enrollment else {}
    form = PupilLeaveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ended = leave_service(
                actor=request.user, pupil=pupil, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s выбыл(а) из %(cls)s; последний день в классе — %(date)s.")
                % {"name": pupil, "cls": ended.school_class, "date": f"{ended.date_to:%d.%m.%Y}"},
            )
            return redirect("journal:class_movement", ended.school_class_id)
    return _render_pupil_form(
        request,
        form,
        title=_("Выбыл учащийся: %(name)s") % {"name": pupil},
        pupil=pupil,
        enrollment=enrollment,
        school_class=enrollment.school_class if enrollment else None,
        datalist=("leaving-reasons", LEAVING_REASONS),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_move(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, enrollment = _pupil_and_enrollment(request, pk)
    if enrollment is None:
        raise Http404(_("Учащийся не числится ни в одном классе."))
    current_class = enrollment.school_class
    year = current_class.year
    form = PupilMoveForm(
        request.POST or None,
        year=year,
        current_class=current_class,
        initial={"date": _clip(timezone.localdate(), year)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = move_service(
                actor=request.user,
                pupil=pupil,
                to_class=data["to_class"],
                date=data["date"],
                reason=data["reason"],
                subgroups=data.get("subgroups") or [],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s переведён(а) из %(from)s в %(to)s с %(date)s.")
                % {
                    "name": pupil,
                    "from": current_class,
                    "to": moved.school_class,
                    "date": f"{moved.date_from:%d.%m.%Y}",
                },
            )
            return redirect("journal:class_movement", moved.school_class_id)
    return _render_pupil_form(
        request,
        form,
        title=_("Перевод в другой класс: %(name)s") % {"name": pupil},
        pupil=pupil,
        enrollment=enrollment,
        school_class=current_class,
    )


# Promotion -----------------------------------------------------------------------------------------------------------


@login_required
def promotion(request: HttpRequest) -> HttpResponse:
    """The promotion preview for the whole school; editable for the deputy and the admin until it is applied."""
    require_management(request.user)
    year = _year_or_404(request)
    can_edit = can_close_year(request.user, year.school) and not year.is_closed
    board = closing.promotion_board(year, with_options=can_edit)
    context = {
        "year": year,
        "years": closing.school_years(request.user.school),
        "board": board,
        "can_edit": can_edit,
        **_closing_dates(year),
        "can_copy": can_edit_structure(request.user),
        "saved": request.GET.get("saved", ""),
        "decision_label": _("Решение"),
    }
    return render(request, "journal/closing/promotion.html", context)


def _closing_dates(year: SchoolYear) -> dict:
    """When the year may be closed (the service's rule: journal.services.promotion.year_closing_opens)."""
    opens = year_closing_opens(year)
    return {"closing_opens": opens, "closing_open": school_today(year.school) >= opens}


def _require_closer(request: HttpRequest, year: SchoolYear) -> None:
    if not can_close_year(request.user, year.school):
        raise PermissionDenied


@login_required
@require_POST
def promotion_refresh(request: HttpRequest) -> HttpResponse:
    require_management(request.user)
    year = _year_or_404(request)
    _require_closer(request, year)
    reset = request.POST.get("reset") == "1"
    try:
        result = promotion_preview(actor=request.user, year=year, reset=reset)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Проект перевода обновлён: добавлено %(created)s, изменено %(updated)s, удалено %(removed)s.")
            % {"created": result.created, "updated": result.updated, "removed": result.removed},
        )
    return redirect(_promotion_url(year))


def _parse_choice(value: str, classes: dict[int, SchoolClass]) -> tuple[str, SchoolClass | None] | None:
    decision, _sep, target = value.partition(":")
    if decision not in PromotionDecision.values:
        return None
    if not target:
        return decision, None
    target_pk = safe_id(target)
    return (decision, classes.get(target_pk)) if target_pk is not None else None


@login_required
@require_POST
def promotion_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the decisions of one class's table: all of them, or none if any is wrong."""
    # The classes of years the user manages: the administration of the school (journal.access).
    school_class = get_object_or_404(
        visible_classes(request.user).filter(year__in=visible_years(request.user)).select_related("year__school"), pk=pk
    )
    year = school_class.year
    _require_closer(request, year)
    following = closing.next_year(year)
    targets = {c.pk: c for c in SchoolClass.objects.filter(year=following)} if following else {}
    changes = []
    rows = Promotion.objects.filter(year=year, from_class=school_class).select_related(
        "year__school", "from_class", "pupil__user"
    )
    for row in rows:
        value = request.POST.get(f"p{row.pk}")
        if value is None:
            continue
        parsed = _parse_choice(value, targets)
        if parsed is None:
            messages.error(request, _("%(name)s: неизвестное решение.") % {"name": row.pupil})
            return redirect(_promotion_url(year))
        decision, target = parsed
        if (decision, target.pk if target else None) != (row.decision, row.target_class_id):
            changes.append((row, decision, target))
    try:
        done = promotion_set_many(actor=request.user, year=year, changes=changes)
    except ValidationError as error:
        # Nothing was saved: the messages go on top of the page, where the page opens.
        for message in error.messages:
            messages.error(request, message)
        return redirect(_promotion_url(year))
    messages.success(request, _("%(cls)s: изменено решений — %(count)s.") % {"cls": school_class, "count": done})
    return redirect(_promotion_url(year, f"&saved={pk}#class-{pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def promotion_apply(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation with the counts; POST: carry out the promotion and close the year."""
    require_management(request.user)
    year = _year_or_404(request)
    _require_closer(request, year)
    if request.method == "POST":
        try:
            result = apply_service(actor=request.user, year=year)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(f"{reverse('journal:promotion_apply')}?year={year.pk}")
        (messages.success if result.applied else messages.info)(request, result.message)
        return redirect(_promotion_url(year))
    board = closing.promotion_board(year)
    context = {"year": year, "board": board, **_closing_dates(year)}
    return render(request, "journal/closing/promotion_apply.html", context)


# The year copy --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def year_copy(request: HttpRequest) -> HttpResponse:
    """Step 7: a new year from this one's structure, one grade up; the page shows what will be created."""
    if not can_edit_structure(request.user):
        raise PermissionDenied
    source = _year_or_404(request)
    name, start, end = suggested_year(source)
    form = YearCopyForm(request.POST or None, initial={"name": name, "start_date": start, "end_date": end})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start, end = data["start_date"], data["end_date"]
        try:
            created = year_copy_structure(
                actor=request.user, source_year=source, name=data["name"], start_date=start, end_date=end
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Учебный год %(year)s создан по структуре %(source)s. Проверьте классы и нагрузку, затем переведите учащихся."
                )
                % {"year": created.name, "source": source.name},
            )
            return redirect(_promotion_url(source))
    context = {
        "source": source,
        "years": closing.school_years(request.user.school),
        "form": form,
        "plan": plan_year_copy(source, start, end),
        "existing_next": closing.next_year(source),
    }
    return render(request, "journal/closing/year_copy.html", context)
