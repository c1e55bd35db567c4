"""E-mail notifications: each user's own preferences, and the outbox for the school's administration.

Preferences: every signed-in user edits their own (there is no URL for anyone else's). The outbox: the director
and the deputy read it, the admin also sends a failed e-mail again; teachers, pupils and parents get 403 (a
school-wide list, like the class list), other schools' e-mails are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import require_management
from accounts.choices import time_zone_label

from ..access import can_resend, outgoing_email_for_user, visible_outgoing_emails
from ..choices import EmailStatus
from ..forms.notifications import NotificationSettingsForm
from ..selectors import notifications as selectors
from ..services import notifications as services

RECENT_OWN_EMAILS = 5


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """What the user gets by e-mail, their quiet hours and their address."""
    user = request.user
    prefs = selectors.settings_for(user)
    zone = time_zone_label(str(selectors.zone_of(user.school.time_zone if user.school_id else None)))
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, user=user, zone=zone)
        if form.is_valid():
            try:
                services.notification_settings_set(actor=user, user=user, **form.preferences(prefs))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Настройки уведомлений сохранены."))
                return redirect("diary:notifications")
    else:
        form = NotificationSettingsForm(initial=NotificationSettingsForm.initial_for(user, prefs), user=user, zone=zone)
    context = {
        "form": form,
        "address": user.email,
        "own_emails": selectors.emails_of(user, RECENT_OWN_EMAILS),
    }
    return render(request, "diary/notifications/settings.html", context, status=400 if form.errors else 200)


@login_required
def email_outbox(request: HttpRequest) -> HttpResponse:
    """Counts by status, what waits and since when, the failed e-mails with their errors, the latest sent."""
    user = request.user
    require_management(user)
    context = {
        "outbox": selectors.outbox(visible_outgoing_emails(user), timezone.now()),
        "can_resend": can_resend(user),
        "statuses": EmailStatus,
        "max_attempts": services.MAX_ATTEMPTS,
    }
    return render(request, "diary/notifications/outbox.html", context)


@login_required
@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """«Повторить»: the admin queues a failed e-mail again."""
    email, may_resend = outgoing_email_for_user(request.user, pk)
    if not may_resend:
        raise PermissionDenied
    try:
        services.email_retry(actor=request.user, email=email)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Письмо снова поставлено в очередь: %(to)s.") % {"to": email.user.email})
    return redirect("diary:email_outbox")
