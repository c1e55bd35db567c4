"""The year's archive of a small closed year (the cast's 7 «А» with the reports' seventh grade, and 8 «Б»): built
with three files per class, the manifest and the cover; verified; one changed byte named by the page's check and by
``archive_verify``; removal refused before the retention date and done after it by an act; a second run writes
nothing; a failed run resumes; PDFs signed with a throwaway certificate; PDF/A; who may see and do what."""

import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from archive.choices import ArchiveKind, ArchiveStatus
from archive.models import ArchiveClass, ArchiveDownload, ArchiveFile, ArchiveYear
from archive.services.archive import archive_file_remove, archive_year_start, current_cover, current_manifest
from archive.services.verify import verify_archive
from journal.choices import PeriodKind, YearStatus
from journal.models import Attendance, Homework, Lesson, Mark, PeriodMark, PeriodMarkKind, SchoolYear, StudyPeriod
from reports.tests.seventh_grade import seventh_grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_SIGNING_P12 = ""
    settings.ARCHIVE_SIGNING_PASSWORD = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def closed_year(cast, media):
    """The cast's year with marks, lessons, attendance and homework in 7 «А», closed."""
    grade = seventh_grade(cast)
    periods = list(StudyPeriod.objects.filter(year=cast.year, kind=PeriodKind.QUARTER).order_by("number"))
    for period, value in zip(periods, ["5", "4", "5", "5"], strict=True):
        PeriodMark.objects.create(
            assignment=cast.math_a, pupil=grade.alekseev, kind=PeriodMarkKind.PERIOD, period=period, value=value,
            updated_by=cast.teacher,
        )  # fmt: skip
    PeriodMark.objects.create(
        assignment=cast.math_a, pupil=grade.alekseev, kind=PeriodMarkKind.YEAR, value="5", updated_by=cast.teacher
    )
    lesson = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 9, 2), number=1, topic="Дроби")
    Mark.objects.create(lesson=lesson, pupil=grade.alekseev, value="5", updated_by=cast.teacher)
    Attendance.objects.create(lesson=lesson, pupil=grade.dmitrieva, code="н", updated_by=cast.teacher)
    Homework.objects.create(lesson=lesson, text="№ 12, 13", updated_by=cast.teacher)
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    cast.year.refresh_from_db()
    return cast


def _run(cast, django_capture_on_commit_callbacks, actor=None) -> ArchiveYear:
    """Start the archive as the admin; the job runs at the commit (Celery is eager in the tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        archive = archive_year_start(actor=actor or cast.admin, year=cast.year)
    archive.refresh_from_db()
    return archive


def _stored(media) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def _change_one_byte(path: str) -> None:
    with default_storage.open(path, "rb") as handle:
        content = bytearray(handle.read())
    content[len(content) // 2] ^= 0x01
    default_storage.delete(path)
    assert default_storage.save(path, ContentFile(bytes(content))) == path


def test_the_archive_of_a_closed_year_is_built(closed_year, django_capture_on_commit_callbacks, media):
    cast = closed_year
    archive = _run(cast, django_capture_on_commit_callbacks)

    assert archive.status == ArchiveStatus.DONE, archive.error
    assert archive.snapshot_at is not None and archive.finished_at is not None
    assert archive.progress_done == archive.progress_total == 3  # two classes, then the manifest
    files = list(archive.files.order_by("pk"))
    by_class = {c: sorted(f.kind for f in files if f.school_class_id == c.pk) for c in (cast.class_a, cast.class_b)}
    kinds = sorted([ArchiveKind.SUMMARY_SHEET, ArchiveKind.CLASS_JOURNAL, ArchiveKind.CLASS_DATA])
    assert by_class == {cast.class_a: kinds, cast.class_b: kinds}
    assert sorted(f.kind for f in files if f.school_class_id is None) == [ArchiveKind.COVER, ArchiveKind.MANIFEST]
    assert len(files) == 8
    for file in files:
        with default_storage.open(file.path, "rb") as handle:
            content = handle.read()
        assert (len(content), hashlib.sha256(content).hexdigest()) == (file.size, file.sha256)
        assert file.path.startswith(f"archive/{cast.school.pk}/2026-2027/")
        assert not file.signed
    # Retention from the end of the year (26.05.2027): journals 5 years, summary sheets 25.
    journal = next(f for f in files if f.kind == ArchiveKind.CLASS_JOURNAL)
    sheet = next(f for f in files if f.kind == ArchiveKind.SUMMARY_SHEET and f.school_class_id == cast.class_a.pk)
    assert journal.retain_until == dt.date(2032, 5, 26)
    assert sheet.retain_until == dt.date(2052, 5, 26)

    # The summary sheet is PDF/A-3b.
    from pyhanko.pdf_utils.reader import PdfFileReader

    with default_storage.open(sheet.path, "rb") as handle:
        reader = PdfFileReader(io.BytesIO(handle.read()))
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp

    # The class's year as canonical JSON: who set the mark, and when; the same bytes as a fresh dump.
    data_file = next(f for f in files if f.kind == ArchiveKind.CLASS_DATA and f.school_class_id == cast.class_a.pk)
    with default_storage.open(data_file.path, "rb") as handle:
        raw = handle.read()
    data = json.loads(raw)
    assert raw == json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert [(m["value"], m["by"]) for m in data["marks"]] == [("5", cast.teacher.full_name)]
    assert [m["topic"] for m in data["lessons"]] == ["Дроби"]
    assert [a["code"] for a in data["attendance"]] == ["н"]
    assert [h["text"] for h in data["homework"]] == ["№ 12, 13"]
    assert sorted(p["value"] for p in data["period_marks"]) == ["4", "5", "5", "5", "5"]
    assert len(data["pupils"]) == 6  # the cast's pupil and the five of the seventh grade

    # The manifest lists the six class files; its hash is the archive's and is printed on the cover.
    manifest = current_manifest(archive)
    assert manifest.sha256 == archive.manifest_sha256
    with default_storage.open(manifest.path, "rb") as handle:
        listed = json.loads(handle.read())
    assert sorted(entry["sha256"] for entry in listed["files"]) == sorted(
        f.sha256 for f in files if f.school_class_id is not None
    )
    cover = current_cover(archive)
    assert cover is not None
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(media / cover.path), "-"], capture_output=True, check=True, text=True
        ).stdout.replace("\n", "")
        assert archive.manifest_sha256[:16] in text and archive.manifest_sha256[-16:] in text


@pytest.mark.django_db(transaction=True)
def test_the_job_in_its_own_transactions_as_a_worker_runs_it(closed_year):
    """Outside a test's transaction each class is read in its own REPEATABLE READ transaction on PostgreSQL (the
    statement must come first in it); the job is handed over at the commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        archive = archive_year_start(actor=closed_year.admin, year=closed_year.year)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE, archive.error
    assert archive.files.count() == 8 and verify_archive(archive) == []
    snapshots = [q["sql"] for q in queries.captured_queries if "REPEATABLE READ" in q["sql"]]
    assert len(snapshots) == (2 if connection.vendor == "postgresql" else 0)  # one per class


def test_the_manifest_verifies(closed_year, django_capture_on_commit_callbacks, capsys):
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    assert verify_archive(archive) == []
    call_command("archive_verify", year="2026/2027")
    assert capsys.readouterr().out.startswith("OK ")


def test_one_changed_byte_is_named(closed_year, django_capture_on_commit_callbacks, capsys):
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    journal = archive.files.get(kind=ArchiveKind.CLASS_JOURNAL, school_class=closed_year.class_b)
    _change_one_byte(journal.path)

    problems = verify_archive(archive)
    assert [(p.path, p.reason) for p in problems] == [
        (journal.path, "содержимое изменилось: SHA-256 не совпадает с записанным")
    ]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        call_command("archive_verify")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert journal.path in out and out.count("\n  ") == 1  # only that file


def test_a_missing_file_and_a_changed_manifest_are_named(closed_year, django_capture_on_commit_callbacks):
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    data_file = archive.files.get(kind=ArchiveKind.CLASS_DATA, school_class=closed_year.class_a)
    default_storage.delete(data_file.path)
    manifest = current_manifest(archive)
    _change_one_byte(manifest.path)
    assert {p.path: p.reason for p in verify_archive(archive)} == {
        data_file.path: "файл отсутствует в хранилище",
        manifest.path: "содержимое изменилось: SHA-256 не совпадает с записанным",
    }


def test_a_record_changed_in_the_database_is_caught_by_the_manifest(closed_year, django_capture_on_commit_callbacks):
    """Someone rewrites a file and its record to match: the manifest (whose hash is on the cover) still differs."""
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    sheet = archive.files.get(kind=ArchiveKind.SUMMARY_SHEET, school_class=closed_year.class_a)
    default_storage.delete(sheet.path)
    default_storage.save(sheet.path, ContentFile(b"%PDF-1.7 forged"))
    ArchiveFile.objects.filter(pk=sheet.pk).update(size=15, sha256=hashlib.sha256(b"%PDF-1.7 forged").hexdigest())
    assert [(p.path, p.reason) for p in verify_archive(archive)] == [
        (sheet.path, "запись о файле в базе не совпадает с описью")
    ]


def test_a_second_run_changes_nothing(closed_year, django_capture_on_commit_callbacks, media):
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    before = list(archive.files.order_by("pk").values_list("pk", "path", "sha256"))
    stored = _stored(media)

    again = _run(closed_year, django_capture_on_commit_callbacks)
    assert again.pk == archive.pk and again.status == ArchiveStatus.DONE
    assert list(again.files.order_by("pk").values_list("pk", "path", "sha256")) == before
    assert again.manifest_sha256 == archive.manifest_sha256
    assert _stored(media) == stored


def test_a_failed_run_resumes_without_redoing_finished_classes(
    closed_year, django_capture_on_commit_callbacks, monkeypatch
):
    cast = closed_year
    from archive.render import journal as journal_render

    real = journal_render.class_journal_pdf

    def failing(school_class, **kwargs):
        if school_class.pk == cast.class_b.pk:
            raise RuntimeError("диск переполнен")
        return real(school_class, **kwargs)

    monkeypatch.setattr(journal_render, "class_journal_pdf", failing)
    archive = _run(cast, django_capture_on_commit_callbacks)
    assert archive.status == ArchiveStatus.FAILED and archive.error == "диск переполнен"
    first = list(archive.files.values_list("pk", "school_class_id"))
    assert {class_id for _pk, class_id in first} == {cast.class_a.pk}  # 8 «Б» left nothing half-written
    assert archive.progress_done == 1 and not archive.manifest_sha256

    monkeypatch.setattr(journal_render, "class_journal_pdf", real)
    archive = _run(cast, django_capture_on_commit_callbacks)
    assert archive.status == ArchiveStatus.DONE
    assert archive.files.count() == 8
    assert set(first) <= set(archive.files.values_list("pk", "school_class_id"))
    assert verify_archive(archive) == []


def test_starting_is_refused_before_the_year_ends_and_to_others(cast, media, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2027, 5, 31, 12, 0), tick=False):
        with pytest.raises(ValidationError, match="ещё не закрыт: архив можно сформировать .* с 01.06.2027"):
            archive_year_start(actor=cast.admin, year=cast.year)
        assert not ArchiveYear.objects.exists()
    for user in (cast.deputy, cast.director, cast.teacher, cast.foreign_admin):
        with pytest.raises(PermissionDenied):
            archive_year_start(actor=user, year=cast.year)
    with time_machine.travel(dt.datetime(2027, 6, 1, 12, 0), tick=False):
        # By 30 June: the open year may be archived on demand from 1 June.
        with django_capture_on_commit_callbacks(execute=False):
            archive = archive_year_start(actor=cast.admin, year=cast.year)
        assert archive.status == ArchiveStatus.QUEUED
        with pytest.raises(ValidationError, match="уже формируется"):
            archive_year_start(actor=cast.admin, year=cast.year)


def test_removal_before_the_retention_date_is_refused(closed_year, django_capture_on_commit_callbacks):
    cast = closed_year
    archive = _run(cast, django_capture_on_commit_callbacks)
    journal = archive.files.get(kind=ArchiveKind.CLASS_JOURNAL, school_class=cast.class_a)
    with time_machine.travel(dt.datetime(2032, 5, 26, 12, 0), tick=False):
        with pytest.raises(ValidationError, match=r"хранится до 26\.05\.2032 включительно.*не раньше 27\.05\.2032"):
            archive_file_remove(actor=cast.admin, file=journal, act_number="1")
    journal.refresh_from_db()
    assert journal.removed_at is None and default_storage.exists(journal.path)

    with time_machine.travel(dt.datetime(2032, 5, 27, 12, 0), tick=False):
        with pytest.raises(PermissionDenied):
            archive_file_remove(actor=cast.director, file=journal, act_number="1")
        with pytest.raises(ValidationError, match="номер акта"):
            archive_file_remove(actor=cast.admin, file=journal, act_number="  ")
        sheet = archive.files.get(kind=ArchiveKind.SUMMARY_SHEET, school_class=cast.class_a)
        with pytest.raises(ValidationError, match="хранится до 26.05.2052"):
            archive_file_remove(actor=cast.admin, file=sheet, act_number="1")
        with django_capture_on_commit_callbacks(execute=True):
            archive_file_remove(actor=cast.admin, file=journal, act_number="1/2032")
        with pytest.raises(ValidationError, match="уже выделен к уничтожению по акту № 1/2032"):
            archive_file_remove(actor=cast.admin, file=journal, act_number="2")
    journal.refresh_from_db()
    assert (journal.removal_act, journal.removed_by) == ("1/2032", cast.admin)
    assert not default_storage.exists(journal.path)
    assert journal.history.first().history_user == cast.admin
    # The removed file is gone on purpose: the archive still verifies, and the manifest keeps listing it.
    assert verify_archive(archive) == []
    # After 25 years the manifest itself may go by an act: the files left are still checked by their records.
    with time_machine.travel(dt.datetime(2052, 5, 27, 12, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            archive_file_remove(actor=cast.admin, file=current_manifest(archive), act_number="1/2052")
    assert verify_archive(archive) == []
    _change_one_byte(sheet.path)
    assert [p.path for p in verify_archive(archive)] == [sheet.path]


def _throwaway_p12(tmp_path, password: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "СОШ № 1 (тест)")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "school.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"school", key, certificate, None, serialization.BestAvailableEncryption(password)
        )
    )
    return str(path)


def test_pdfs_are_signed_with_the_schools_certificate(
    closed_year, django_capture_on_commit_callbacks, settings, tmp_path
):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    settings.ARCHIVE_SIGNING_P12 = _throwaway_p12(tmp_path, b"secret")
    settings.ARCHIVE_SIGNING_PASSWORD = "secret"
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    assert archive.status == ArchiveStatus.DONE, archive.error
    signed = {f.kind for f in archive.files.filter(signed=True)}
    assert signed == {ArchiveKind.SUMMARY_SHEET, ArchiveKind.CLASS_JOURNAL, ArchiveKind.COVER}
    assert not archive.files.filter(kind__in=[ArchiveKind.CLASS_DATA, ArchiveKind.MANIFEST], signed=True).exists()
    for file in archive.files.filter(signed=True):
        with default_storage.open(file.path, "rb") as handle:
            reader = PdfFileReader(io.BytesIO(handle.read()))
        [signature] = reader.embedded_signatures
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[]))
        assert status.intact and status.valid  # the bytes are as signed; the certificate is not trusted here
    assert verify_archive(archive) == []


def test_a_certificate_that_cannot_be_read_fails_the_run(closed_year, django_capture_on_commit_callbacks, settings,
                                                        tmp_path):  # fmt: skip
    settings.ARCHIVE_SIGNING_P12 = _throwaway_p12(tmp_path, b"secret")
    settings.ARCHIVE_SIGNING_PASSWORD = "wrong"
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    assert archive.status == ArchiveStatus.FAILED and archive.error
    assert not archive.files.exists()


# --- the pages -------------------------------------------------------------------------------------------------


def test_the_pages_for_the_administration(
    closed_year, django_capture_on_commit_callbacks, client, django_assert_num_queries
):
    cast = closed_year
    archive = _run(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.director)
    client.get(reverse("home"))  # the session's first request refreshes it
    # The session, the user, the menu's unread count; the years, their archives, the files counted.
    with django_assert_num_queries(6):
        index = client.get(reverse("archive:index"))
    assert index.status_code == 200 and "2026/2027" in index.content.decode()
    assert "Архивировать учебный год" not in index.content.decode()  # the director reads only
    # The session, the user, the menu's unread count; the archive, its files, the manifest and the cover.
    with django_assert_num_queries(7):
        page = client.get(reverse("archive:year", args=[archive.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert archive.manifest_sha256 in html and "Проверить целостность" in html
    sheet = archive.files.get(kind=ArchiveKind.SUMMARY_SHEET, school_class=cast.class_a)
    response = client.get(reverse("archive:download", args=[sheet.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sheet.sha256
    assert list(ArchiveDownload.objects.values_list("file", "user")) == [(sheet.pk, cast.director.pk)]

    assert "Целостность подтверждена" in client.get(reverse("archive:verify", args=[archive.pk])).content.decode()
    _change_one_byte(sheet.path)
    checked = client.get(reverse("archive:verify", args=[archive.pk])).content.decode()
    assert sheet.path in checked and "SHA-256 не совпадает" in checked


def test_the_admin_starts_and_removes_from_the_pages(closed_year, django_capture_on_commit_callbacks, client):
    cast = closed_year
    client.force_login(cast.admin)
    assert "Архивировать учебный год" in client.get(reverse("archive:index")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive:start", args=[cast.year.pk]))
    archive = ArchiveYear.objects.get(year=cast.year)
    assert response.status_code == 302 and response["Location"] == reverse("archive:year", args=[archive.pk])
    assert archive.status == ArchiveStatus.DONE

    journal = archive.files.get(kind=ArchiveKind.CLASS_JOURNAL, school_class=cast.class_a)
    refused = client.post(reverse("archive:remove", args=[journal.pk]), {"act_number": "1"}, follow=True)
    assert "хранится до 26.05.2032" in refused.content.decode()
    journal.refresh_from_db()
    assert journal.removed_at is None
    with time_machine.travel(dt.datetime(2032, 6, 1, 12, 0), tick=False):
        client.force_login(cast.admin)  # five years on: a new session
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("archive:remove", args=[journal.pk]), {"act_number": "7"})
        assert done.status_code == 302 and done["Location"] == reverse("archive:acts", args=[archive.pk])
        act = client.get(done["Location"]).content.decode()
    assert "Акт № 7" in act and "о выделении к уничтожению документов" in act and journal.name in act


def test_others_get_404(closed_year, django_capture_on_commit_callbacks, client):
    cast = closed_year
    archive = _run(cast, django_capture_on_commit_callbacks)
    sheet = archive.files.get(kind=ArchiveKind.SUMMARY_SHEET, school_class=cast.class_a)
    urls = [
        reverse("archive:index"),
        reverse("archive:year", args=[archive.pk]),
        reverse("archive:verify", args=[archive.pk]),
        reverse("archive:download", args=[sheet.pk]),
        reverse("archive:acts", args=[archive.pk]),
    ]
    for user in (cast.teacher, cast.classteacher, cast.pupil_user, cast.parent_user):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 5, user
    client.force_login(cast.foreign_admin)
    assert [client.get(url).status_code for url in urls[1:]] == [404] * 4
    # Starting and removing: the admin only (the director reads; another school's admin does not see it).
    assert client.post(reverse("archive:start", args=[cast.year.pk])).status_code == 404
    assert client.post(reverse("archive:remove", args=[sheet.pk]), {"act_number": "1"}).status_code == 404
    for user in (cast.director, cast.deputy):  # they read the archive: a write is forbidden, not hidden
        client.force_login(user)
        assert client.post(reverse("archive:start", args=[cast.year.pk])).status_code == 403
        assert client.post(reverse("archive:remove", args=[sheet.pk]), {"act_number": "1"}).status_code == 403
    sheet.refresh_from_db()
    assert sheet.removed_at is None
    assert not ArchiveDownload.objects.exists()


# --- two workers share a year (ARCHIVE_PARALLEL tasks, each claims a class at a time) -----------------------------


def _queued(cast, django_capture_on_commit_callbacks) -> tuple[ArchiveYear, int]:
    """Start the archive without running its tasks; returns it and the number of tasks queued."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        archive = archive_year_start(actor=cast.admin, year=cast.year)
    return archive, len(callbacks)


def _class_files(archive) -> dict[int, list[str]]:
    files: dict[int, list[str]] = {}
    for class_id, kind in archive.files.filter(school_class__isnull=False).values_list("school_class_id", "kind"):
        files.setdefault(class_id, []).append(kind)
    return {class_id: sorted(kinds) for class_id, kinds in files.items()}


def test_two_workers_share_the_classes_and_one_writes_the_manifest(
    closed_year, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """While the first task renders 7 «А», a second worker joins: it takes 8 «Б» (7 «А» is claimed), and leaves the
    manifest to the first, which finds every class done when it has finished its own."""
    cast = closed_year
    from archive.render import journal as journal_render
    from archive.services import archive as service

    real = journal_render.class_journal_pdf
    second: list[str] = []

    def with_a_second_worker(school_class, **kwargs):
        if not second:
            second.append("running")
            second[0] = service.archive_year_build(archive.pk)
        return real(school_class, **kwargs)

    monkeypatch.setattr(journal_render, "class_journal_pdf", with_a_second_worker)
    archive, tasks = _queued(cast, django_capture_on_commit_callbacks)
    assert tasks == settings.ARCHIVE_PARALLEL == 2
    assert service.archive_year_build(archive.pk) == "done"
    assert second == ["shared"]

    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.progress_done == archive.progress_total == 3
    kinds = sorted([ArchiveKind.SUMMARY_SHEET, ArchiveKind.CLASS_JOURNAL, ArchiveKind.CLASS_DATA])
    assert _class_files(archive) == {cast.class_a.pk: kinds, cast.class_b.pk: kinds}  # each class once
    assert archive.files.filter(kind=ArchiveKind.MANIFEST).count() == 1
    assert archive.files.filter(kind=ArchiveKind.COVER).count() == 1
    # 8 «Б» was finished by the second worker while the first still rendered 7 «А»'s journal.
    b_files = archive.files.filter(school_class=cast.class_b).values_list("pk", flat=True)
    assert max(b_files) < archive.files.get(school_class=cast.class_a, kind=ArchiveKind.CLASS_JOURNAL).pk
    assert set(ArchiveClass.objects.filter(archive=archive).values_list("status", flat=True)) == {ArchiveStatus.DONE}
    assert verify_archive(archive) == []
    # The tasks still in the queue find the archive done.
    assert service.archive_year_build(archive.pk) == "skipped"


def test_the_queued_tasks_run_one_after_another_when_celery_is_eager(
    closed_year, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """Eager Celery (development, tests) runs the tasks in turn: the first does every class, the others nothing."""
    from archive.services import archive as service

    settings.ARCHIVE_PARALLEL = 3
    results: list[str] = []
    real = service.archive_year_build
    monkeypatch.setattr(service, "archive_year_build", lambda pk: results.append(real(pk)) or results[-1])
    archive = _run(closed_year, django_capture_on_commit_callbacks)
    assert results == ["done", "skipped", "skipped"]
    assert archive.status == ArchiveStatus.DONE and archive.files.count() == 8
    assert archive.progress_done == archive.progress_total == 3


def test_the_build_called_twice_in_a_row_archives_once(closed_year, django_capture_on_commit_callbacks, media):
    from archive.services.archive import archive_year_build

    archive, _tasks = _queued(closed_year, django_capture_on_commit_callbacks)
    assert archive_year_build(archive.pk) == "done"
    stored = _stored(media)
    assert archive_year_build(archive.pk) == "skipped"
    assert _stored(media) == stored and archive.files.count() == 8


def test_a_class_whose_worker_was_lost_is_taken_over_later(closed_year, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from archive.services.archive import CLASS_STALE_AFTER, archive_year_build

    cast = closed_year
    archive, _tasks = _queued(cast, django_capture_on_commit_callbacks)
    ArchiveYear.objects.filter(pk=archive.pk).update(status=ArchiveStatus.RUNNING, started_at=timezone.now())
    lost = ArchiveClass.objects.filter(archive=archive, school_class=cast.class_a)
    lost.update(status=ArchiveStatus.RUNNING, started_at=timezone.now(), worker="elsewhere:1")
    # Another worker holds 7 «А» (for now): this task does 8 «Б» and leaves the manifest to the holder.
    assert archive_year_build(archive.pk) == "shared"
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.RUNNING and not archive.manifest_sha256
    assert list(_class_files(archive)) == [cast.class_b.pk] and archive.progress_done == 1
    # Its worker never came back: a task that runs later takes 7 «А» over and finishes the year.
    lost.update(started_at=timezone.now() - CLASS_STALE_AFTER - dt.timedelta(minutes=1))
    assert archive_year_build(archive.pk) == "done"
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.files.count() == 8 and verify_archive(archive) == []


def test_a_failure_on_one_worker_stops_the_other_and_a_restart_resumes(
    closed_year, django_capture_on_commit_callbacks, monkeypatch
):
    cast = closed_year
    from archive.render import journal as journal_render
    from archive.services import archive as service

    real = journal_render.class_journal_pdf
    second: list[str] = []

    def failing_on_8b(school_class, **kwargs):
        if school_class.pk == cast.class_b.pk:
            raise RuntimeError("нет места на диске")
        if not second:  # the second worker joins while 7 «А» is rendered, and fails on 8 «Б»
            second.append("running")
            second[0] = service.archive_year_build(archive.pk)
        return real(school_class, **kwargs)

    monkeypatch.setattr(journal_render, "class_journal_pdf", failing_on_8b)
    archive, _tasks = _queued(cast, django_capture_on_commit_callbacks)
    assert service.archive_year_build(archive.pk) == "failed"  # it finished 7 «А», then saw the failure
    assert second == ["failed"]
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.FAILED and archive.error == "нет места на диске"
    assert list(_class_files(archive)) == [cast.class_a.pk] and archive.progress_done == 1
    assert not archive.files.filter(kind=ArchiveKind.MANIFEST).exists()
    assert ArchiveClass.objects.get(archive=archive, school_class=cast.class_b).status == ArchiveStatus.FAILED

    monkeypatch.setattr(journal_render, "class_journal_pdf", real)
    archive = _run(cast, django_capture_on_commit_callbacks)
    assert archive.status == ArchiveStatus.DONE and archive.files.count() == 8
    assert archive.progress_done == archive.progress_total == 3 and verify_archive(archive) == []
