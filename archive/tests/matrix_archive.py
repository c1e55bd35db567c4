"""Access-matrix entries for the archive's URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
"""

LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 302, 403, 404, 405

# «Печать журнала»: every staff member (the choices are what each may print); another school's administration sees
# its own school's page; pupils and parents get 404.
PRINT_STAFF = {"anonymous": LOGIN, "pupil": NOT_FOUND, "parent": NOT_FOUND, "parent2": NOT_FOUND, "*": OK}
# A print is its requester's (the admin here): nobody else learns it exists.
PRINT_JOB = {"anonymous": LOGIN, "admin": OK, "*": NOT_FOUND}


def _print(cast, done=False):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from archive.choices import ArchiveStatus
    from archive.models import JournalPrint

    job = JournalPrint.objects.create(
        school=cast.school,
        year=cast.year,
        school_class=cast.class_a,
        start=cast.year.start_date,
        end=cast.year.end_date,
        title="Классный журнал: 7 «А»",
        requested_by=cast.admin,
        status=ArchiveStatus.DONE if done else ArchiveStatus.RUNNING,
    )
    if done:
        job.path = default_storage.save(f"archive/prints/{job.pk}/7A.pdf", ContentFile(b"%PDF-1.7 matrix"))
        job.save(update_fields=["path"])
    return job


# The year's archive: the school's administration reads it (another school's administration sees its own, empty,
# list); starting and removal are POST only (archive/tests/test_year_archive.py).
ARCHIVE_READERS = {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "*": NOT_FOUND}


def _archive(cast):
    from archive.choices import ArchiveStatus
    from archive.models import ArchiveYear

    return ArchiveYear.objects.create(
        school=cast.school, year=cast.year, started_by=cast.admin, status=ArchiveStatus.DONE, manifest_sha256="0" * 64
    )


def _archive_file(cast):
    import datetime as dt
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from archive.choices import ArchiveKind
    from archive.models import ArchiveFile

    archive = _archive(cast)
    content = b"%PDF-1.7 matrix"
    path = default_storage.save(f"archive/{cast.school.pk}/matrix/summary-sheet.pdf", ContentFile(content))
    return ArchiveFile.objects.create(
        archive=archive, school_class=cast.class_a, kind=ArchiveKind.SUMMARY_SHEET, name="Сводная ведомость 7А.pdf",
        path=path, content_type="application/pdf", size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        created_at=timezone.now(), retain_until=dt.date(2052, 5, 26),
    )  # fmt: skip


MATRIX_ENTRIES: dict = {
    # The year's archive (issue 13).
    "archive:index": (None, {**ARCHIVE_READERS, "foreign_admin": OK}),
    "archive:year": (lambda c: [_archive(c).pk], ARCHIVE_READERS),
    "archive:verify": (lambda c: [_archive(c).pk], ARCHIVE_READERS),
    "archive:acts": (lambda c: [_archive(c).pk], ARCHIVE_READERS),
    "archive:download": (lambda c: [_archive_file(c).pk], ARCHIVE_READERS),
    "archive:start": (lambda c: [c.year.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "archive:remove": (lambda c: [_archive_file(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    # Printing the class journal (issue 13).
    "archive:journal-print": (None, PRINT_STAFF),
    "archive:journal-print-job": (lambda c: [_print(c).pk], PRINT_JOB),
    "archive:journal-print-download": (lambda c: [_print(c, done=True).pk], PRINT_JOB),
    "archive:journal-print-continue": (lambda c: [_print(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
}
