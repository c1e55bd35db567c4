"""A school's report settings and audit settings: the deputy head and the admin change them; the director reads them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..access import report_scope
from ..forms.settings import AuditSettingsForm, ReportSettingsForm
from ..selectors.settings import audit_settings, report_settings
from ..services.settings import (
    audit_settings_update,
    may_change_audit_settings,
    may_change_report_settings,
    report_settings_update,
)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user)
    if not scope.management:
        raise Http404
    current = report_settings(scope.school)
    may_change = may_change_report_settings(request.user, scope.school)
    form = ReportSettingsForm(request.POST or None, instance=current, read_only=not may_change)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                report_settings_update(actor=request.user, school=scope.school, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Настройки отчётов сохранены."))
                return redirect("reports:settings")
    return render(request, "reports/settings.html", {"form": form, "may_change": may_change})


@login_required
def audit_settings_page(request: HttpRequest) -> HttpResponse:
    """The deadlines and thresholds of the control of the journal (reports.models.AuditSettings) for the user's
    school: the administration sees them, the deputy head and the admin change them; anyone else 404."""
    scope = report_scope(request.user)
    if not scope.management:
        raise Http404
    current = audit_settings(scope.school)
    may_change = may_change_audit_settings(request.user, scope.school)
    form = AuditSettingsForm(request.POST or None, instance=current, read_only=not may_change)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                audit_settings_update(actor=request.user, school=scope.school, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Настройки проверки журнала сохранены."))
                return redirect("reports:audit-settings")
    context = {"form": form, "may_change": may_change, "current": current}
    return render(request, "reports/audit/settings.html", context)
