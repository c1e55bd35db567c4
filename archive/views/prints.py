"""«Печать журнала»: the form, one subject's PDF at once, bigger prints as a background job with its progress, the
download, and «Продолжить» for a print that stopped with an error."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from journal.dates import safe_id
from journal.selectors import current_year

from ..access import require_journal_printer, visible_journal_prints
from ..choices import ArchiveStatus
from ..forms.prints import JournalPrintForm
from ..render.journal import class_journal_pdf
from ..services.prints import download_name, journal_print_check, journal_print_request, journal_print_resume


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"  # pupils' marks: not for shared caches
    return response


@login_required
def journal_print(request: HttpRequest) -> HttpResponse:
    require_journal_printer(request.user)
    year = current_year(request.user.school)
    if year is None:  # a school without a year yet: nothing to print
        return render(request, "archive/prints/form.html", {"form": None, "year": None, "prints": []})
    initial = {"school_class": safe_id(request.GET.get("school_class"))}
    form = JournalPrintForm(request.POST or None, user=request.user, year=year, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "actor": request.user,
            "year": year,
            "school_class": data["school_class"],
            "assignment": data["assignment"],
            "start": data["start"],
            "end": data["end"],
        }
        try:
            if data["assignment"] is not None:  # one subject: fast enough for the request
                checked = journal_print_check(**arguments)
                content = class_journal_pdf(
                    checked.school_class, start=checked.start, end=checked.end, assignment=checked.assignment
                )
                school_class = checked.school_class
                name = f"journal-{school_class.grade}{school_class.letter}-{checked.assignment.subject.name}.pdf"
                return _pdf_response(content, name)
            job = journal_print_request(**arguments)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            return redirect("archive:journal-print-job", pk=job.pk)
    prints = list(visible_journal_prints(request.user).select_related("school_class")[:10])
    context = {"form": form, "year": year, "prints": prints}
    return render(request, "archive/prints/form.html", context, status=400 if form.errors else 200)


@login_required
def journal_print_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A print being made: its progress (the page follows it), then the download."""
    job = get_object_or_404(visible_journal_prints(request.user), pk=pk)
    partial = bool(getattr(request, "htmx", False))
    template = "archive/prints/_job.html" if partial else "archive/prints/job.html"
    done = job.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED)
    return render(request, template, {"job": job, "done": done})


@login_required
def journal_print_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_journal_prints(request.user).select_related("school_class"), pk=pk)
    if job.status != ArchiveStatus.DONE or not job.path or not default_storage.exists(job.path):
        raise Http404
    content_type = "application/zip" if job.path.endswith(".zip") else "application/pdf"
    response = FileResponse(default_storage.open(job.path, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, download_name(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def journal_print_continue(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_journal_prints(request.user), pk=safe_id(pk))
    try:
        journal_print_resume(actor=request.user, journal_print=job)
    except ValidationError:
        pass  # already queued or done: the job page shows where it stands
    return redirect("archive:journal-print-job", pk=job.pk)
