"""``manage.py restore_drill``: restore the latest backup (or ``--file``) into a scratch database and media folder,
compare every table's row count and re-verify the year archive's files; print «OK» or each difference, and exit
non-zero on any."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.services.backup import backup_dir, backup_latest
from archive.services.drill import restore_drill


class Command(BaseCommand):
    help = "Учебное восстановление последней копии во временную базу и проверка: «OK» или список расхождений."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="папка копий (по умолчанию BACKUP_DIR)")
        parser.add_argument("--file", help="файл копии (по умолчанию самая новая в папке)")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        if options["file"]:
            backup = Path(options["file"])
            if not backup.is_file():
                raise CommandError(f"Нет файла {backup}")
        else:
            backup = backup_latest(options["dir"])
            if backup is None:
                raise CommandError(f"В папке {backup_dir(options['dir'])} нет резервных копий")
        self.stdout.write(f"Проверка копии {backup}")
        result = restore_drill(backup=backup, log=self.stdout.write)
        for note in result.notes:
            self.stdout.write(f"Замечание: {note}")
        summary = (
            f"таблиц {result.tables}, строк {result.rows}, файлов архива {result.archive_files}, "
            f"{time.monotonic() - started:.1f} с"
        )
        if result.ok:
            self.stdout.write(f"OK ({summary})")
            return
        for difference in result.differences:
            self.stdout.write(f"РАСХОЖДЕНИЕ: {difference}")
        raise CommandError(f"Восстановленная копия отличается, расхождений: {len(result.differences)} ({summary})")
