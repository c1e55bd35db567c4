"""The class journal grid: the page, saving one cell, the lesson record and a cell's history.

Access: journal.access.assignment_for_user for the grid (the teacher and the class teacher edit, the management
reads, everyone else 404) and journal.access.lesson_for_user for a lesson and its cells (the substitute of that
one lesson edits it too). Every write goes through journal.services.journal; the table's HTML is built by
journal.render.grid.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_school_management
from accounts.models import PupilProfile
from journal.access import LESSON_SUBSTITUTE, assignment_for_user, lesson_editor_role, lesson_for_user
from journal.forms.grid import LessonRecordForm

from ..dates import safe_id
from ..lock import edit_state
from ..models import Enrollment, TeachingAssignment
from ..render.grid import (
    WEEKDAYS,
    cell_inner,
    grid_table,
    object_url,
    page_parts,
    period_caption,
    period_links,
    script_messages,
    stats_payload,
)
from ..selectors.averages import period_mark_minimum
from ..selectors.grid import (
    Cell,
    cell_history,
    cell_pupil,
    journal_grid,
    lesson_grid,
    lesson_homework,
    pupil_cell,
    pupil_cell_and_stats,
)
from ..services.journal import (
    attendance_set,
    homework_remove,
    lesson_attendance_taken,
    lesson_record_and_homework_set,
    mark_set,
)

FIELDS = ("mark1", "mark2", "att")


# Access --------------------------------------------------------------------------------------------------------


def keeps_journal(assignment: TeachingAssignment, can_edit: bool) -> bool:
    """Whether the grid offers inputs: the access helper's answer, except in a closed year (read-only for all)."""
    return can_edit and not assignment.year.is_closed


# The grid page ---------------------------------------------------------------------------------------------------


@login_required
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The class journal of an assignment for a study period: the teacher's daily screen."""
    assignment, can_edit = assignment_for_user(request.user, pk)
    can_edit = keeps_journal(assignment, can_edit)
    data = journal_grid(assignment, request.GET.get("period"))
    period_title = period_caption(data)
    period_marks_url = object_url("journal:period_marks", assignment.pk)
    if data.period is not None:
        period_marks_url += f"?kind=period&period={data.period.pk}"
    # The class teacher and the administration move between the class's subjects through the class page.
    user = request.user
    sees_class = assignment.school_class.class_teacher_id == user.pk or is_school_management(user)
    context = {
        "assignment": assignment,
        "grid": data,
        "can_edit": can_edit,
        "period_title": period_title,
        "period_marks_url": period_marks_url,
        "class_url": object_url("journal:class_detail", assignment.school_class_id) if sees_class else "",
        "assignment_url": object_url("journal:assignment_detail", assignment.pk),
        "plan_url": object_url("journal:plan", assignment.pk),
        "periods": period_links(data),
        "table": grid_table(data, can_edit=can_edit, period_title=period_title, period_marks_url=period_marks_url),
        "parts": page_parts(can_edit=can_edit, minimum=data.minimum),
    }
    return render(request, "journal/grid/grid.html", context)


# Saving one cell -------------------------------------------------------------------------------------------------


def _error(message: str, status: int, cell: Cell | None = None) -> JsonResponse:
    payload = {"error": message}
    if cell is not None:
        payload["html"] = cell_inner(cell)
    return JsonResponse(payload, status=status)


def _json_errors(view):
    """The cell endpoint refuses in JSON, which grid.js shows in the cell, never with a page: signed out (401, instead
    of a redirect to the login page), not a POST (405), a lesson the user may not see (404), a refusal (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _error(_("Вы не вошли в журнал (или сеанс истёк): войдите снова, затем повторите."), 401)
        if request.method != "POST":
            response = _error(_("Клетка сохраняется только запросом POST."), 405)
            response["Allow"] = "POST"
            return response
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _error(_("Урок не найден или недоступен вам."), 404)
        except PermissionDenied as error:
            return _error(str(error) or _("Недостаточно прав."), 403)

    return wrapper


@_json_errors
def grid_cell(request: HttpRequest) -> HttpResponse:
    """Save one part of a cell: POST lesson, pupil, field (mark1, mark2 or att), value ("" clears).

    Answers JSON: the cell's new inner HTML and, with ``period``, the pupil's figures for the period; or
    ``error`` (Russian) with the cell as stored: 400 bad input, 403 read-only, 409 the lesson is locked.
    """
    lesson_pk, pupil_pk = safe_id(request.POST.get("lesson")), safe_id(request.POST.get("pupil"))
    field, value = request.POST.get("field", ""), request.POST.get("value", "").strip()
    if lesson_pk is None or pupil_pk is None or field not in FIELDS or len(value) > 10:
        return _error(_("Неверный запрос: не указан урок, учащийся или поле."), 400)
    lesson, can_edit = lesson_for_user(request.user, lesson_pk)
    if not can_edit:
        return _error(_("Только просмотр: вносить записи в этот журнал вы не можете."), 403)
    if lesson.assignment.year.is_closed:
        return _error(
            _("Учебный год %(year)s закрыт: изменения в нём невозможны.") % {"year": lesson.assignment.year}, 403
        )
    pupil = cell_pupil(pupil_pk)  # by id: the service reads whether the pupil exists (400 «Учащийся не найден.»)
    try:
        if field == "att":
            attendance_set(actor=request.user, lesson=lesson, pupil=pupil, code=value)
        else:
            mark_set(actor=request.user, lesson=lesson, pupil=pupil, value=value, position=1 if field == "mark1" else 2)
    except PermissionDenied as error:
        return _error(str(error) or _("Недостаточно прав."), 403)
    except ValidationError as error:
        editable, _reason = edit_state(lesson)
        return _error(" ".join(error.messages), 400 if editable else 409, pupil_cell(lesson, pupil.pk))
    cell, stats = pupil_cell_and_stats(lesson, pupil.pk, safe_id(request.POST.get("period")))
    payload: dict = {"html": cell_inner(cell)}
    if stats is not None:
        payload["stats"] = stats_payload(period_mark_minimum(lesson.assignment.hours_per_week), stats)
    return JsonResponse(payload)


@_json_errors
def grid_attendance_taken(request: HttpRequest, pk: int) -> HttpResponse:
    """«Все присутствуют» from the grid (the key «в»): the register of the lesson is taken, apart from the absences
    entered; stamps ``Lesson.attendance_taken_at`` (lesson_attendance_taken). JSON: ``ok`` or ``error`` (Russian):
    403 read-only, 400/409 refused (a lesson to come, past the lock)."""
    lesson, can_edit = lesson_for_user(request.user, pk)
    if not can_edit:
        return _error(_("Только просмотр: вносить записи в этот журнал вы не можете."), 403)
    if lesson.assignment.year.is_closed:
        return _error(
            _("Учебный год %(year)s закрыт: изменения в нём невозможны.") % {"year": lesson.assignment.year}, 403
        )
    try:
        lesson_attendance_taken(actor=request.user, lesson=lesson)
    except ValidationError as error:
        editable, _reason = edit_state(lesson)
        return _error(" ".join(error.messages), 400 if editable else 409)
    return JsonResponse({"ok": True, "at": f"{timezone.localtime(lesson.attendance_taken_at):%d.%m.%Y %H:%M}"})


# The lesson record -----------------------------------------------------------------------------------------------


@login_required
def grid_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    """A lesson: its record (topic, КТП, kind of work, control work, homework) and its column of marks.

    The substitute reaches the lesson here (not the whole grid): the page holds the lesson's column with the same
    keyboard entry as the grid.
    """
    lesson, can_edit = lesson_for_user(request.user, pk, for_page=True)
    can_edit = can_edit and not lesson.assignment.year.is_closed
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    homework_list = lesson_homework(lesson)
    chosen_pk = safe_id(request.POST.get("homework") if request.method == "POST" else request.GET.get("homework"))
    if chosen_pk is not None:
        chosen = next((hw for hw in homework_list if hw.pk == chosen_pk), None)
        if chosen is None:
            raise Http404
    elif request.GET.get("homework") == "new" or request.POST.get("homework") == "new":
        chosen = None
    else:
        chosen = homework_list[0] if len(homework_list) == 1 else None

    data = lesson_grid(lesson)
    pupils = [row.pupil for row in data.rows if row.cells and row.cells[0] is not None]
    query = f"?period={safe_id(request.GET.get('period'))}" if safe_id(request.GET.get("period")) else ""
    lesson_url = reverse("journal:grid_lesson", args=[lesson.pk]) + query

    if request.method == "POST" and request.POST.get("action") == "homework_remove":
        target = next((hw for hw in homework_list if hw.pk == safe_id(request.POST.get("remove"))), None)
        if target is None:
            raise Http404
        try:
            homework_remove(actor=request.user, homework=target)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Задание снято."))
        return redirect(lesson_url)

    editable, lock_reason = (data.columns[0].editable, data.columns[0].reason) if data.columns else (False, "")
    form = LessonRecordForm(
        request.POST or None,
        lesson=lesson,
        pupils=pupils,
        homework=chosen,
        read_only=not can_edit,
        plan_homework=not homework_list,
        attendance_editable=editable,
        attendance_codes=any(row.cells and row.cells[0] is not None and row.cells[0].attendance for row in data.rows),
    )
    if request.method == "POST" and form.is_valid():
        data_in = form.cleaned_data
        try:
            lesson_record_and_homework_set(
                actor=request.user,
                lesson=lesson,
                topic=data_in["topic"],
                plan_topic=data_in["plan_topic"],
                work_type=data_in["work_type"],
                is_control=data_in["is_control"],
                homework_text=data_in["homework_text"],
                homework_pupils=data_in["homework_pupils"],
                homework=chosen,
                homework_due_date=data_in["homework_due_date"],
                attendance_taken=data_in["attendance_taken"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Запись об уроке сохранена."))
            return redirect(lesson_url)

    substitute_only = lesson_editor_role(request.user, lesson) == LESSON_SUBSTITUTE
    grid_url = None if substitute_only else reverse("journal:grid", args=[lesson.assignment_id]) + query
    context = {
        "lesson": lesson,
        "assignment": lesson.assignment,
        "can_edit": can_edit,
        "form": form,
        "homework_list": homework_list,
        "chosen": chosen,
        "grid_url": grid_url,
        "lesson_url": lesson_url,
        "marks_editable": editable and can_edit,
        "lock_reason": lock_reason,
        "table": grid_table(data, can_edit=can_edit),
        "weekday": WEEKDAYS[lesson.date.weekday()],
        "script_messages": script_messages(),
    }
    return render(request, "journal/grid/lesson.html", context)


# A cell's history ------------------------------------------------------------------------------------------------


@login_required
def grid_cell_history(request: HttpRequest, lesson_pk: int, pupil_pk: int) -> HttpResponse:
    """Who changed the pupil's marks and attendance at the lesson, when, old → new (a modal or a page)."""
    lesson, _can_edit = lesson_for_user(request.user, lesson_pk, for_page=True)
    pupil = get_object_or_404(PupilProfile.objects.select_related("user"), pk=pupil_pk)
    if not Enrollment.objects.filter(pupil=pupil, school_class_id=lesson.assignment.school_class_id).exists():
        raise Http404
    context = {"lesson": lesson, "pupil": pupil, "entries": cell_history(lesson, pupil)}
    partial = bool(getattr(request, "htmx", False)) or request.GET.get("partial") == "1"
    template = "journal/grid/_history.html" if partial else "journal/grid/history.html"
    return render(request, template, context)
