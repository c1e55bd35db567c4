"""Report exports made in the background: requested in the web request, made by a Celery task, kept in the database.

``report_job_request`` stores the report's name, its filters (the query as typed) and the format, and hands the job
to Celery by name after the commit; ``report_job_run`` claims it with a conditional UPDATE (a second delivery does
nothing), rebuilds the requester's scope and the report exactly as the page would, and stores the file. A broker
that is down fails the job at once with the reason, rather than leaving it queued for nobody.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journal.services.queue import delay_or_fail

from ..access import report_scope
from ..catalog import build_document, spec_for
from ..choices import JobStatus
from ..models import ReportJob
from ..render.files import document_file

logger = logging.getLogger(__name__)

TASK = "reports.tasks.report_job_render"


@transaction.atomic
def report_job_request(*, actor: User, report: str, params: dict, fmt: str, title: str) -> ReportJob:
    """Queue an export of ``report`` with the filters ``params`` (the page's query) for ``actor``."""
    scope = report_scope(actor)  # 404 for someone who sees no report; the view checked the audience
    job = ReportJob.objects.create(
        school=scope.school, report=report, params=params, fmt=fmt, title=title[:300], requested_by=actor
    )
    transaction.on_commit(partial(delay_or_fail, TASK, ReportJob, job.pk))
    return job


def report_job_progress(job_id: int, done: int, total: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)


def report_job_run(job_id: int) -> str:
    """Make the job's file; "skipped" when another worker has it, "ready" or "failed" otherwise."""
    claimed = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ReportJob.objects.select_related("requested_by__school").get(pk=job_id)
    mine = ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING)
    try:
        scope = report_scope(job.requested_by)
        spec = spec_for(job.report)
        document, _form = build_document(spec, scope, job.params, progress=partial(report_job_progress, job_id))
        if document is None:
            raise ValueError(_("Условия отчёта больше не действуют: сформируйте его заново."))
        content, file_name = document_file(document, job.fmt)
    except Exception as error:
        logger.exception("report job %s failed", job_id)
        mine.update(status=JobStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        return "failed"
    mine.update(status=JobStatus.READY, file=content, file_name=file_name, finished_at=timezone.now())
    return "ready"
