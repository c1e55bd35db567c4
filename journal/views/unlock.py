"""Edit windows: the deputy head's and the admin's log of reopened journals, and the form to reopen one.

The director sees the log read-only; teachers, pupils and parents get 403 (school-wide lists are for the
administration, as the class list). A teacher sees the windows of their own assignment on its journal page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_management
from accounts.models import User
from journal.forms.unlock import EditWindowForm, default_until

from .. import selectors
from ..dates import safe_date, safe_id
from ..models import SchoolYear
from ..selectors.unlock import school_edit_windows
from ..services.unlock import can_open_windows, edit_window_open


def _year_or_404(user: User) -> SchoolYear:
    require_management(user)
    year = selectors.current_year(user.school)
    if year is None:
        raise Http404("Учебный год ещё не создан.")
    return year


def _render(request: HttpRequest, year: SchoolYear, form: EditWindowForm | None) -> HttpResponse:
    context = {
        "year": year,
        "windows": list(school_edit_windows(year)),
        "now": timezone.now(),
        "form": form,
    }
    return render(request, "journal/unlock/list.html", context, status=400 if form and form.errors else 200)


def _new_form(request: HttpRequest, year: SchoolYear) -> EditWindowForm | None:
    if not can_open_windows(request.user) or year.is_closed:
        return None
    initial = {"until": default_until(timezone.localdate())}
    if assignment_pk := safe_id(request.GET.get("assignment")):
        initial["assignment"] = assignment_pk
    if day := safe_date(request.GET.get("date")):
        initial["lesson_date"] = day
    return EditWindowForm(initial=initial, year=year, action=reverse("journal:unlock_open"))


@login_required
def unlock_list(request: HttpRequest) -> HttpResponse:
    """The year's windows (open first in mind, all kept) and, for the deputy and the admin, the form to open one."""
    year = _year_or_404(request.user)
    return _render(request, year, _new_form(request, year))


@login_required
@require_POST
def unlock_open(request: HttpRequest) -> HttpResponse:
    year = _year_or_404(request.user)
    if not can_open_windows(request.user):
        raise PermissionDenied
    form = EditWindowForm(request.POST, year=year, action=reverse("journal:unlock_open"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            window = edit_window_open(
                actor=request.user,
                assignment=data["assignment"],
                lesson=data["lesson"],
                reason=data["reason"],
                until=data["until"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            what = (
                _("урок %(date)s") % {"date": f"{window.lesson.date:%d.%m.%Y}"} if window.lesson_id else _("все уроки")
            )
            messages.success(
                request,
                _("Окно исправлений открыто: %(assignment)s, %(what)s, по %(until)s.")
                % {
                    "assignment": data["assignment"],
                    "what": what,
                    "until": f"{timezone.localtime(window.valid_until):%d.%m.%Y %H:%M}",
                },
            )
            return redirect("journal:unlock_list")
    return _render(request, year, form)
