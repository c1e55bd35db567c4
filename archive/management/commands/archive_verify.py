"""``manage.py archive_verify [--year 2025/2026]``: re-read every file of the years' archives and check the manifests;
print OK, or each damaged file, and exit with 1 when anything is missing or changed."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.models import ArchiveYear
from archive.services.verify import verify_archive


class Command(BaseCommand):
    help = "Проверка целостности архивов учебных лет: каждый файл перечитывается и сверяется с описью."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", help="учебный год, например 2025/2026 (по умолчанию все архивы)")
        parser.add_argument("--school", type=int, help="id школы (по умолчанию все школы)")

    def handle(self, *args, **options) -> None:
        archives = ArchiveYear.objects.select_related("year", "school").order_by("school_id", "year__start_date")
        if options["year"]:
            archives = archives.filter(year__name=options["year"].strip())
        if options["school"]:
            archives = archives.filter(school_id=options["school"])
        archives = list(archives)
        if not archives:
            raise CommandError("Архивов для проверки нет" + (f" за {options['year']}" if options["year"] else "") + ".")
        damaged = 0
        for archive in archives:
            started = time.monotonic()
            problems = verify_archive(archive)
            count = archive.files.filter(removed_at__isnull=True).count()
            head = f"{archive.school} · {archive.year.name} ({count} файлов, {time.monotonic() - started:.1f} с)"
            if not problems:
                self.stdout.write(f"OK {head}; опись {archive.manifest_sha256 or '—'}")
                continue
            damaged += len(problems)
            self.stdout.write(f"ПОВРЕЖДЁН {head}:")
            for problem in problems:
                self.stdout.write(f"  {problem}")
        if damaged:
            self.stderr.write(f"Повреждённых или отсутствующих файлов: {damaged}.")
            sys.exit(1)
