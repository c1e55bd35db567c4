"""``manage.py backup``: write a backup of the database and the media files, then rotate the folder."""

import time

from django.core.management.base import BaseCommand, CommandParser

from archive.services.backup import backup_create, backup_dir, backup_rotate


class Command(BaseCommand):
    help = "Резервная копия базы и файлов (ejournal-ГГГГ-ММ-ДД-ЧЧММСС.tar.gz) и ротация старых копий."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="папка копий (по умолчанию BACKUP_DIR)")
        parser.add_argument("--no-rotate", action="store_true", help="не удалять старые копии")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        folder = backup_dir(options["dir"])
        path = backup_create(directory=folder)
        size = path.stat().st_size
        self.stdout.write(f"Копия: {path} ({size / 1024 / 1024:.1f} МБ, {time.monotonic() - started:.1f} с)")
        if not options["no_rotate"]:
            removed = backup_rotate(folder)
            if removed:
                self.stdout.write(f"Удалены по ротации: {', '.join(removed)}")
