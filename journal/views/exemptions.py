"""Exemptions from subjects of a class's pupils: the list with an add form, and the removal (POST, confirmed).

Who: the class teacher of the class and the administration (``journal.services.exemptions``); anyone who does not
see the class gets 404 (``class_for_user``), as on the class page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import class_for_user
from ..forms.exemptions import ExemptionForm
from ..selectors.exemptions import class_exemptions
from ..services.exemptions import exemption_create, exemption_remove, may_manage_exemptions


def _class_for_manager(request: HttpRequest, pk: int):
    school_class, _manages = class_for_user(request.user, pk)
    if not may_manage_exemptions(request.user, school_class):
        raise PermissionDenied
    return school_class


@login_required
@require_http_methods(["GET", "POST"])
def exemptions(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = _class_for_manager(request, pk)
    form = ExemptionForm(request.POST or None, school_class=school_class)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                exemption = exemption_create(
                    actor=request.user,
                    school_class=school_class,
                    pupil=data["pupil"],
                    subject=data["subject"],
                    period=data["period"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(pupil)s освобождён(а) от предмета «%(subject)s» (%(when)s).")
                    % {
                        "pupil": exemption.pupil,
                        "subject": exemption.subject,
                        "when": exemption.period or _("весь учебный год"),
                    },
                )
                return redirect("journal:exemptions", school_class.pk)
        status = 400
    context = {"school_class": school_class, "form": form, "exemptions": list(class_exemptions(school_class))}
    return render(request, "journal/exemptions.html", context, status=status)


@login_required
@require_POST
def exemption_delete(request: HttpRequest, pk: int, exemption_pk: int) -> HttpResponse:
    school_class = _class_for_manager(request, pk)
    exemption = get_object_or_404(class_exemptions(school_class), pk=exemption_pk)
    try:
        exemption_remove(actor=request.user, school_class=school_class, exemption=exemption)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Освобождение %(pupil)s от предмета «%(subject)s» удалено.")
            % {"pupil": exemption.pupil, "subject": exemption.subject},
        )
    return redirect("journal:exemptions", school_class.pk)
