"""``manage.py seed_demo_past``: the demo school's last year — kept, closed, promoted — its archive and a backup.

``make run`` starts it in the background after ``seed_demo``, once the server is serving: last year's journal takes
about half a minute and rendering its archive (every class's summary sheet and journal) minutes. Each app builds
its own part, lowest layer first: ``journal.demo.seed_past_year`` the year, in a few short transactions so the
server's writes only wait seconds; ``archive.demo`` the archive (the archive page shows its progress meanwhile) and
the backup. Run again, it skips what is built and resumes an interrupted archive.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.choices import Role
from accounts.models import User
from archive import demo as archive_demo
from journal import demo as journal_demo
from journal.models import SchoolYear


class Command(BaseCommand):
    help = (
        "Прошлый учебный год демонстрационной школы (журнал, перевод, закрытие), его архив и резервная копия; "
        "make run запускает его в фоне."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-archive", action="store_true", help="без архива и резервной копии")

    def handle(self, *args: object, no_archive: bool = False, **options: object) -> None:
        started = time.perf_counter()
        admin = User.objects.filter(username="admin", role=Role.ADMIN).select_related("school").first()
        if admin is None or admin.school is None:
            self.stdout.write("Демонстрационной школы нет (сначала manage.py seed_demo): нечего делать.")
            return
        current = (
            SchoolYear.objects.filter(school=admin.school, promoted_at__isnull=True).order_by("-start_date").first()
        )
        if current is None:
            self.stdout.write("Текущего учебного года нет: нечего делать.")
            return
        state = journal_demo.past_year_state(current)
        if state == "partial":
            raise CommandError(
                "Прошлый учебный год демонстрационной школы построен не полностью (построение было прервано). "
                "Начните с пустой базы: make clean-db, затем make run."
            )
        if state == "missing":
            built = journal_demo.seed_past_year(current=current, actor=admin)
            self.stdout.write(
                f"Прошлый учебный год: классов {built['classes']}, отметок {built['journal_marks']}, "
                f"итоговых отметок {built['period_period_marks']}; перевод: {built['promoted']}."
            )
        else:
            self.stdout.write("Прошлый учебный год уже есть.")
        if not no_archive:
            done = archive_demo.seed(school=admin.school)
            self.stdout.write(f"Архив: {', '.join(done['archived']) or 'уже сформирован'}.")
            if done["backup"]:
                self.stdout.write(f"Резервная копия: {done['backup']}")
        self.stdout.write(f"Время: {time.perf_counter() - started:.1f} с")
