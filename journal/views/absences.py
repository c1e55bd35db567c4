"""The class teacher's weekly review of absences [000 §5.2] and correction of their reasons [003 §2.9].

The class teacher corrects (through ``journal.services.journal.attendance_set`` and its rules); the management
reads; everyone else gets 404.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import PupilProfile
from journal.forms.journal import LESSON_CODE_CHOICES, REASON_CHOICES

from ..access import class_for_user
from ..dates import safe_date, safe_id
from ..models import Enrollment, Lesson, SchoolClass
from ..selectors import absences as selectors
from ..services import absences as services
from ..services.journal import attendance_set


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Недостаточно прав.")


def _page_url(school_class: SchoolClass, monday: dt.date, pupil_id=None, day: dt.date | None = None) -> str:
    query = {"week": monday.isoformat()}
    if pupil_id and day:
        query.update({"pupil": pupil_id, "day": day.isoformat()})
    return reverse("journal:absences", args=[school_class.pk]) + "?" + urlencode(query)


def _pupil_of(school_class: SchoolClass, pupil_id: str, day: dt.date) -> PupilProfile | None:
    """A pupil of the class on the day, or None."""
    pupil_pk = safe_id(pupil_id)
    if pupil_pk is None:
        return None
    enrollment = (
        Enrollment.objects.filter(school_class=school_class, pupil_id=pupil_pk, date_from__lte=day)
        .exclude(date_to__lt=day)
        .select_related("pupil__user")
        .first()
    )
    return enrollment.pupil if enrollment else None


@login_required
def absences(request: HttpRequest, pk: int) -> HttpResponse:
    school_class, manages = class_for_user(request.user, pk)  # manages: its class teacher [003 §2.9]
    can_correct = manages and not school_class.year.is_closed
    today = timezone.localdate()
    monday = selectors.clamp_week(school_class, safe_date(request.GET.get("week")) or today)
    week = selectors.absence_week(school_class, monday)
    context = {"school_class": school_class, "week": week, "can_correct": can_correct, "today": today}
    day = safe_date(request.GET.get("day"))
    if day is not None and week.start <= day <= week.end:
        pupil = _pupil_of(school_class, request.GET.get("pupil", ""), day)
        if pupil is not None:
            context.update(
                {
                    "detail_pupil": pupil,
                    "detail_day": day,
                    "detail_lessons": selectors.pupil_day(school_class, pupil, day),
                    "reason_choices": REASON_CHOICES,
                    "code_choices": LESSON_CODE_CHOICES,
                }
            )
    return render(request, "journal/absences/week.html", context)


def _correcting(request: HttpRequest, pk: int) -> SchoolClass:
    school_class, manages = class_for_user(request.user, pk)
    if not manages:
        raise PermissionDenied
    return school_class


@login_required
@require_POST
def absences_day_set(request: HttpRequest, pk: int) -> HttpResponse:
    """One reason for all of a pupil's absences on a day (a doctor's note for the day)."""
    school_class = _correcting(request, pk)
    day = safe_date(request.POST.get("day"))
    pupil = _pupil_of(school_class, request.POST.get("pupil", ""), day) if day else None
    if pupil is None:
        messages.error(request, _("Учащийся не найден в классе на эту дату."))
        return redirect("journal:absences", pk=pk)
    try:
        changed = services.absences_reason_set_day(
            actor=request.user, school_class=school_class, pupil=pupil, day=day, code=request.POST.get("code", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(pupil)s, %(date)s: причина пропусков изменена (уроков: %(n)s).")
            % {"pupil": pupil.user.short_name, "date": f"{day:%d.%m.%Y}", "n": len(changed)},
        )
    return redirect(_page_url(school_class, selectors.week_start(day), pupil.pk, day))


@login_required
@require_POST
def absences_lesson_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance code of one lesson of a pupil."""
    school_class = _correcting(request, pk)
    lesson_id = request.POST.get("lesson", "")
    lesson = get_object_or_404(
        Lesson.objects.select_related(
            "assignment__year__school", "assignment__school_class", "assignment__subgroup", "assignment__subject"
        ),
        pk=safe_id(lesson_id) or 0,
        assignment__school_class=school_class,
    )
    pupil = _pupil_of(school_class, request.POST.get("pupil", ""), lesson.date)
    if pupil is None:
        messages.error(request, _("Учащийся не найден в классе на эту дату."))
        return redirect("journal:absences", pk=pk)
    try:
        attendance_set(actor=request.user, lesson=lesson, pupil=pupil, code=request.POST.get("code", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(pupil)s, %(date)s, %(n)s урок: сохранено.")
            % {"pupil": pupil.user.short_name, "date": f"{lesson.date:%d.%m.%Y}", "n": lesson.number},
        )
    return redirect(_page_url(school_class, selectors.week_start(lesson.date), pupil.pk, lesson.date))
