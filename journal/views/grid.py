"""The class journal grid: the page, saving one cell, the lesson record and a cell's history.

Access: journal.access.assignment_for_user for the grid (the teacher and the class teacher edit, the management
reads, everyone else 404) and journal.access.lesson_for_user for a lesson and its cells (the substitute of that
one lesson edits it too). Every write goes through journal.services.journal.

The table is built here as one string: a Django template loop over 30 × 45 cells costs ~15 ms, joining
pre-escaped strings ~1 ms. Cell values come from fixed sets (marks, attendance codes) and are escaped once each;
names and topics are escaped as they are joined.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.access import is_school_management
from accounts.models import PupilProfile
from journal.access import LESSON_SUBSTITUTE, assignment_for_user, lesson_editor_role, lesson_for_user
from journal.forms.grid import LessonRecordForm

from ..dates import safe_id
from ..lock import edit_state
from ..models import (
    Enrollment,
    Homework,
    Lesson,
    TeachingAssignment,
)
from ..selectors.averages import period_mark_minimum
from ..selectors.grid import (
    EMPTY,
    Cell,
    ColumnState,
    Grid,
    GridColumn,
    GridRow,
    cell_history,
    journal_grid,
    lesson_grid,
    pupil_cell,
    pupil_period_stats,
)
from ..services.journal import attendance_set, homework_remove, homework_set, lesson_record_set, mark_set

FIELDS = ("mark1", "mark2", "att")
WEEKDAYS = (_lazy("пн"), _lazy("вт"), _lazy("ср"), _lazy("чт"), _lazy("пт"), _lazy("сб"), _lazy("вс"))
PLACEHOLDER = 987654321
LOW_MARKS = frozenset({"1", "2", "нз"})


# Access --------------------------------------------------------------------------------------------------------


def keeps_journal(assignment: TeachingAssignment, can_edit: bool) -> bool:
    """Whether the grid offers inputs: the access helper's answer, except in a closed year (read-only for all)."""
    return can_edit and not assignment.year.is_closed


# HTML of the table -----------------------------------------------------------------------------------------------

_cell_cache: dict[tuple[str, str, str], str] = {}


def cell_inner(cell: Cell) -> str:
    """The inside of a cell: the attendance code in <i>, the marks in <b> (an empty first <b> keeps the order)."""
    key = (cell.mark1, cell.mark2, cell.attendance)
    html = _cell_cache.get(key)
    if html is None:
        html = f"<i>{escape(cell.attendance)}</i>" if cell.attendance else ""
        if cell.mark1 or cell.mark2:
            html += _mark_html(cell.mark1)
        if cell.mark2:
            html += _mark_html(cell.mark2)
        if len(_cell_cache) < 1000:
            _cell_cache[key] = html
    return html


def _mark_html(value: str) -> str:
    """A mark; low ones (1, 2, незачёт) get a class so they stand out."""
    if value in LOW_MARKS:
        return f'<b class="lo">{escape(value)}</b>'
    return f"<b>{escape(value)}</b>"


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def stats_payload(grid_minimum: int, stats) -> dict:
    return {
        "avg": _number(stats.average),
        "n": stats.marks_count,
        "low": not stats.enough,
        "fc": stats.forecast,
        "min": grid_minimum,
    }


def _url_maker(name: str, count: int = 1):
    """reverse() once with placeholders; format pks into it (reverse per column or cell costs ~20 µs each)."""
    url = reverse(name, args=[PLACEHOLDER] * count)
    parts = url.split(str(PLACEHOLDER))
    return lambda *pks: "".join(part + (str(pks[i]) if i < len(pks) else "") for i, part in enumerate(parts))


def _column_header(column: GridColumn, lesson_url: str) -> str:
    lesson = column.lesson
    date = lesson.date
    classes = [column.state]
    if lesson.is_control:
        classes.append("ctl")
    day = f"{WEEKDAYS[date.weekday()]} {date:%d.%m.%Y}, " + _("%(n)s урок") % {"n": lesson.number}
    topic, work, taught = column.topic, column.work_type, column.taught_by
    marks = []
    if lesson.is_control:
        marks.append(f'<span class="k" title="{_("контрольная работа")}">К</span>')
    if column.has_homework:
        marks.append(f'<span class="hw" title="{_("задано домашнее задание")}">д</span>')
    if taught:
        marks.append(f'<span class="sb" title="{_("замена")}">з</span>')
    if column.state == ColumnState.LOCKED:
        marks.append('<i class="bi bi-lock-fill"></i>')
    elif column.state == ColumnState.UNLOCKED:
        marks.append('<i class="bi bi-unlock-fill"></i>')
    if column.missing:
        marks.append(
            f'<span class="ms" title="{_("присутствовали, но без отметки")}: {column.missing}">{column.missing}</span>'
        )
    title = f"{day}: {topic}" if topic else day
    return (
        f'<th data-l="{lesson.pk}" class="{" ".join(classes)}" title="{escape(title)}" data-d="{escape(day)}"'
        f' data-t="{escape(topic)}" data-w="{escape(work)}" data-s="{escape(taught)}" data-r="{escape(column.reason)}"'
        f' data-u="{lesson_url}"><a href="{lesson_url}">{date:%d}<small>{date:%m}</small></a>'
        f'<span class="mk">{"".join(marks)}</span></th>'
    )


def _pupil_name(row: GridRow) -> str:
    user = row.pupil.user
    name = escape(f"{user.last_name} {user.first_name}".strip() or user.username)
    notes = []
    if row.roster.arrived_on:
        notes.append(_("прибыл(а) %(d)s") % {"d": f"{row.roster.arrived_on:%d.%m}"})
    if row.roster.left_on:
        notes.append(_("выбыл(а) %(d)s") % {"d": f"{row.roster.left_on:%d.%m}"})
    note = f"<small>{escape(', '.join(notes))}</small>" if notes else ""
    return f'<th class="nm" title="{escape(user.full_name)}">{name}{note}</th>'


def _stats_cells(grid: Grid, row: GridRow) -> str:
    low = ""
    if not row.enough:
        need = _("мало отметок для отметки за период: нужно не меньше %(n)s") % {"n": grid.minimum}
        low = f' class="sc low" title="{need}"'
    else:
        low = ' class="sc"'
    if row.period_value:
        period = escape(row.period_value)
    elif row.period_proposed:
        period = f'<span class="prop" title="{_("предложена")}">{escape(row.period_proposed)}?</span>'
    else:
        period = ""
    return (
        f'<td class="sa">{_number(row.average)}</td><td{low}>{row.marks_count}</td>'
        f'<td class="sf">{row.forecast}</td><td class="sp">{period}</td>'
    )


def grid_table(grid: Grid, *, can_edit: bool, period_title: str = "", period_marks_url: str = "") -> SafeString:
    """The whole <table> of the grid as one string (see the module docstring)."""
    lesson_url = _url_maker("journal:grid_lesson")
    query = f"?period={grid.period.pk}" if grid.period else ""
    columns = grid.columns
    out = [
        '<table class="gr" id="grid"',
        f' data-cell-url="{reverse("journal:grid_cell")}"' if can_edit else "",
        f' data-history-url="{reverse("journal:grid_cell_history", args=[PLACEHOLDER, PLACEHOLDER + 1])}"',
        f' data-period="{grid.period.pk}"' if grid.period else "",
        ' data-placeholder="',
        str(PLACEHOLDER),
        '"><colgroup><col class="n"><col class="nm">',
    ]
    out += [f'<col class="{column.state}">' for column in columns]
    if grid.with_stats:
        out.append('<col class="st"><col class="st"><col class="st"><col class="st">')
    out.append('</colgroup><thead><tr><th class="n">№</th><th class="nm">')
    out.append(escape(_("Учащийся")))
    out.append("</th>")
    out += [_column_header(column, lesson_url(column.lesson.pk) + query) for column in columns]
    if grid.with_stats:
        out.append(
            f'<th class="st sa" title="{_("средний взвешенный балл")}">{_("Ср.")}</th>'
            f'<th class="st sc" title="{_("число отметок; нужно не меньше %(n)s") % {"n": grid.minimum}}">'
            f"{_('Отм.')}</th>"
            f'<th class="st sf" title="{_("прогноз отметки за период")}">{_("Прогн.")}</th>'
            f'<th class="st sp" title="{escape(period_title)}">'
            + (f'<a href="{escape(period_marks_url)}">{_("Итог")}</a>' if period_marks_url else _("Итог"))
            + "</th>"
        )
    out.append("</tr>")
    topics = [column.topic_short for column in columns]
    if grid.with_stats and any(topics):  # the row of topics, written upwards (the lesson page has its form)
        out.append('<tr class="tp"><th class="n"></th><th class="nm">')
        out.append(escape(_("Тема урока")))
        out.append("</th>")
        out += [f"<th><span>{escape(topic)}</span></th>" for topic in topics]
        out.append('<th class="st sa"></th><th class="st sc"></th><th class="st sf"></th><th class="st sp"></th></tr>')
    out.append("</thead><tbody>")
    for row in grid.rows:
        out.append(f'<tr data-p="{row.pupil.pk}"><td class="n">{row.number}</td>')
        out.append(_pupil_name(row))
        for cell in row.cells:
            if cell is None:
                out.append('<td class="x"></td>')
            elif cell is EMPTY:
                out.append("<td></td>")
            else:
                out.append(f"<td>{cell_inner(cell)}</td>")
        if grid.with_stats:
            out.append(_stats_cells(grid, row))
        out.append("</tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # every text from the database is escaped above


def script_messages() -> dict[str, str]:
    """What static/js/grid.js says to the user, translated here (the page puts it in a json_script)."""
    return {
        "substitute": _("замена:"),
        "notEnrolled": _("не в классе (группе) в этот день"),
        "unlockedUntil": _("открыто окном исправлений до"),
        "lesson": _("урок"),
        "fewMarks": _("мало отметок для отметки за период: нужно не меньше"),
        "missing": _("присутствовали, но без отметки"),
        "forbidden": _("Нет прав или страница устарела: обновите её."),
        "session": _("Сеанс истёк или сервер недоступен: войдите снова и обновите страницу."),
        "refused": _("Запись не принята."),
        "saved": _("Сохранено"),
        "saving": _("Сохранение…"),
        "offline": _("Нет связи с сервером: запись не сохранена."),
        "locked": _("Урок закрыт для отметок."),
        "loading": _("Загрузка…"),
        "historyFailed": _("Не удалось загрузить историю."),
        "late": _("«о…»: нажмите «п» — опоздание"),
    }


# The grid page ---------------------------------------------------------------------------------------------------


def _period_title(grid: Grid) -> str:
    if grid.period is None:
        return _("учебный год")
    return _("%(period)s: %(from)s–%(to)s") % {
        "period": grid.period,
        "from": f"{grid.period.start_date:%d.%m}",
        "to": f"{grid.period.end_date:%d.%m.%Y}",
    }


@login_required
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    """The class journal of an assignment for a study period: the teacher's daily screen."""
    assignment, can_edit = assignment_for_user(request.user, pk)
    can_edit = keeps_journal(assignment, can_edit)
    data = journal_grid(assignment, request.GET.get("period"))
    period_title = _period_title(data)
    period_marks_url = reverse("journal:period_marks", args=[assignment.pk])
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
        "class_url": reverse("journal:class_detail", args=[assignment.school_class_id]) if sees_class else "",
        "table": grid_table(data, can_edit=can_edit, period_title=period_title, period_marks_url=period_marks_url),
        "script_messages": script_messages(),
    }
    return render(request, "journal/grid/grid.html", context)


# Saving one cell -------------------------------------------------------------------------------------------------


def _error(message: str, status: int, cell: Cell | None = None) -> JsonResponse:
    payload = {"error": message}
    if cell is not None:
        payload["html"] = cell_inner(cell)
    return JsonResponse(payload, status=status)


@login_required
@require_POST
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
    pupil = PupilProfile.objects.select_related("user").filter(pk=pupil_pk).first()
    if pupil is None:
        return _error(_("Учащийся не найден."), 400)
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
    payload: dict = {"html": cell_inner(pupil_cell(lesson, pupil.pk))}
    period_pk = safe_id(request.POST.get("period"))
    if period_pk is not None:
        stats = pupil_period_stats(lesson.assignment, pupil.pk, period_pk)
        payload["stats"] = stats_payload(period_mark_minimum(lesson.assignment.hours_per_week), stats)
    return JsonResponse(payload)


# The lesson record -----------------------------------------------------------------------------------------------


def _homework_list(lesson: Lesson) -> list[Homework]:
    return list(Homework.objects.filter(lesson=lesson).exclude(text="").prefetch_related("pupils__user").order_by("pk"))


@login_required
def grid_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    """A lesson: its record (topic, КТП, kind of work, control work, homework) and its column of marks.

    The substitute reaches the lesson here (not the whole grid): the page holds the lesson's column with the same
    keyboard entry as the grid.
    """
    lesson, can_edit = lesson_for_user(request.user, pk)
    can_edit = can_edit and not lesson.assignment.year.is_closed
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    homework_list = _homework_list(lesson)
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

    form = LessonRecordForm(request.POST or None, lesson=lesson, pupils=pupils, homework=chosen, read_only=not can_edit)
    if request.method == "POST" and form.is_valid():
        data_in = form.cleaned_data
        topic = data_in["topic"].strip()
        if not topic and data_in["plan_topic"] is not None:
            topic = data_in["plan_topic"].title
        try:
            with transaction.atomic():
                lesson_record_set(
                    actor=request.user,
                    lesson=lesson,
                    topic=topic,
                    plan_topic=data_in["plan_topic"],
                    work_type=data_in["work_type"],
                    is_control=data_in["is_control"],
                )
                text = data_in["homework_text"].strip()
                if text:
                    homework_set(
                        actor=request.user,
                        lesson=lesson,
                        text=text,
                        pupils=list(data_in["homework_pupils"]),
                        homework=chosen,
                    )
                elif chosen is not None:
                    homework_remove(actor=request.user, homework=chosen)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        else:
            messages.success(request, _("Запись об уроке сохранена."))
            return redirect(lesson_url)

    substitute_only = lesson_editor_role(request.user, lesson) == LESSON_SUBSTITUTE
    grid_url = None if substitute_only else reverse("journal:grid", args=[lesson.assignment_id]) + query
    editable, lock_reason = (data.columns[0].editable, data.columns[0].reason) if data.columns else (False, "")
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
    lesson, _can_edit = lesson_for_user(request.user, lesson_pk)
    pupil = get_object_or_404(PupilProfile.objects.select_related("user"), pk=pupil_pk)
    if not Enrollment.objects.filter(pupil=pupil, school_class_id=lesson.assignment.school_class_id).exists():
        raise Http404
    context = {"lesson": lesson, "pupil": pupil, "entries": cell_history(lesson, pupil)}
    partial = bool(getattr(request, "htmx", False)) or request.GET.get("partial") == "1"
    template = "journal/grid/_history.html" if partial else "journal/grid/history.html"
    return render(request, template, context)
