"""Celery tasks of the reports: making a stored export (``reports.services.jobs``); the weekly remarks of the
journal's audit (``reports.services.remarks``), hourly by beat (CELERY_BEAT_SCHEDULE names it: the name is not to
change), each school's early on Monday in its own time zone."""

import logging

from celery import shared_task

from .replica import replica_reads
from .services.jobs import report_job_run
from .services.remarks import schools_remarks_record

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=600, time_limit=660)
def report_job_render(job_id: int) -> str:
    """Make and store the file of a queued report export; a second delivery finds it claimed and does nothing."""
    with replica_reads():  # the report's figures from the replica, when there is one
        return report_job_run(job_id)


@shared_task(soft_time_limit=1800, time_limit=1860)
def record_weekly_remarks() -> int:
    """Record the week's remarks of every school where it is early Monday and they are not recorded yet (each
    school once a week: a second run in the same week claims nothing). Returns the number of remarks created."""
    done = schools_remarks_record()
    created = sum(run.created for run in done)
    if done:
        logger.info(
            "audit remarks: %s schools, %s remarks recorded, %s closed",
            len(done),
            created,
            sum(run.closed for run in done),
        )
    return created
