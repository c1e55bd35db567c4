"""The year's archive pages for the school's administration: the years with their archives («Архивировать учебный
год» for the admin), a year's classes and files with the manifest's hash, «Проверить целостность», downloads (each
one recorded), and the removal of a file past its retention date with the printed act."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journal.lock import school_today
from journal.models import SchoolYear
from reports.replica import reads_replica

from ..access import archive_file_for_user, archive_for_user, require_archive_reader
from ..choices import ArchiveStatus
from ..selectors.archive import archive_files_by_class, archive_years, removal_acts
from ..services.archive import (
    archive_download_log,
    archive_file_remove,
    archive_startable,
    archive_year_start,
    can_archive,
    current_cover,
    current_manifest,
)
from ..services.verify import verify_archive

ACTIVE = (ArchiveStatus.QUEUED, ArchiveStatus.RUNNING)


@login_required
@reads_replica
def archive_index(request: HttpRequest) -> HttpResponse:
    require_archive_reader(request.user)
    rows = archive_years(request.user.school_id)
    admin = can_archive(request.user, request.user.school_id)
    today = school_today(request.user.school)
    startable = {
        row.year.pk
        for row in rows
        if admin and archive_startable(row.year, today) and not (row.archive and row.archive.status in ACTIVE)
    }
    return render(request, "archive/years.html", {"rows": rows, "startable": startable, "admin": admin})


@login_required
@require_POST
def archive_start(request: HttpRequest, pk: int) -> HttpResponse:
    require_archive_reader(request.user)
    year = get_object_or_404(SchoolYear, pk=pk, school_id=request.user.school_id)
    if not can_archive(request.user, year.school_id):
        raise PermissionDenied
    try:
        archive = archive_year_start(actor=request.user, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("archive:index")
    return redirect("archive:year", pk=archive.pk)


@login_required
@reads_replica
def archive_year(request: HttpRequest, pk: int) -> HttpResponse:
    archive = archive_for_user(request.user, pk)
    done = archive.status not in ACTIVE
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        # The progress card asks every 2 s while the job runs; once done the whole page is reloaded.
        response = render(request, "archive/_year_progress.html", {"archive": archive, "done": done})
        if done:
            response["HX-Refresh"] = "true"
        return response
    groups, own = archive_files_by_class(archive)
    context = {
        "archive": archive,
        "done": done,
        "groups": groups,
        "own": own,
        "manifest": current_manifest(archive),
        "cover": current_cover(archive),
        "admin": can_archive(request.user, archive.school_id),
        "today": school_today(archive.year.school),
    }
    return render(request, "archive/year.html", context)


@login_required
def archive_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """«Проверить целостность»: every file re-read now (a read: the page may be reloaded to check again)."""
    archive = archive_for_user(request.user, pk)
    started = time.monotonic()
    problems = verify_archive(archive)
    context = {
        "archive": archive,
        "problems": problems,
        "checked": archive.files.filter(removed_at__isnull=True).count(),
        "seconds": time.monotonic() - started,
    }
    return render(request, "archive/year_verify.html", context)


@login_required
def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    file = archive_file_for_user(request.user, pk)
    if file.removed_at is not None:
        raise Http404
    if not default_storage.exists(file.path):
        messages.error(
            request,
            _("Файл «%(name)s» не найден в хранилище: проверьте целостность архива.") % {"name": file.name},
        )
        return redirect("archive:year", pk=file.archive_id)
    archive_download_log(user=request.user, file=file)
    response = FileResponse(
        default_storage.open(file.path, "rb"), as_attachment=True, filename=file.name, content_type=file.content_type
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def archive_remove(request: HttpRequest, pk: int) -> HttpResponse:
    file = archive_file_for_user(request.user, pk)
    if not can_archive(request.user, file.archive.school_id):
        raise PermissionDenied
    try:
        archive_file_remove(actor=request.user, file=file, act_number=request.POST.get("act_number", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("archive:year", pk=file.archive_id)
    messages.success(request, _("Файл «%(name)s» выделен к уничтожению.") % {"name": file.name})
    return redirect(reverse("archive:acts", args=[file.archive_id]))


@login_required
@reads_replica
def archive_acts(request: HttpRequest, pk: int) -> HttpResponse:
    """«Акт о выделении к уничтожению»: a print page per act, with the files it lists."""
    archive = archive_for_user(request.user, pk)
    return render(request, "archive/year_acts.html", {"archive": archive, "acts": removal_acts(archive)})
