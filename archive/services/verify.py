"""«Проверить целостность»: re-read every file of a year's archive from the storage and name what is missing or
changed, then check the manifest against the records.

A file is damaged when it is missing, its size differs or its SHA-256 differs from the one recorded when it was
written. The manifest (the file whose SHA-256 is ``ArchiveYear.manifest_sha256``, printed on the cover sheet) must
be intact itself, and every class file must be in it with the same size and SHA-256: a record altered in the
database is caught by the manifest, a file altered in the storage by its record. Files removed by an act are not
read (they are gone on purpose); they stay in the manifest.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from ..choices import ArchiveKind, ArchiveStatus
from ..models import ArchiveFile, ArchiveYear

CHUNK = 1 << 20


@dataclass(frozen=True)
class Problem:
    """A damaged file of the archive: its path in the storage, its name and what is wrong."""

    path: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or self.name}: {self.reason}"


def stored_digest(path: str) -> tuple[str, int]:
    """The SHA-256 and the size of a stored file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with default_storage.open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_file(file: ArchiveFile) -> tuple[Problem | None, bytes | None]:
    """The file's problem, if any; the bytes of a manifest (to read it after)."""
    if not default_storage.exists(file.path):
        return Problem(file.path, file.name, _("файл отсутствует в хранилище")), None
    if file.kind == ArchiveKind.MANIFEST:
        with default_storage.open(file.path, "rb") as handle:
            content = handle.read()
        sha, size = hashlib.sha256(content).hexdigest(), len(content)
    else:
        content = None
        sha, size = stored_digest(file.path)
    if size != file.size:
        reason = _("размер изменился: записано %(was)s байт, сейчас %(now)s") % {"was": file.size, "now": size}
        return Problem(file.path, file.name, reason), None
    if sha != file.sha256:
        return Problem(file.path, file.name, _("содержимое изменилось: SHA-256 не совпадает с записанным")), None
    return None, content


def verify_archive(archive: ArchiveYear) -> list[Problem]:
    """Every problem of the archive, in the order of its files; an empty list when it is intact."""
    files = list(archive.files.select_related("school_class").order_by("pk"))
    problems: list[Problem] = []
    manifest_bytes: bytes | None = None
    manifest_file: ArchiveFile | None = None
    manifest_removed = any(
        f.removed_at is not None and f.kind == ArchiveKind.MANIFEST and f.sha256 == archive.manifest_sha256
        for f in files
    )
    for file in files:
        if file.removed_at is not None:
            continue
        problem, content = _check_file(file)
        if problem is not None:
            problems.append(problem)
        if file.kind == ArchiveKind.MANIFEST and file.sha256 == archive.manifest_sha256:
            manifest_file = file
            if content is not None:
                manifest_bytes = content
    if manifest_removed:  # destroyed by an act after its 25 years: the files left are checked by their records
        return problems
    if not archive.manifest_sha256:
        if archive.status == ArchiveStatus.DONE:
            problems.append(Problem("", _("опись"), _("у готового архива нет описи (SHA-256 описи не записан)")))
        return problems
    if manifest_file is None:
        problems.append(
            Problem("", _("опись"), _("файл описи с SHA-256 %(sha)s не найден") % {"sha": archive.manifest_sha256})
        )
        return problems
    if manifest_bytes is None:  # the manifest itself is damaged: named above
        return problems
    problems += _check_manifest(manifest_bytes, [f for f in files if f.school_class_id is not None])
    return problems


def _check_manifest(content: bytes, class_files: list[ArchiveFile]) -> list[Problem]:
    try:
        listed = {entry["path"]: entry for entry in json.loads(content)["files"]}
    except (ValueError, KeyError, TypeError):
        return [Problem("", _("опись"), _("файл описи не читается как опись архива"))]
    problems = []
    recorded = {file.path: file for file in class_files}
    for file in class_files:
        entry = listed.get(file.path)
        if entry is None:
            problems.append(Problem(file.path, file.name, _("файл не внесён в опись")))
        elif entry.get("sha256") != file.sha256 or entry.get("size") != file.size:
            problems.append(Problem(file.path, file.name, _("запись о файле в базе не совпадает с описью")))
    for path, entry in listed.items():
        if path not in recorded:
            problems.append(Problem(path, entry.get("name", path), _("файл из описи не записан в базе")))
    return problems
