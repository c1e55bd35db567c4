"""Timetable pages: grids by class, teacher and room; bells; rooms; laying out the lessons.

Every member of staff sees the grids of their school (read-only); the deputy head
and the admin edit. Pupils and parents get 404 here: their timetable is in the diary.
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
from django.views.decorators.http import require_POST

from accounts.models import User
from journal.forms.timetable import BellScheduleForm, DateForm, RoomForm, TimetableEntryForm

from .. import selectors
from ..access import (
    require_timetable_editor,
    timetable_classes,
    timetable_entries,
    timetable_rooms,
    timetable_teachers,
)
from ..dates import safe_date, safe_int
from ..models import SchoolClass, SchoolYear
from ..selectors import timetable as tt
from ..services import timetable as services


def _staff_or_404(user: User) -> None:
    """The timetable pages are the staff's; pupils and parents see their timetable in the diary."""
    if not user.is_staff_member:
        raise Http404


def can_edit_timetable(user: User) -> bool:
    try:
        require_timetable_editor(user)
    except PermissionDenied:
        return False
    return True


def _year_or_404(request: HttpRequest) -> SchoolYear:
    _staff_or_404(request.user)
    year = selectors.current_year(request.user.school)
    if year is None:
        raise Http404("Учебный год ещё не создан.")
    return year


def _on_date(request: HttpRequest, year: SchoolYear) -> dt.date:
    day = safe_date(request.GET.get("date") or request.POST.get("date")) or timezone.localdate()
    return tt.on_date_in(year, day)


def _with_date(url: str, day: dt.date) -> str:
    return f"{url}?date={day:%Y-%m-%d}"


def _class_or_404(user: User, pk: int) -> SchoolClass:
    _staff_or_404(user)
    return get_object_or_404(timetable_classes(user).select_related("year__school", "class_teacher"), pk=pk)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def timetable_index(request: HttpRequest) -> HttpResponse:
    """Pick a class, teacher or room; the timetable's hours against the curriculum and the teaching load."""
    year = _year_or_404(request)
    on_date = _on_date(request, year)
    context = {
        "year": year,
        "on_date": on_date,
        "overview": tt.timetable_overview(year, on_date),
        "can_edit": can_edit_timetable(request.user),
    }
    return render(request, "journal/timetable/index.html", context)


def _render_class(request: HttpRequest, school_class: SchoolClass, on_date: dt.date, form=None) -> HttpResponse:
    year = school_class.year
    grid = tt.class_grid(school_class, on_date)
    can_edit = can_edit_timetable(request.user) and not year.is_closed
    if can_edit and form is None:
        initial = {"valid_from": on_date}
        for name in ("weekday", "number"):
            if (number := safe_int(request.GET.get(name), minimum=0)) is not None:
                initial[name] = number
        form = TimetableEntryForm(
            initial=initial,
            school_class=school_class,
            week=len(grid.weekdays),
            bells=grid.bells,
            action=reverse("journal:timetable_entry_add", args=[school_class.pk]),
        )
    context = {
        "year": year,
        "school_class": school_class,
        "grid": grid,
        "hours": tt.class_hours(school_class, on_date),
        "on_date": on_date,
        "can_edit": can_edit,
        "form": form,
        "kind": "class",
        "grid_url": reverse("journal:timetable_class", args=[school_class.pk]),
    }
    return render(request, "journal/timetable/class_grid.html", context, status=400 if form and form.errors else 200)


@login_required
def timetable_class(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = _class_or_404(request.user, pk)
    return _render_class(request, school_class, _on_date(request, school_class.year))


@login_required
@require_POST
def timetable_entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = _class_or_404(request.user, pk)
    require_timetable_editor(request.user)
    year = school_class.year
    form = TimetableEntryForm(
        request.POST,
        school_class=school_class,
        week=tt.grade_week(year, school_class.grade),
        bells=tt.bells_of(year),
        action=reverse("journal:timetable_entry_add", args=[school_class.pk]),
    )
    on_date = _on_date(request, year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.timetable_entry_add(
                actor=request.user,
                assignment=data["assignment"],
                weekday=data["weekday"],
                number=data["number"],
                room=data["room"],
                valid_from=data["valid_from"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Урок добавлен в расписание: %(entry)s.") % {"entry": entry})
            url = reverse("journal:timetable_class", args=[school_class.pk])
            return redirect(_with_date(url, tt.on_date_in(year, max(on_date, entry.valid_from))))
    return _render_class(request, school_class, on_date, form)


@login_required
@require_POST
def timetable_entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_or_404(request.user)
    entry = get_object_or_404(
        timetable_entries(request.user).select_related("year", "assignment__school_class", "assignment__subject"),
        pk=pk,
    )
    require_timetable_editor(request.user)
    from_date = safe_date(request.POST.get("from_date"))
    description = str(entry)
    try:
        ended = services.timetable_entry_remove(actor=request.user, entry=entry, from_date=from_date)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if ended is None:
            messages.success(request, _("Урок убран из расписания: %(entry)s.") % {"entry": description})
        else:
            messages.success(
                request,
                _("Урок убран из расписания с %(date)s: %(entry)s. Уроки до этой даты сохранены.")
                % {"date": f"{ended.valid_to + dt.timedelta(days=1):%d.%m.%Y}", "entry": description},
            )
    url = reverse("journal:timetable_class", args=[entry.assignment.school_class_id])
    return redirect(_with_date(url, from_date) if from_date else url)


@login_required
def timetable_teacher(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year_or_404(request)
    teacher = get_object_or_404(timetable_teachers(request.user), pk=pk)
    on_date = _on_date(request, year)
    context = {
        "year": year,
        "teacher": teacher,
        "grid": tt.teacher_grid(teacher, year, on_date),
        "on_date": on_date,
        "kind": "teacher",
    }
    return render(request, "journal/timetable/teacher_grid.html", context)


@login_required
def timetable_room(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year_or_404(request)
    room = get_object_or_404(timetable_rooms(request.user), pk=pk)
    on_date = _on_date(request, year)
    context = {
        "year": year,
        "room": room,
        "grid": tt.room_grid(room, year, on_date),
        "on_date": on_date,
        "kind": "room",
    }
    return render(request, "journal/timetable/room_grid.html", context)


@login_required
def bell_schedule(request: HttpRequest) -> HttpResponse:
    """The bell schedule: seen by the staff, set by the deputy head and the admin."""
    year = _year_or_404(request)
    can_edit = can_edit_timetable(request.user) and not year.is_closed
    bells = tt.bells_of(year)
    form = None
    if request.method == "POST":
        require_timetable_editor(request.user)
        form = BellScheduleForm(request.POST, bells=bells)
        if form.is_valid():
            try:
                services.bells_set(actor=request.user, year=year, bells=form.cleaned_data["bells"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Расписание звонков сохранено."))
                return redirect("journal:timetable_bells")
    elif can_edit:
        form = BellScheduleForm(bells=bells)
    context = {"year": year, "rows": tt.bell_rows(bells), "form": form, "can_edit": can_edit}
    return render(request, "journal/timetable/bells.html", context, status=400 if form and form.errors else 200)


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    """The school's rooms with their weekly lessons; the deputy head and the admin add rooms."""
    year = _year_or_404(request)
    can_edit = can_edit_timetable(request.user)
    form = None
    if request.method == "POST":
        require_timetable_editor(request.user)
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                room = services.room_create(
                    actor=request.user,
                    school=request.user.school,
                    name=form.cleaned_data["name"],
                    capacity=form.cleaned_data["capacity"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Кабинет «%(name)s» добавлен.") % {"name": room.name})
                return redirect("journal:timetable_rooms")
    elif can_edit:
        form = RoomForm()
    on_date = _on_date(request, year)
    context = {
        "year": year,
        "rows": tt.room_list(request.user.school, year, on_date),
        "form": form,
        "can_edit": can_edit,
        "on_date": on_date,
    }
    return render(request, "journal/timetable/rooms.html", context, status=400 if form and form.errors else 200)


@login_required
def lessons_layout(request: HttpRequest) -> HttpResponse:
    """Lay out the year's lessons from the timetable (from a date), and how many each class has."""
    year = _year_or_404(request)
    require_timetable_editor(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        form = DateForm(request.POST)
        if form.is_valid():
            try:
                result = services.lessons_layout(
                    actor=request.user, year=year, from_date=form.cleaned_data["from_date"]
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _layout_message(result))
            return redirect("journal:lessons_layout")
    else:
        default = year.start_date if today < year.start_date or not tt.year_has_lessons(year) else today
        form = DateForm(initial={"from_date": tt.on_date_in(year, default)})
    on_date = tt.on_date_in(year, today)
    rows = tt.layout_summary(year, on_date)
    context = {
        "year": year,
        "form": form,
        "rows": rows,
        "total": sum(row.lessons for row in rows),
        "with_records": sum(row.with_records for row in rows),
        "can_edit": not year.is_closed,
        "on_date": on_date,
    }
    return render(request, "journal/timetable/layout.html", context, status=400 if form.errors else 200)


def _layout_message(result: services.LayoutResult) -> str:
    text = _(
        "Уроки разложены с %(start)s по %(end)s: создано %(created)s, удалено %(removed)s, "
        "перенесено в другой кабинет или строку расписания %(updated)s, без изменений %(unchanged)s, "
        "сохранено уроков с записями, которых больше нет в расписании, %(kept)s."
    ) % {
        "start": f"{result.from_date:%d.%m.%Y}",
        "end": f"{result.to_date:%d.%m.%Y}",
        "created": result.created,
        "removed": result.removed,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "kept": result.kept_with_data,
    }
    if result.transferred_days:
        days = ", ".join(
            f"{day:%d.%m.%Y} ({tt.WEEKDAY_NAMES[weekday]})" for day, weekday in sorted(result.transferred_days.items())
        )
        text += " " + _("Рабочие субботы по расписанию перенесённого дня: %(days)s.") % {"days": days}
    if result.skipped_days:
        days = ", ".join(f"{day:%d.%m.%Y}" for day in result.skipped_days)
        text += " " + _("Пропущены рабочие выходные дни, для которых неизвестен день недели: %(days)s.") % {
            "days": days
        }
    return text
