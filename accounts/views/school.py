"""The school's own record (names, address, time zone), kept by its admin in the application."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..access import require_school_admin
from ..forms import SchoolForm
from ..models import School
from ..services.schools import school_update


@login_required
def school_settings(request: HttpRequest) -> HttpResponse:
    require_school_admin(request.user)
    if request.user.school_id is None:
        raise Http404  # the platform operator edits schools in the Django admin
    school = School.objects.get(pk=request.user.school_id)
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school_update(
                actor=request.user,
                school=School.objects.get(pk=school.pk),
                name=data["name"],
                short_name=data["short_name"],
                address=data["address"],
                time_zone=data["time_zone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Данные школы сохранены."))
            return redirect("accounts:school")
    return render(request, "accounts/school.html", {"form": form})
