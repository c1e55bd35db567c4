"""The admin's year-opening flow: a page of steps, each step a page the admin can leave and come back to."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import can_edit_structure, require_management, require_school_admin
from journal.access import (
    require_timetable_editor,
    visible_assignments,
    visible_classes,
    visible_years,
    year_for_user,
)
from journal.forms.setup import (
    AssignmentForm,
    CalendarDayForm,
    ClassForm,
    ClassTeacherForm,
    PeriodsForm,
    SubgroupForm,
    SubjectForm,
    TeacherChangeForm,
    VacationForm,
    YearCreateForm,
)

from ..choices import PeriodKind, YearStatus
from ..dates import safe_id, safe_int
from ..models import CalendarDay, GradeSettings, Subject, TeachingAssignment, Vacation
from ..selectors import setup as setup_selectors
from ..selectors import year_calendar
from ..services import (
    assignment_create,
    assignment_teacher_change,
    class_create,
    class_teacher_set,
    school_year_create,
    school_year_set_status,
    study_periods_set,
    subgroup_create,
    subject_create,
    vacation_add,
)
from ..services import year_setup as setup_services

PERIOD_COUNTS = {PeriodKind.QUARTER: 4, PeriodKind.TRIMESTER: 3, PeriodKind.HALF: 2}


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Call a service; its refusal becomes a Russian message on the page, never a 500."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


def _editable_year(request: HttpRequest, pk: int):
    year, can_edit = year_for_user(request.user, pk)
    if not can_edit:
        raise PermissionDenied
    return year


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


# Steps whose page not every member of the administration may open: the rule of that page (the director reads the
# year's setup, but laying out the lessons is the deputy head's and the admin's).
STEP_PAGE_RULES: dict[str, Callable] = {"journal:lessons_layout": require_timetable_editor}


def _step_link(user, step: setup_selectors.Step) -> str:
    """The step's address if the user may open its page, else "" (the page lists the step without a link)."""
    rule = STEP_PAGE_RULES.get(step.url_name)
    if rule is not None:
        try:
            rule(user)
        except PermissionDenied:
            return ""
    return step.url


@login_required
def setup_index(request: HttpRequest) -> HttpResponse:
    """Opening the year: the steps, what each has and what is missing."""
    require_management(request.user)
    year = None
    if year_pk := safe_id(request.GET.get("year")):
        year, _can_edit = year_for_user(request.user, year_pk)
    else:
        year = setup_selectors.year_being_opened(request.user.school)
    context = {
        "year": year,
        "can_edit": can_edit_structure(request.user) and year is not None and not year.is_closed,
        "is_admin": can_edit_structure(request.user),
        "steps": [(step, _step_link(request.user, step)) for step in setup_selectors.setup_steps(year)] if year else [],
        "previous": setup_selectors.previous_year(year) if year else None,
        "years": list(request.user.school.years.order_by("-start_date")) if request.user.school else [],
    }
    return render(request, "journal/setup/index.html", context)


@login_required
def year_create(request: HttpRequest) -> HttpResponse:
    require_school_admin(request.user)
    form = YearCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        six_from = data["six_day_from"]
        days = {grade: 6 for grade in range(six_from, 12)} if six_from else {}
        try:
            year = school_year_create(
                actor=request.user,
                school=request.user.school,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                days_per_week=days,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Учебный год {year.name} создан, праздники заполнены по производственному календарю."
            )
            return redirect("journal:setup_calendar", pk=year.pk)
    return render(request, "journal/setup/year_form.html", {"form": form})


@login_required
def setup_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the week and periods per grade, the period dates, vacations, holidays and extra days off."""
    year, can_edit = year_for_user(request.user, pk)
    calendar = year_calendar(year)
    kinds = sorted({gs.period_kind for gs in calendar.grade_settings}, key=list(PERIOD_COUNTS).index)
    periods_forms = []
    for kind in kinds:
        existing = [(p.start_date, p.end_date) for p in year.periods.filter(kind=kind).order_by("number")]
        periods_forms.append(
            (PeriodKind(kind), PeriodsForm(count=PERIOD_COUNTS[kind], initial_dates=existing, prefix=kind))
        )
    context = {
        "year": year,
        "can_edit": can_edit,
        "calendar": calendar,
        "periods_forms": periods_forms,
        "period_kinds": PeriodKind.choices,
        "vacation_form": VacationForm(),
        "day_form": CalendarDayForm(),
    }
    return render(request, "journal/setup/calendar.html", context)


@login_required
@require_POST
def setup_grades(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    settings = {}
    for gs in GradeSettings.objects.filter(year=year):
        days = request.POST.get(f"days_{gs.grade}", str(gs.days_per_week))
        kind = request.POST.get(f"kind_{gs.grade}", gs.period_kind)
        settings[gs.grade] = (safe_int(days, minimum=0) or 0, kind)
    _run(
        request,
        lambda: setup_services.grade_settings_set(actor=request.user, year=year, settings=settings),
        "Настройки параллелей сохранены.",
    )
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_periods(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    year = _editable_year(request, pk)
    if kind not in PERIOD_COUNTS:
        raise Http404
    form = PeriodsForm(request.POST, count=PERIOD_COUNTS[kind], initial_dates=[], prefix=kind)
    if form.is_valid():
        _run(
            request,
            lambda: study_periods_set(actor=request.user, year=year, kind=kind, dates=form.dates()),
            "Даты учебных периодов сохранены.",
        )
    else:
        messages.error(request, "Укажите даты начала и окончания каждого периода.")
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_vacation_add(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    form = VacationForm(request.POST)
    if form.is_valid():
        _run(request, lambda: vacation_add(actor=request.user, year=year, **form.cleaned_data), "Каникулы добавлены.")
    else:
        _form_errors(request, form)
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_vacation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    vacation = get_object_or_404(Vacation.objects.filter(year__in=visible_years(request.user)), pk=pk)
    year = _editable_year(request, vacation.year_id)
    _run(request, lambda: setup_services.vacation_remove(actor=request.user, vacation=vacation), "Каникулы удалены.")
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_day_add(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: setup_services.calendar_day_add(actor=request.user, year=year, **form.cleaned_data),
            "День добавлен в календарь.",
        )
    else:
        _form_errors(request, form)
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(CalendarDay.objects.filter(year__in=visible_years(request.user)), pk=pk)
    year = _editable_year(request, day.year_id)
    _run(request, lambda: setup_services.calendar_day_remove(actor=request.user, day=day), "День удалён из календаря.")
    return redirect("journal:setup_calendar", pk=year.pk)


@login_required
@require_POST
def setup_year_open(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    _run(
        request,
        lambda: school_year_set_status(actor=request.user, year=year, status=YearStatus.OPEN),
        f"Учебный год {year.name} открыт.",
    )
    return redirect(f"{reverse('journal:setup')}?year={year.pk}")


@login_required
def setup_classes(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: classes, their class teachers and subgroups."""
    year, can_edit = year_for_user(request.user, pk)
    classes = list(setup_selectors.classes_with_counts(year))
    context = {
        "year": year,
        "can_edit": can_edit,
        "classes": classes,
        "class_form": ClassForm(school_id=year.school_id),
        "teacher_form": ClassTeacherForm(school_id=year.school_id),
    }
    return render(request, "journal/setup/classes.html", context)


@login_required
@require_POST
def setup_class_add(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    form = ClassForm(request.POST, school_id=year.school_id)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: class_create(
                actor=request.user,
                year=year,
                grade=data["grade"],
                letter=data["letter"],
                class_teacher=data["class_teacher"],
            ),
            "Класс создан.",
        )
    else:
        _form_errors(request, form)
    return redirect("journal:setup_classes", pk=year.pk)


@login_required
@require_POST
def setup_class_teacher(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_object_or_404(visible_classes(request.user).filter(year__in=visible_years(request.user)), pk=pk)
    year = _editable_year(request, school_class.year_id)
    form = ClassTeacherForm(request.POST, school_id=year.school_id)
    if form.is_valid():
        teacher = form.cleaned_data["class_teacher"]
        _run(
            request,
            lambda: class_teacher_set(actor=request.user, school_class=school_class, teacher=teacher),
            f"Классный руководитель {school_class} назначен."
            if teacher
            else f"У {school_class} нет классного руководителя.",
        )
    else:
        _form_errors(request, form)
    return redirect("journal:setup_classes", pk=year.pk)


@login_required
def setup_class(request: HttpRequest, pk: int) -> HttpResponse:
    """A class in the flow: its subgroups and who is in each."""
    school_class = get_object_or_404(
        visible_classes(request.user).filter(year__in=visible_years(request.user)).select_related("class_teacher"),
        pk=pk,
    )
    year, can_edit = year_for_user(request.user, school_class.year_id)
    queryset = setup_selectors.class_pupils_for_subgroups(school_class)
    form = SubgroupForm(request.POST or None, pupils_queryset=queryset)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: subgroup_create(
                    actor=request.user, school_class=school_class, name=data["name"], pupils=list(data["pupils"])
                ),
                "Подгруппа создана.",
            ):
                return redirect("journal:setup_class", pk=school_class.pk)
    subgroups = list(school_class.subgroups.prefetch_related("pupils__user"))
    context = {
        "year": year,
        "can_edit": can_edit,
        "school_class": school_class,
        "subgroups": subgroups,
        "form": form,
        "pupil_count": queryset.count(),
    }
    return render(request, "journal/setup/class.html", context)


@login_required
def setup_curriculum(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: subjects × classes, hours per week, with each class's total."""
    year, can_edit = year_for_user(request.user, pk)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        cells = {}
        try:
            for key, value in request.POST.items():
                if key.startswith("h_"):
                    _prefix, class_id, subject_id = key.split("_")
                    ids = (safe_id(class_id), safe_id(subject_id))
                    if None in ids:
                        raise ValueError(key)
                    cells[ids] = setup_services.parse_hours(value)
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", ["Неверные данные в таблице."])))
            return redirect("journal:setup_curriculum", pk=year.pk)
        _run(
            request,
            lambda: setup_services.curriculum_grid_set(actor=request.user, year=year, cells=cells),
            "Учебный план сохранён.",
        )
        return redirect("journal:setup_curriculum", pk=year.pk)
    context = {
        "year": year,
        "can_edit": can_edit,
        "grid": setup_selectors.curriculum_grid(year),
        "subject_form": SubjectForm(),
    }
    return render(request, "journal/setup/curriculum.html", context)


@login_required
@require_POST
def setup_subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    form = SubjectForm(request.POST)
    if form.is_valid():
        max_order = Subject.objects.filter(school_id=year.school_id).order_by("-order").values_list("order", flat=True)
        order = (max_order.first() or 0) + 1
        _run(
            request,
            lambda: subject_create(actor=request.user, school=year.school, order=order, **form.cleaned_data),
            "Предмет добавлен.",
        )
    else:
        _form_errors(request, form)
    return redirect("journal:setup_curriculum", pk=year.pk)


@login_required
def setup_assignments(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: who teaches each curriculum line, and each teacher's total hours."""
    year, can_edit = year_for_user(request.user, pk)
    context = {
        "year": year,
        "can_edit": can_edit,
        "loads": setup_selectors.assignments_by_class(year),
        "teachers": setup_selectors.teacher_loads(year),
        "staff": list(setup_selectors.staff_for_select(year)),
    }
    return render(request, "journal/setup/assignments.html", context)


@login_required
@require_POST
def setup_assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    year = _editable_year(request, pk)
    form = AssignmentForm(request.POST, year=year)
    if form.is_valid():
        data = form.cleaned_data
        subject = Subject.objects.filter(school_id=year.school_id, pk=data["subject_id"]).first()
        if subject is None:
            messages.error(request, "Предмет не найден.")
        else:
            _run(
                request,
                lambda: assignment_create(
                    actor=request.user,
                    school_class=data["school_class"],
                    subject=subject,
                    teacher=data["teacher"],
                    hours_per_week=data["hours_per_week"],
                    subgroup=data["subgroup"],
                ),
                "Нагрузка назначена.",
            )
    else:
        _form_errors(request, form)
    return redirect(
        f"{reverse('journal:setup_assignments', args=[year.pk])}#class-{request.POST.get('school_class', '')}"
    )


@login_required
@require_POST
def setup_assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        visible_assignments(request.user).filter(year__in=visible_years(request.user)), pk=pk
    )
    year = _editable_year(request, assignment.year_id)
    _run(
        request,
        lambda: setup_services.assignment_remove(actor=request.user, assignment=assignment),
        "Нагрузка снята.",
    )
    return redirect(f"{reverse('journal:setup_assignments', args=[year.pk])}#class-{assignment.school_class_id}")


@login_required
@require_POST
def setup_assignment_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand an assignment to another teacher; its lessons and journal stay with it."""
    year = _editable_year(request, pk)
    assignment = get_object_or_404(TeachingAssignment, pk=safe_id(request.POST.get("assignment")) or 0, year=year)
    form = TeacherChangeForm(request.POST, school_id=year.school_id)
    if form.is_valid():
        _run(
            request,
            lambda: assignment_teacher_change(
                actor=request.user, assignment=assignment, teacher=form.cleaned_data["teacher"]
            ),
            "Нагрузка передана другому учителю.",
        )
    else:
        _form_errors(request, form)
    return redirect(f"{reverse('journal:setup_assignments', args=[year.pk])}#class-{assignment.school_class_id}")
