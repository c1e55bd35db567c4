"""The archive's part of the demo school: last year's archive and a backup.

Building a year's archive renders every class's summary sheet and journal (minutes, not seconds), so it is not part
of ``seed_demo``'s transaction: ``make run`` runs ``manage.py seed_demo_archive`` in the background once the server
is up, and the archive page shows its progress meanwhile. It does what the administrator would: «Архивировать
учебный год» for every closed year without a finished archive (an archive interrupted by stopping ``make run`` is
resumed), then the nightly backup with its rotation (unless one was taken today).
"""

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import School, User
from journal.models import SchoolYear

from ..choices import ArchiveStatus
from ..models import ArchiveYear
from ..services.archive import archive_year_start
from ..services.backup import backup_create, backup_latest, backup_name_date, backup_rotate

INTERRUPTED = "Прервано: сервер демонстрационной школы остановлен во время архивации; архив продолжен."


def seed(*, school: School, backup: bool = True) -> dict:
    """Archive the school's closed years (resuming an interrupted run), then take a backup; returns what was done."""
    admin = User.objects.filter(school=school, role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return {"archived": [], "backup": None}
    archived = []
    for year in SchoolYear.objects.filter(school=school, promoted_at__isnull=False).order_by("start_date"):
        archive = ArchiveYear.objects.filter(year=year).first()
        if archive is not None and archive.status == ArchiveStatus.DONE:
            continue
        if archive is not None and archive.status in (ArchiveStatus.QUEUED, ArchiveStatus.RUNNING):
            # Only this command archives the demo: a run still marked as going was cut short.
            ArchiveYear.objects.filter(pk=archive.pk).update(
                status=ArchiveStatus.FAILED, error=INTERRUPTED, finished_at=timezone.now()
            )
        with transaction.atomic():  # the job is queued on commit (run here when Celery is eager)
            archive_year_start(actor=admin, year=year)
        archived.append(year.name)
    path = None
    latest = backup_latest()
    taken_today = latest is not None and backup_name_date(latest.name).date() == timezone.localdate()
    if backup and not taken_today:  # as the nightly job: one a day
        path = backup_create()
        backup_rotate()
    return {"archived": archived, "backup": str(path) if path else None}
