"""Reads of the year's archive pages: the school's years with their archives, and an archive's files by class."""

from dataclasses import dataclass, field

from journal.models import SchoolClass, SchoolYear

from ..choices import ArchiveKind
from ..models import ArchiveFile, ArchiveYear

KIND_ORDER = {ArchiveKind.SUMMARY_SHEET: 0, ArchiveKind.CLASS_JOURNAL: 1, ArchiveKind.CLASS_DATA: 2}


@dataclass
class YearRow:
    year: SchoolYear
    archive: ArchiveYear | None
    file_count: int = 0


def archive_years(school_id: int) -> list[YearRow]:
    """Every year of the school, newest first, with its archive and the number of files kept (2 queries)."""
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("-start_date"))
    archives = {a.year_id: a for a in ArchiveYear.objects.filter(year__in=years).select_related("started_by")}
    counts: dict[int, int] = {}
    for archive_id in ArchiveFile.objects.filter(archive__in=archives.values(), removed_at__isnull=True).values_list(
        "archive_id", flat=True
    ):
        counts[archive_id] = counts.get(archive_id, 0) + 1
    rows = []
    for year in years:
        archive = archives.get(year.pk)
        rows.append(YearRow(year, archive, counts.get(archive.pk, 0) if archive else 0))
    return rows


@dataclass
class ClassFiles:
    school_class: SchoolClass | None
    files: list[ArchiveFile] = field(default_factory=list)


def archive_files_by_class(archive: ArchiveYear) -> tuple[list[ClassFiles], list[ArchiveFile]]:
    """The class files grouped by class (grade, letter), and the year's own files (manifests, covers)."""
    files = list(
        archive.files.select_related("school_class", "removed_by").order_by(
            "school_class__grade", "school_class__letter", "school_class_id", "pk"
        )
    )
    groups: dict[int, ClassFiles] = {}
    own = []
    for file in files:
        if file.school_class_id is None:
            own.append(file)
            continue
        groups.setdefault(file.school_class_id, ClassFiles(file.school_class)).files.append(file)
    for group in groups.values():
        group.files.sort(key=lambda f: (KIND_ORDER.get(f.kind, 9), f.pk))
    return list(groups.values()), own


def removal_acts(archive: ArchiveYear) -> list[tuple[str, list[ArchiveFile]]]:
    """The acts of removal of the archive: (number, its files), in the order they were made."""
    acts: dict[str, list[ArchiveFile]] = {}
    removed = archive.files.filter(removed_at__isnull=False).select_related("school_class", "removed_by")
    for file in removed.order_by("removed_at", "pk"):
        acts.setdefault(file.removal_act, []).append(file)
    return list(acts.items())
