"""Celery tasks of the archive: archiving a year, printing journals, the nightly backup."""

from celery import shared_task

from reports.replica import replica_reads

from .services.backup import backup_create, backup_rotate
from .services.prints import journal_print_run


# --- Backups (issue 13): the beat's daily backup, then the rotation (30 daily, 12 monthly, 5 yearly).
@shared_task(name="archive.tasks.backup_daily")
def backup_daily() -> str:
    """Write today's backup and rotate the folder. A second run the same day leaves one backup of the day: the
    rotation keeps the newest of each day."""
    path = backup_create()
    backup_rotate()
    return str(path)


# --- The year's archive (issue 13): resumable; a second delivery finds it claimed, a second run writes nothing.
@shared_task(name="archive.tasks.archive_year_build", soft_time_limit=3 * 3600, time_limit=3 * 3600 + 60)
def archive_year_build(archive_id: int) -> str:
    """Build the queued archive of a school year (``archive.services.archive.archive_year_build``)."""
    from .services.archive import archive_year_build as build

    with replica_reads():  # reads outside the snapshot's transaction from the replica, when there is one
        return build(archive_id)


# --- Printing the class journal (issue 13): class by class, resumable (archive.services.prints).
@shared_task(name="archive.tasks.render_journal_print", soft_time_limit=1800, time_limit=1860)
def render_journal_print(print_id: int) -> str:
    """Render a queued journal print; the classes already finished are not rendered again, and a second delivery
    of a print another worker holds does nothing."""
    with replica_reads():  # the journals' reads from the replica, when there is one
        return journal_print_run(print_id)
