"""The reports' pages: the index, one page per report (on screen, XLSX, PDF), and the background exports.

Every report page is the same view (``report``) run for its ``ReportSpec`` (reports.catalog): audience, filters,
figures, layout, answer. An export the spec calls heavy (e.g. the whole school) is queued as a job instead.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..access import report_scope, visible_report_jobs
from ..catalog import available, build_document, spec_for
from ..choices import JobStatus, ReportFormat
from ..replica import reads_replica
from ..services.jobs import report_job_request
from .common import file_response, query_without_format, requested_format, respond


@login_required
@reads_replica
def index(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user)
    specs = available(scope)
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    jobs = list(visible_report_jobs(request.user).defer("file", "params")[:10])
    context = {"groups": groups.items(), "jobs": jobs, "management": scope.management}
    return render(request, "reports/index.html", context)


@login_required
@reads_replica
def report(request: HttpRequest, slug: str) -> HttpResponse:
    scope = report_scope(request.user)
    spec = spec_for(slug)
    if not scope.may_see(spec.audience):
        raise Http404
    fmt = requested_format(request)
    if fmt != ReportFormat.HTML and spec.background:
        form = spec.resolve("form")(request.GET, scope=scope)
        if form.is_valid() and spec.resolve("background")(scope, form.cleaned_data, fmt):
            params = {key: value for key, value in request.GET.items() if key != "format"}
            job = report_job_request(actor=request.user, report=slug, params=params, fmt=fmt, title=spec.title)
            return redirect("reports:job", pk=job.pk)
    document, form = build_document(spec, scope, request.GET)
    if document is None:
        if fmt != ReportFormat.HTML:  # a download with wrong filters: the page says what is wrong
            return redirect(f"{request.path}?{query_without_format(request)}")
        context = {"spec": spec, "form": form, "query": query_without_format(request)}
        return render(request, "reports/invalid.html", context, status=400)
    return respond(request, document, form=form)


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background export: its state while it is made (the page follows it), then the download."""
    report_job = get_object_or_404(visible_report_jobs(request.user).defer("file"), pk=pk)
    partial = bool(getattr(request, "htmx", False))
    template = "reports/_job.html" if partial else "reports/job.html"
    return render(
        request, template, {"job": report_job, "done": report_job.status in (JobStatus.READY, JobStatus.FAILED)}
    )


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    report_job = get_object_or_404(visible_report_jobs(request.user), pk=pk, status=JobStatus.READY)
    if not report_job.file:
        raise Http404(_("Файл ещё не готов."))
    return file_response(bytes(report_job.file), report_job.file_name, report_job.fmt)
