"""Answering with a report: on screen, or as a download in XLSX or PDF (``?format=``), or as a background job."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from ..choices import ReportFormat
from ..render.document import Document
from ..render.files import CONTENT_TYPES, document_file


def requested_format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", ReportFormat.HTML)
    return fmt if fmt in ReportFormat.values else ReportFormat.HTML


def query_without_format(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def file_response(content: bytes, file_name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "no-store"  # pupils' marks: not for shared caches
    return response


def respond(request: HttpRequest, document: Document, *, form=None, status: int = 200) -> HttpResponse:
    fmt = requested_format(request)
    if fmt != ReportFormat.HTML:
        return file_response(*document_file(document, fmt), fmt)
    context = {"document": document, "form": form, "query": query_without_format(request)}
    return render(request, document.html_template, context, status=status)
