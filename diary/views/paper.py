"""Paper diaries of a class: who gets them, the batch print (one PDF, made in the background), the print log with
each print's state and its PDF, consents and forms of information.

The class teacher of the class, and the deputy, the director and the admin of its school; anyone else gets 404
(``diary.access.visible_paper_classes``; the print log and the downloads: ``visible_paper_prints``).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from journal.lock import school_today

from ..access import paper_class_for_user, paper_print_for_user, visible_paper_prints
from ..forms.paper import PaperPrintForm
from ..selectors import paper as selectors
from ..services import paper as services


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest, class_pk: int) -> HttpResponse:
    school_class = paper_class_for_user(request.user, class_pk)
    today = school_today(school_class.year.school)
    date_from, date_to = selectors.default_interval(today, school_class)
    if request.method == "POST":
        form = PaperPrintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.paper_diaries_request(
                    actor=request.user,
                    school_class=school_class,
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    layout=data["layout"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(reverse("diary:paper", args=[school_class.pk]) + "#print-log")
    else:
        form = PaperPrintForm(initial={"date_from": date_from, "date_to": date_to})
    pupils = selectors.paper_pupils(school_class, date_from, date_to)
    context = {
        "school_class": school_class,
        "form": form,
        "pupils": pupils,
        "log": selectors.print_log(school_class, today, needed=bool(pupils), prints=visible_paper_prints(request.user)),
        "every_days": selectors.PRINT_EVERY_DAYS,
        "consents": selectors.consent_rows(school_class),
        "no_consent": _("нет"),
        "not_chosen": _("не выбрана"),
        "today": today,
    }
    return render(request, "diary/paper/class.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def paper_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = paper_print_for_user(request.user, pk)
    school_class = record.school_class
    name = f"дневники_{school_class.grade}{school_class.letter}_{record.date_from:%d.%m}-{record.date_to:%d.%m.%Y}.pdf"
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"  # pupils' marks and absences: not for shared caches or the back button
    return response
