"""The substitution log (журнал замены уроков) and recording a substitution.

The management of the school sees the log; the deputy head and the admin record and cancel substitutions.
Everyone else gets 403 (as the other school-wide lists); a school without a year gets 404.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_management
from accounts.models import User
from journal.access import visible_lessons
from journal.forms.journal import DateRangeForm, SubstitutionForm

from .. import selectors as structure
from ..dates import safe_date
from ..models import Lesson, SchoolYear, Substitution
from ..selectors import substitution as selectors
from ..services import substitution as services


def _year(request: HttpRequest) -> SchoolYear:
    require_management(request.user)
    year = structure.current_year(request.user.school, timezone.localdate())
    if year is None:
        raise Http404("Учебный год ещё не создан.")
    return year


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


def _clamp(year: SchoolYear, day: dt.date) -> dt.date:
    return min(max(day, year.start_date), year.end_date)


@login_required
def substitutions(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    today = timezone.localdate()
    start, end = selectors.default_range(year, today)
    range_form = DateRangeForm(
        request.GET if "date_from" in request.GET else None, initial={"date_from": start, "date_to": end}
    )
    if range_form.is_bound and range_form.is_valid():
        start, end = range_form.cleaned_data["date_from"], range_form.cleaned_data["date_to"]
    can_record = services.can_record_substitutions(request.user, year.school_id) and not year.is_closed
    context = {
        "year": year,
        "start": start,
        "end": end,
        "range_form": range_form,
        "log": list(selectors.substitution_log(year, start, end)),
        "can_record": can_record,
    }
    if can_record:
        context.update(_record_context(request, year, today))
    return render(request, "journal/substitution/log.html", context)


def _record_context(request: HttpRequest, year: SchoolYear, today: dt.date, form=None) -> dict:
    """The recording form: choose a day and a class (GET), then the lesson and the substitute (POST)."""
    source = request.POST if request.method == "POST" else request.GET
    day = _clamp(year, safe_date(source.get("day")) or today)
    classes = selectors.classes_of(year)
    class_id = source.get("class", "")
    school_class = next((c for c in classes if str(c.pk) == class_id), None)
    lessons = selectors.day_lessons(school_class, day) if school_class else []
    if form is None and school_class is not None:
        form = SubstitutionForm(
            lessons=[(lesson.pk, selectors.lesson_label(lesson)) for lesson in lessons],
            staff=[(choice.user.pk, choice.label) for choice in selectors.staff_choices(year, day)],
        )
    return {"day": day, "classes": classes, "school_class": school_class, "day_lessons": lessons, "record_form": form}


@login_required
@require_POST
def substitution_record(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if not services.can_record_substitutions(request.user, year.school_id):
        raise PermissionDenied
    context = _record_context(request, year, timezone.localdate())
    school_class = context["school_class"]
    if school_class is None:
        messages.error(request, _("Выберите класс."))
        return redirect("journal:substitutions")
    form = SubstitutionForm(
        request.POST,
        lessons=[(lesson.pk, selectors.lesson_label(lesson)) for lesson in context["day_lessons"]],
        staff=[(choice.user.pk, choice.label) for choice in selectors.staff_choices(year, context["day"])],
    )
    back = (
        reverse("journal:substitutions")
        + "?"
        + urlencode({"day": context["day"].isoformat(), "class": school_class.pk})
    )
    if not form.is_valid():
        messages.error(request, _("Выберите урок и заменяющего учителя."))
        return redirect(back)
    lesson = get_object_or_404(
        Lesson.objects.select_related("assignment__year", "assignment__subject", "assignment__school_class"),
        pk=form.cleaned_data["lesson"],
        assignment__year=year,
    )
    substitute = get_object_or_404(User, pk=form.cleaned_data["substitute"])
    try:
        services.substitution_record(
            actor=request.user, lesson=lesson, substitute=substitute, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Замена оформлена: %(name)s ведёт %(n)s урок %(date)s в %(cls)s.")
            % {
                "date": f"{lesson.date:%d.%m.%Y}",
                "n": lesson.number,
                "cls": school_class,
                "name": substitute.full_name,
            },
        )
    return redirect(back)


@login_required
@require_POST
def substitution_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_management(request.user)
    substitution = get_object_or_404(
        Substitution.objects.filter(lesson__in=visible_lessons(request.user)).select_related(
            "lesson__assignment__year", "substitute"
        ),
        pk=pk,
    )
    try:
        services.substitution_cancel(actor=request.user, substitution=substitution)
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Замена отменена."))
    url = reverse("journal:substitutions")
    start, end = safe_date(request.POST.get("date_from")), safe_date(request.POST.get("date_to"))
    if start and end:
        url += "?" + urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})
    return redirect(url)
