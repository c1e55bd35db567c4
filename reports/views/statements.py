"""Справки по итогам проверки (/reports/audit/statements/…): the list (the administration the school's, a teacher
«Мои справки»), a draft made from the control page, the author's edits and sending, a recipient's «Ознакомлен(а)»,
the PDF, and a correction of a sent справка.

Who sees a справка: ``selectors.statements.visible_statements`` (404 for anyone else: another school, pupils and
parents, a teacher it was not sent to). A write by someone who sees it but may not make it answers 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import ReportScope, report_scope
from ..choices import ReportFormat
from ..forms.audit import AuditForm
from ..forms.statements import StatementCreateForm, StatementEditForm
from ..models import AuditStatement
from ..render.statements import statement_file_name, statement_pdf
from ..selectors.statements import (
    audit_figures,
    default_recipients,
    school_statements,
    statement_for_user,
    statement_page,
    user_statements,
)
from ..services import statements as services
from .common import file_response


def _management(request: HttpRequest) -> ReportScope:
    scope = report_scope(request.user)
    if not scope.management or not services.may_compose(request.user, scope.school):
        raise Http404
    return scope


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    """The administration: the school's справки with who has not acknowledged; a teacher: «Мои справки»."""
    scope = report_scope(request.user)
    mine = list(user_statements(request.user))
    context = {"management": scope.management, "mine": mine}
    if scope.management:
        context["statements"] = list(school_statements(scope.school))
        context["may_compose"] = services.may_compose(request.user, scope.school)
    return render(request, "reports/statements/list.html", context)


@login_required
def statement_new(request: HttpRequest) -> HttpResponse:
    """A draft from the control page's dates and class: the audit is run, the deputy names it and ticks whom it
    concerns; the figures are frozen when the draft is made."""
    scope = _management(request)
    if request.method == "POST":
        form = StatementCreateForm(request.POST, classes=scope.classes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                statement = services.statement_create(
                    actor=request.user,
                    start=data["start"],
                    end=data["end"],
                    school_class=data.get("school_class"),
                    title=data["title"],
                    aim=data["aim"],
                    basis=data["basis"],
                    teacher_ids=data["teachers"],
                    class_teacher_ids=data["class_teachers"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Черновик справки № %(n)s составлен. Проверьте выводы и рекомендации и отправьте справку.")
                    % {"n": statement.number},
                )
                return redirect("reports:audit-statement-edit", statement.pk)
        if not form.is_valid() and all(name in form.cleaned_data for name in ("start", "end")):
            data = form.cleaned_data
            figures = audit_figures(request.user, data["start"], data["end"], data.get("school_class"))
            form.set_recipients(figures)
        return render(request, "reports/statements/new.html", {"form": form}, status=400)
    audit_form = AuditForm(request.GET, scope=scope)
    if not audit_form.is_valid():
        title = _("Справка по итогам проверки")
        return render(request, "reports/audit/invalid.html", {"form": audit_form, "title": title}, status=400)
    data = audit_form.cleaned_data
    start, end, school_class = data["start"], data["end"], data.get("school_class")
    figures = audit_figures(request.user, start, end, school_class)
    teachers, class_teachers = default_recipients(figures)
    initial = {
        "start": start,
        "end": end,
        "school_class": school_class,
        "title": services.default_title(start, end, school_class),
        "aim": services.default_aim(),
        "basis": services.default_basis(scope.school, start),
        "teachers": sorted(teachers),
        "class_teachers": sorted(class_teachers),
    }
    form = StatementCreateForm(initial=initial, classes=scope.classes, figures=figures)
    context = {
        "form": form,
        "figures": figures,
        "dates_label": data["dates_label"],
        "school_class": school_class,
        "start": start,
        "end": end,
    }
    return render(request, "reports/statements/new.html", context)


def _detail_context(request: HttpRequest, statement: AuditStatement) -> dict:
    user = request.user
    page = statement_page(statement, user=user)
    mine = next((row for row in page.recipients if row.user_id == user.pk), None)
    is_author = statement.author_id == user.pk and services.may_compose(user, statement.school)
    return {
        "page": page,
        "statement": statement,
        "mine": mine,
        "may_edit": is_author and not statement.is_sent,
        "may_correct": statement.is_sent and services.may_compose(user, statement.school),
        "management": services.may_compose(user, statement.school),
    }


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """A справка: its figures, texts and recipients with their acknowledgements; the recipient's button, the
    author's edit and send, the administration's correction."""
    found = statement_for_user(request.user, pk)
    return render(request, "reports/statements/detail.html", _detail_context(request, found))


@login_required
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's draft: texts, date and recipients; a sent справка is not edited (a correction is made)."""
    found = statement_for_user(request.user, pk)
    if found.author_id != request.user.pk or not services.may_compose(request.user, found.school):
        raise PermissionDenied
    if found.is_sent:
        messages.error(request, _("Отправленная справка не изменяется; чтобы исправить её, составьте исправление."))
        return redirect("reports:audit-statement", found.pk)
    form = StatementEditForm(request.POST or None, statement=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.statement_update(
                actor=request.user,
                statement=found,
                title=data["title"],
                aim=data["aim"],
                basis=data["basis"],
                checked_on=data["checked_on"],
                conclusions=data["conclusions"],
                recommendations=data["recommendations"],
                teacher_ids=data["teachers"],
                class_teacher_ids=data["class_teachers"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Черновик сохранён."))
            return redirect("reports:audit-statement", found.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "statement": found}
    return render(request, "reports/statements/edit.html", context, status=status)


@login_required
@require_POST
def statement_send(request: HttpRequest, pk: int) -> HttpResponse:
    found = statement_for_user(request.user, pk)
    try:
        services.statement_send(actor=request.user, statement=found)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request, _("Справка № %(n)s отправлена; получатели увидят её в сообщениях.") % {"n": found.number}
        )
    return redirect("reports:audit-statement", found.pk)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def statement_ack(request: HttpRequest, pk: int) -> HttpResponse:
    """«Ознакомлен(а)»: the recipient's one click (from the справка's page or the home page, ``next``)."""
    found = statement_for_user(request.user, pk)
    try:
        services.statement_acknowledge(actor=request.user, statement=found)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Отмечено: вы ознакомлены со справкой № %(n)s.") % {"n": found.number})
    return redirect(_next(request, reverse("reports:audit-statement", args=[found.pk])))


@login_required
def statement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The справка as an A4 PDF, with whoever has acknowledged it by now."""
    found = statement_for_user(request.user, pk)
    content = statement_pdf(statement_page(found, user=request.user))
    return file_response(content, statement_file_name(found), ReportFormat.PDF)


@login_required
@require_POST
def statement_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction of a sent справка: a new draft referring to it, opened for editing."""
    found = statement_for_user(request.user, pk)
    try:
        correction = services.statement_correct(actor=request.user, statement=found)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("reports:audit-statement", found.pk)
    messages.success(
        request,
        _("Составлен черновик справки № %(n)s, исправляющей справку № %(old)s.")
        % {"n": correction.number, "old": found.number},
    )
    return redirect("reports:audit-statement-edit", correction.pk)
