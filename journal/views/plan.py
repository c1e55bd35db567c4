"""The КТП (calendar-thematic plan) pages of an assignment: the plan, its import, copy, applying it to lessons.

Access as the class journal: the assignment's teacher and the class teacher edit, the management reads,
everyone else gets 404. The uploaded file waits in the session between the preview and the confirmation.
"""

import base64
import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journal.forms.journal import PlanApplyForm, PlanCopyForm, PlanImportForm, PlanTopicForm

from ..access import assignment_for_user
from ..dates import safe_id
from ..models import PlanTopic, TeachingAssignment, WorkType
from ..selectors import plan as selectors
from ..services import plan as services
from ..services.period_marks import can_keep_journal

SESSION_KEY = "plan_import_{pk}"
SAMPLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


def _editable(request: HttpRequest, pk: int) -> TeachingAssignment:
    """The assignment for a write: 404 for those who may not see it, 403 for those who only read it."""
    assignment, _can_read = assignment_for_user(request.user, pk)
    if not can_keep_journal(request.user, assignment) or assignment.year.is_closed:
        raise PermissionDenied
    return assignment


def _plan_url(pk: int) -> str:
    return reverse("journal:plan", args=[pk])


def _work_types(assignment: TeachingAssignment):
    return WorkType.objects.filter(school_id=assignment.year.school_id).order_by("order", "name")


def _topic(assignment: TeachingAssignment, topic_pk: int) -> PlanTopic:
    return get_object_or_404(PlanTopic, pk=topic_pk, assignment=assignment)


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, _can_read = assignment_for_user(request.user, pk)
    can_edit = can_keep_journal(request.user, assignment) and not assignment.year.is_closed
    today = timezone.localdate()
    page = selectors.plan_page(assignment, today)
    context = {"assignment": assignment, "can_edit": can_edit, "page": page}
    if can_edit:
        edit_pk = safe_id(request.GET.get("edit"))
        editing = next((row.topic for row in page.rows if row.topic.pk == edit_pk), None)
        if editing is not None:
            context["editing"] = editing
            context["edit_form"] = PlanTopicForm(
                initial={
                    "section": editing.section,
                    "title": editing.title,
                    "hours": editing.hours,
                    "homework": editing.homework,
                    "work_type": editing.work_type_id,
                },
                with_position=False,
                submit_label=_("Сохранить"),
                work_types=_work_types(assignment),
            )
        last_section = page.rows[-1].topic.section if page.rows else ""
        context["add_form"] = PlanTopicForm(initial={"section": last_section, "hours": 1})
        context["import_form"] = PlanImportForm()
        sources = selectors.copy_sources(assignment, request.user)
        context["copy_form"] = PlanCopyForm(sources=sources) if sources else None
        context["apply_form"] = PlanApplyForm(initial={"from_date": today if page.held else None})
    return render(request, "journal/plan/plan.html", context)


@login_required
@require_POST
def plan_topic_add(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    form = PlanTopicForm(request.POST, work_types=_work_types(assignment) if "work_type" in request.POST else None)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("journal:plan", pk=pk)
    try:
        services.plan_topic_add(
            actor=request.user,
            assignment=assignment,
            title=form.cleaned_data["title"],
            hours=form.cleaned_data["hours"],
            section=form.cleaned_data["section"],
            position=form.cleaned_data.get("position"),
            homework=form.cleaned_data["homework"],
            work_type=form.cleaned_data.get("work_type"),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Тема добавлена."))
    return redirect("journal:plan", pk=pk)


@login_required
@require_POST
def plan_topic_edit(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    topic = _topic(assignment, topic_pk)
    form = PlanTopicForm(request.POST, with_position=False, work_types=_work_types(assignment))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{_plan_url(pk)}?edit={topic.pk}#topic-{topic.pk}")
    try:
        services.plan_topic_update(
            actor=request.user,
            topic=topic,
            title=form.cleaned_data["title"],
            hours=form.cleaned_data["hours"],
            section=form.cleaned_data["section"],
            homework=form.cleaned_data["homework"],
            work_type=form.cleaned_data["work_type"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Тема № %(n)s сохранена.") % {"n": topic.order})
    return redirect("journal:plan", pk=pk)


@login_required
@require_POST
def plan_topic_remove(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    topic = _topic(assignment, topic_pk)
    try:
        services.plan_topic_remove(actor=request.user, topic=topic)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Тема «%(title)s» удалена из КТП.") % {"title": topic.title})
    return redirect("journal:plan", pk=pk)


@login_required
@require_POST
def plan_topic_move(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    topic = _topic(assignment, topic_pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.plan_topic_move(actor=request.user, topic=topic, step=step)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect(f"{_plan_url(pk)}#topic-{topic.pk}")


# --- import ----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload: check the file and keep it in the session for the preview; nothing is written to the plan."""
    assignment = _editable(request, pk)
    form = PlanImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("journal:plan", pk=pk)
    upload = form.cleaned_data["file"]
    content = upload.read(services.MAX_FILE_SIZE + 1)
    try:
        services.plan_import_check(upload.name, content, work_types=services.school_work_types(assignment))
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("journal:plan", pk=pk)
    request.session[SESSION_KEY.format(pk=pk)] = {
        "file_name": upload.name,
        "content": base64.b64encode(content).decode("ascii"),
    }
    return redirect("journal:plan_import_preview", pk=pk)


def _stored_file(request: HttpRequest, pk: int) -> tuple[str, bytes] | None:
    stored = request.session.get(SESSION_KEY.format(pk=pk))
    if not stored:
        return None
    return stored["file_name"], base64.b64decode(stored["content"])


@login_required
def plan_import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    stored = _stored_file(request, pk)
    if stored is None:
        messages.info(request, _("Загрузите файл КТП."))
        return redirect("journal:plan", pk=pk)
    try:
        preview = services.plan_import_check(*stored, work_types=services.school_work_types(assignment))
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("journal:plan", pk=pk)
    page = selectors.plan_page(assignment, timezone.localdate())
    context = {"assignment": assignment, "preview": preview, "page": page}
    return render(request, "journal/plan/import_preview.html", context)


@login_required
@require_POST
def plan_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    stored = _stored_file(request, pk)
    if stored is None:
        messages.error(request, _("Файл не найден: загрузите его снова."))
        return redirect("journal:plan", pk=pk)
    try:
        topics = services.plan_import(actor=request.user, assignment=assignment, file_name=stored[0], content=stored[1])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("journal:plan_import_preview", pk=pk)
    del request.session[SESSION_KEY.format(pk=pk)]
    messages.success(
        request,
        _("КТП загружен: тем %(n)s, часов %(h)s. Теперь назначьте темы урокам.")
        % {"n": len(topics), "h": sum(t.hours for t in topics)},
    )
    return redirect("journal:plan", pk=pk)


@login_required
def plan_sample(request: HttpRequest, fmt: str) -> HttpResponse:
    """The sample file of a КТП: the header row and a few lines."""
    if not request.user.is_staff_member or fmt not in SAMPLE_TYPES:
        raise Http404
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerows(services.SAMPLE_ROWS)
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "КТП"
        for row in services.SAMPLE_ROWS:
            sheet.append(list(row))
        sheet.column_dimensions["C"].width = 60
        sheet.column_dimensions["B"].width = 30
        output = io.BytesIO()
        workbook.save(output)
        content = output.getvalue()
    response = HttpResponse(content, content_type=SAMPLE_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"образец_КТП.{fmt}")
    return response


# --- copy and apply ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    source_pk = request.POST.get("source", "")
    source = TeachingAssignment.objects.select_related("year", "subject", "school_class").filter(
        pk=safe_id(source_pk) or 0
    )
    source = source.first()
    if source is None:
        messages.error(request, _("Выберите КТП, из которого копировать."))
        return redirect("journal:plan", pk=pk)
    try:
        topics = services.plan_copy_from(actor=request.user, assignment=assignment, source_assignment=source)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("КТП скопирован: тем %(n)s, часов %(h)s. Теперь назначьте темы урокам.")
            % {"n": len(topics), "h": sum(t.hours for t in topics)},
        )
    return redirect("journal:plan", pk=pk)


@login_required
@require_POST
def plan_apply(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _editable(request, pk)
    form = PlanApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Неверная дата."))
        return redirect("journal:plan", pk=pk)
    try:
        result = services.plan_apply_topics(
            actor=request.user, assignment=assignment, from_date=form.cleaned_data.get("from_date")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("journal:plan", pk=pk)
    text = _("Темы назначены урокам: %(a)s; уже были назначены: %(u)s; с темой, введённой вручную: %(k)s.") % {
        "a": result.assigned,
        "u": result.unchanged,
        "k": result.kept,
    }
    if result.beyond_plan:
        text += " " + _("Уроков сверх плана (без темы из КТП): %(n)s.") % {"n": result.beyond_plan}
    if result.hours_not_placed:
        text += " " + _("Часов КТП не хватило уроков: %(n)s.") % {"n": result.hours_not_placed}
    messages.success(request, text)
    return redirect("journal:plan", pk=pk)
