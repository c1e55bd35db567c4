"""People by hand: the school's admin adds and edits staff, and adds, links and unlinks a pupil's parents.

What the Django admin once offered a school's admin (it is the platform operator's now: ejournal/admin.py), here,
scoped to the admin's school. Logins and passwords: a new person gets a login and no password; the one-time code
to set it comes from the credentials pages (journal.views.people).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_school_admin, school_staff
from accounts.models import ParentChild, User

from ..access import pupil_for_user
from ..forms.staff import ParentAddForm, ParentLinkForm, StaffForm
from ..services import staff as services


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def staff_add(request: HttpRequest) -> HttpResponse:
    require_school_admin(request.user)
    if request.user.school is None:
        raise Http404
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_add(actor=request.user, school=request.user.school, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Сотрудник добавлен: %(name)s, логин %(login)s. Выдайте ему код первого входа.")
                % {"name": user.full_name, "login": user.username},
            )
            return redirect("journal:staff_credentials")
    return render(request, "journal/people/staff_form.html", {"form": form, "staff_member": None})


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_school_admin(request.user)
    member: User = get_object_or_404(school_staff(request.user), pk=pk)
    initial = {
        "last_name": member.last_name,
        "first_name": member.first_name,
        "middle_name": member.middle_name,
        "role": member.role,
        "email": member.email,
        "phone": member.phone,
        "is_active": member.is_active,
    }
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_update(
                actor=request.user,
                user=member,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                role=data["role"],
                email=data["email"],
                phone=data["phone"],
                active=data["is_active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            member.refresh_from_db()
        else:
            messages.success(request, _("Данные сотрудника сохранены: %(name)s.") % {"name": member.full_name})
            return redirect("journal:staff_list")
    return render(request, "journal/people/staff_form.html", {"form": form, "staff_member": member})


# A pupil's parents ----------------------------------------------------------------------------------------------


def _pupil_for_admin(request: HttpRequest, pk: int):
    """Linking a parent opens a child's diary to them: the school's admin only."""
    pupil = pupil_for_user(request.user, pk)
    require_school_admin(request.user)
    return pupil


def _card(pupil_pk: int) -> str:
    return reverse("journal:pupil_card", args=[pupil_pk]) + "#parents"


@login_required
@require_POST
def parent_add(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = _pupil_for_admin(request, pk)
    form = ParentAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Родитель не добавлен: %(errors)s") % {"errors": _form_errors(form)})
        return redirect(_card(pupil.pk))
    try:
        link = services.parent_add(actor=request.user, pupil=pupil, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request,
            _("Родитель добавлен: %(name)s, логин %(login)s.")
            % {"name": link.parent.user.full_name, "login": link.parent.user.username},
        )
    return redirect(_card(pupil.pk))


@login_required
@require_POST
def parent_link(request: HttpRequest, pk: int) -> HttpResponse:
    pupil = _pupil_for_admin(request, pk)
    form = ParentLinkForm(request.POST, pupil=pupil)
    if not form.is_valid():
        messages.error(request, _("Родитель не связан: %(errors)s") % {"errors": _form_errors(form)})
        return redirect(_card(pupil.pk))
    try:
        link = services.parent_link_existing(
            actor=request.user, pupil=pupil, parent=form.cleaned_data["parent"], kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Родитель связан с учащимся: %(name)s.") % {"name": link.parent.user.full_name})
    return redirect(_card(pupil.pk))


@login_required
@require_POST
def parent_unlink(request: HttpRequest, pk: int, parent_pk: int) -> HttpResponse:
    pupil = _pupil_for_admin(request, pk)
    link = get_object_or_404(
        ParentChild.objects.select_related("parent__user", "pupil__user"), pupil=pupil, parent_id=parent_pk
    )
    try:
        services.parent_unlink(actor=request.user, link=link)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(
            request,
            _("Связь снята: %(name)s больше не видит дневник учащегося.") % {"name": link.parent.user.full_name},
        )
    return redirect(_card(pupil.pk))


def _form_errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)
