"""Paper diaries of a class: who gets them, the batch print (one PDF), the print log, consents and forms of information.

The class teacher of the class, and the deputy, the director and the admin of its school; anyone else gets 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from journal.lock import school_today
from journal.models import SchoolClass

from ..forms_paper import PaperPrintForm
from ..selectors import paper as selectors
from ..services import paper as services


def paper_class_for_user(request: HttpRequest, pk: int) -> SchoolClass:
    """The class, for those who print its paper diaries; 404 for everyone else (no hint that the class exists)."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("year__school", "class_teacher"), pk=pk)
    if not services.may_print_paper(request.user, school_class):
        raise Http404
    return school_class


def _pdf_response(pdf: bytes, school_class: SchoolClass, form: PaperPrintForm) -> HttpResponse:
    data = form.cleaned_data
    name = (
        f"дневники_{school_class.grade}{school_class.letter}_{data['date_from']:%d.%m}-{data['date_to']:%d.%m.%Y}.pdf"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest, class_pk: int) -> HttpResponse:
    school_class = paper_class_for_user(request, class_pk)
    today = school_today(school_class.year.school)
    date_from, date_to = selectors.default_interval(today, school_class)
    if request.method == "POST":
        form = PaperPrintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pdf, _record = services.paper_diaries_print(
                    actor=request.user,
                    school_class=school_class,
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    layout=data["layout"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _pdf_response(pdf, school_class, form)
    else:
        form = PaperPrintForm(initial={"date_from": date_from, "date_to": date_to})
    pupils = selectors.paper_pupils(school_class, date_from, date_to)
    context = {
        "school_class": school_class,
        "form": form,
        "pupils": pupils,
        "log": selectors.print_log(school_class, today, needed=bool(pupils)),
        "every_days": selectors.PRINT_EVERY_DAYS,
        "consents": selectors.consent_rows(school_class),
        "no_consent": _("нет"),
        "not_chosen": _("не выбрана"),
        "today": today,
    }
    return render(request, "diary/paper/class.html", context, status=400 if form.errors else 200)
