"""Events and announcements: the staff's list (filters), the forms of the class teacher, the deputy and the admin,
and a pupil's events for the pupil and their parents.

The staff list is for the school's staff (pupils and parents: 403, they have the diary page); creating is for the
class teacher, the deputy and the admin (others 403); an event of another school is 404.
"""

import datetime as dt

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from journal.dates import safe_id
from journal.lock import school_today
from journal.models import SchoolClass
from journal.selectors import current_year

from ..access import (
    EVENT_MANAGER_ROLES,
    diary_pupil_for_user,
    editable_event_ids,
    event_classes,
    event_for_user,
    may_create_events,
    require_school_staff,
)
from ..forms.events import WHOLE_SCHOOL, EventFilterForm, EventForm
from ..models import Event
from ..selectors import events as selectors
from ..selectors.pupils import diary_header
from ..services import events as services

DEFAULT_PAST_DAYS = 7


def _apply_errors(form: EventForm, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, " ".join(error.messages))
    else:
        form.add_error(None, str(error) or _("Недостаточно прав."))


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The school's events by date: from a week ago onwards unless the filters say otherwise."""
    user = request.user
    require_school_staff(user)
    today = school_today(user.school)
    year = current_year(user.school, today)
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter")) if year else []
    if request.GET:
        form = EventFilterForm(request.GET, classes=classes)
    else:
        form = EventFilterForm(initial={"date_from": today - dt.timedelta(days=DEFAULT_PAST_DAYS)}, classes=classes)
    chosen = form.value("school_class", "")
    filters = selectors.EventFilter(
        school_class=next((c for c in classes if str(c.pk) == chosen), None),
        whole_school=chosen == WHOLE_SCHOOL,
        kind=form.value("kind", ""),
        date_from=form.value("date_from"),
        date_to=form.value("date_to"),
        with_cancelled=not form.value("hide_cancelled", False),
    )
    page = selectors.school_events_page(user, filters, request.GET.get("page"))
    editable = editable_event_ids(user, list(page.object_list), today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": selectors.event_rows(list(page.object_list), today, editable=editable),
        "today": today,
        "may_create": may_create_events(user, today),
        "page_query": urlencode(query, doseq=True),
    }
    return render(request, "diary/events/list.html", context)


def _form_context(user: User, today: dt.date) -> dict:
    return {
        "classes": event_classes(user, today),
        "whole_school": user.role in EVENT_MANAGER_ROLES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = school_today(user.school) if user.school_id else None
    if today is None or not may_create_events(user, today):
        raise PermissionDenied
    kwargs = _form_context(user, today) | {"action": reverse("diary:event_create")}
    if request.method == "POST":
        form = EventForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                event = services.event_create(actor=user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                _apply_errors(form, error)
            else:
                flash.success(
                    request, _("Опубликовано: %(t)s, %(d)s.") % {"t": event.title, "d": f"{event.starts_on:%d.%m.%Y}"}
                )
                return redirect(_list_url(event))
        return render(request, "diary/events/form.html", {"form": form}, status=400)
    initial = {"starts_on": today}
    if class_id := request.GET.get("school_class", ""):
        initial["school_class"] = safe_id(class_id)
    elif user.role not in EVENT_MANAGER_ROLES:
        initial["school_class"] = kwargs["classes"].values_list("pk", flat=True).first()
    return render(request, "diary/events/form.html", {"form": EventForm(initial=initial, **kwargs)})


def _list_url(event: Event) -> str:
    return (
        reverse("diary:event_list") + "?" + urlencode({"date_from": event.starts_on.isoformat()}) + f"#event-{event.pk}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event, can_edit = event_for_user(user, pk)
    if not can_edit or event.is_cancelled:
        raise PermissionDenied
    today = school_today(user.school)
    kwargs = _form_context(user, today) | {
        "action": reverse("diary:event_edit", args=[event.pk]),
        "submit": _("Сохранить"),
    }
    if request.method == "POST":
        form = EventForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                event = services.event_update(actor=user, event=event, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                _apply_errors(form, error)
            else:
                flash.success(request, _("Сохранено: %(t)s.") % {"t": event.title})
                return redirect(_list_url(event))
        return render(request, "diary/events/form.html", {"form": form, "event": event}, status=400)
    initial = {
        "kind": event.kind,
        "school_class": event.school_class_id,
        "title": event.title,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "starts_at": event.starts_at,
        "place": event.place,
        "text": event.text,
    }
    return render(request, "diary/events/form.html", {"form": EventForm(initial=initial, **kwargs), "event": event})


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event, can_edit = event_for_user(user, pk)
    if not can_edit:
        raise PermissionDenied
    try:
        event = services.event_cancel(actor=user, event=event)
    except (ValidationError, PermissionDenied) as error:
        flash.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        flash.success(request, _("Отменено: %(t)s. Событие осталось в списке зачёркнутым.") % {"t": event.title})
    return redirect(_list_url(event))


@login_required
def pupil_events(request: HttpRequest, pk: int) -> HttpResponse:
    """The events of the pupil's class and school: upcoming first, then the last month's; with the diary's head."""
    pupil = diary_pupil_for_user(request.user, pk)
    today = school_today(pupil.user.school)
    context = {
        "header": diary_header(request.user, pupil, today),
        "pupil": pupil,
        "tab": "events",
        "switch_name": "diary:events",
        "events": selectors.pupil_events_page(pupil, today),
        "today": today,
    }
    return render(request, "diary/events/pupil_events.html", context)
