"""Celery tasks of the reports: making a stored export (``reports.services.jobs``)."""

from celery import shared_task

from .services.jobs import report_job_run


@shared_task(soft_time_limit=600, time_limit=660)
def report_job_render(job_id: int) -> str:
    """Make and store the file of a queued report export; a second delivery finds it claimed and does nothing."""
    return report_job_run(job_id)
