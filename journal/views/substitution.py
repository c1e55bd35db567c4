"""The substitution log (журнал замены уроков), recording a substitution, and replacing every lesson of an absent
teacher over a day or a period (a plan with its conflicts, then all at once).

The management of the school sees the log; the deputy head and the admin record and cancel substitutions (the
director gets 403 on the pages that only record). Everyone else gets 403 (as the other school-wide lists); a
school without a year gets 404.
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
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import require_management
from accounts.models import User
from journal.access import visible_lessons
from journal.forms.journal import DateRangeForm, SubstitutionBulkForm, SubstitutionForm

from .. import selectors as structure
from ..dates import safe_date, safe_id
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


# Every lesson of an absent teacher -----------------------------------------------------------------------------------

BULK_FIELDS = ("teacher", "date_from", "date_to", "substitute", "reason")
KEEP = "0"  # a lesson's choice «не заменять»; "" is «as the others»


def _lesson_choices(source, staff: dict[int, User]) -> dict[int, User | None]:
    """The per-lesson substitutes of the plan's form (``s_<lesson>``): a person, or None for «не заменять»."""
    chosen: dict[int, User | None] = {}
    for name, value in source.items():
        lesson_pk = safe_id(name[2:]) if name.startswith("s_") else None
        if lesson_pk is None or value == "":
            continue
        chosen[lesson_pk] = None if value == KEEP else staff.get(safe_id(value) or 0)
        if value != KEEP and chosen[lesson_pk] is None:
            del chosen[lesson_pk]  # someone not on the staff list: left to the common choice
    return chosen


def _bulk_query(source) -> str:
    """The plan's address: the form and the per-lesson choices, for the redirect after a POST."""
    pairs = [(name, source.get(name, "")) for name in BULK_FIELDS]
    pairs += [(name, value) for name, value in source.items() if name.startswith("s_") and value != ""]
    return reverse("journal:substitution_bulk") + "?" + urlencode(pairs)


def _row_options(row, chosen_value: str, common: User | None) -> list[tuple[str, str, bool]]:
    """A lesson's <option>s: as the others, not replaced, then the staff free at that time (and the chosen one)."""
    default = _("как у всех: %(name)s") % {"name": common.short_name} if common else _("— не заменять —")
    options = [("", default, chosen_value == "")]
    if common is not None:
        options.append((KEEP, _("не заменять этот урок"), chosen_value == KEEP))
    people = list(row.free_staff)
    if row.substitute is not None and row.substitute not in people:
        people.insert(0, row.substitute)  # busy then: kept in the list so that the conflict shows what was chosen
    options += [(str(user.pk), user.short_name, chosen_value == str(user.pk)) for user in people]
    return options


@login_required
@require_http_methods(["GET", "POST"])
def substitution_bulk(request: HttpRequest) -> HttpResponse:
    """Replace all the lessons of a teacher for a day or a period: the plan with its conflicts (GET), then recording
    it all or nothing (POST, then back to the log); «Проверить ещё раз» posts the choices and comes back to the plan."""
    year = _year(request)
    if not services.can_record_substitutions(request.user, year.school_id) or year.is_closed:
        raise PermissionDenied
    everyone = selectors.school_staff(year, active_only=False)
    staff = {user.pk: user for user in everyone if user.is_active}
    teachers = [
        (user.pk, user.short_name if user.is_active else _("%(name)s (отключён)") % {"name": user.short_name})
        for user in everyone
    ]
    staff_choices = [(user.pk, user.short_name) for user in staff.values()]
    source = request.POST if request.method == "POST" else request.GET
    today = _clamp(year, timezone.localdate())
    form = SubstitutionBulkForm(
        source if "teacher" in source else None,
        teachers=teachers,
        staff=staff_choices,
        initial={"date_from": today, "date_to": today},
    )
    chosen = _lesson_choices(source, staff)

    if request.method == "POST":
        back = _bulk_query(request.POST)
        if not form.is_valid():
            messages.error(request, _("Выберите отсутствующего учителя и даты."))
            return redirect(back)
        if request.POST.get("action") != "save":
            return redirect(back)
        data = form.cleaned_data
        try:
            recorded = services.substitutions_record_many(
                actor=request.user,
                year=year,
                absent=User.objects.get(pk=data["teacher"]),
                date_from=data["date_from"],
                date_to=data["date_to"],
                substitute=staff.get(data["substitute"]) if data["substitute"] else None,
                substitutes=chosen,
                reason=data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
            return redirect(back)
        messages.success(request, _("Оформлено замен: %(n)s.") % {"n": len(recorded)})
        log = {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
        return redirect(reverse("journal:substitutions") + "?" + urlencode(log))

    plan = None
    rows = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        common = staff.get(data["substitute"]) if data["substitute"] else None
        try:
            plan = services.substitution_plan(
                actor=request.user,
                year=year,
                absent=next(user for user in everyone if user.pk == data["teacher"]),
                date_from=data["date_from"],
                date_to=data["date_to"],
                substitute=common,
                substitutes=chosen,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            for row in plan.rows:
                value = source.get(f"s_{row.lesson.pk}", "")
                rows.append((row, _row_options(row, value, common)))
    context = {
        "year": year,
        "form": form,
        "plan": plan,
        "rows": rows,
        "hidden": [(name, source.get(name, "")) for name in BULK_FIELDS] if plan is not None else [],
    }
    return render(request, "journal/substitution/bulk.html", context)
