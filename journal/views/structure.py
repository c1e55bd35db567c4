from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import can_edit_structure, is_school_management, require_management
from accounts.choices import Role
from accounts.selectors import pupils_with_parents
from journal.access import assignment_for_user, class_for_user, may_print_for_class

from .. import selectors
from ..dates import safe_int
from ..workdays import grade_calendar


def _year_or_404(request: HttpRequest):
    year = selectors.current_year(request.user.school, timezone.localdate())
    if year is None:
        raise Http404("Учебный год ещё не создан.")
    return year


@login_required
def year_detail(request: HttpRequest) -> HttpResponse:
    """The school year: periods, vacations, the week per grade, holidays and transferred days."""
    year = _year_or_404(request)
    calendar = selectors.year_calendar(year)
    grade = _grade_param(request)
    months = selectors.calendar_months(year, grade)
    context = {"calendar": calendar, "year": year, "grade": grade, "months": months, "grades": range(1, 12)}
    return render(request, "journal/year_detail.html", context)


def _grade_param(request: HttpRequest) -> int:
    return safe_int(request.GET.get("grade"), minimum=1, maximum=11) or 5


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    require_management(request.user)
    year = _year_or_404(request)
    today = timezone.localdate()
    classes = list(selectors.class_list(request.user, year, today))
    return render(request, "journal/class_list.html", {"year": year, "classes": classes, "today": today})


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class, can_manage = class_for_user(request.user, pk)
    today = timezone.localdate()
    on_date = min(max(today, school_class.year.start_date), school_class.year.end_date)
    pupils = pupils_with_parents(selectors.class_pupils(school_class, on_date))
    curriculum, total_hours = selectors.class_curriculum(school_class)
    context = {
        "school_class": school_class,
        "can_manage": can_manage,
        "may_print_paper": may_print_for_class(request.user, school_class),
        "pupils": pupils,
        "on_date": on_date,
        "assignments": list(selectors.class_assignments(school_class)),
        "curriculum": curriculum,
        "total_hours": total_hours,
    }
    return render(request, "journal/class_detail.html", context)


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """Учебная нагрузка: the whole school's for the administration; a teacher's own, and a class teacher's class."""
    user = request.user
    if not (user.is_staff_member or is_school_management(user)):
        raise Http404
    year = _year_or_404(request)
    visible = list(selectors.assignments_for_user(user, year))
    management = is_school_management(user)
    own = visible if management else [a for a in visible if a.teacher_id == user.pk]
    context = {
        "year": year,
        "assignments": own,
        "total": sum(a.hours_per_week for a in own),
        "show_teacher": management,
        # The class teacher's class journals kept by colleagues: reachable from here as from the class page.
        "class_assignments": [] if management else [a for a in visible if a.teacher_id != user.pk],
    }
    return render(request, "journal/assignment_list.html", context)


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, can_edit = assignment_for_user(request.user, pk)
    year = assignment.year
    today = timezone.localdate()
    on_date = min(max(today, year.start_date), year.end_date)
    calendar = grade_calendar(year.school, assignment.school_class.grade)
    context = {
        "assignment": assignment,
        "can_edit": can_edit,
        "pupils": selectors.assignment_pupils(assignment, on_date),
        "on_date": on_date,
        "period": selectors.current_period(year, assignment.school_class.grade, on_date),
        "lock_date": calendar.add_working_days(today, -10),
    }
    return render(request, "journal/assignment_detail.html", context)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    require_management(request.user)
    year = _year_or_404(request)
    rows = selectors.staff_list(request.user.school, year)
    context = {"year": year, "rows": rows, "Role": Role, "can_edit": can_edit_structure(request.user)}
    return render(request, "journal/staff_list.html", context)
