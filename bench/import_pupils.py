"""Benchmark the import of pupils with parents: upload and check, the preview page, apply; on a throwaway database.

    DEBUG=true .venv/bin/python bench/import_pupils.py                     # 1000 rows
    DEBUG=true .venv/bin/python bench/import_pupils.py --rows 1000 --rows 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_pupils.py

Seeds a small demo school (``seed_demo --pupils 60 --no-timetable``), generates in memory a CSV of pupils
spread over the school's classes, each with a new mother and father (distinct names and phones), then
times ``import_upload`` (reading and checking the file), the preview page as the admin sees it, and
``import_apply`` (the bulk write), with their query counts. Target: 1000 rows applied in under ~3 s on
SQLite and PostgreSQL, with a number of queries that does not grow with the number of rows (but for the
batches Django splits a big INSERT into on SQLite: at most 999 values per statement). The database is an
SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped on
that server; the development database is never touched.
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings")
# Without DATABASE_URL the settings would point at the development db.sqlite3; point them at /tmp instead.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import names as people  # noqa: E402
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User  # noqa: E402
from journal.choices import ImportKind  # noqa: E402
from journal.models import Enrollment, SchoolClass  # noqa: E402
from journal.selectors import current_year  # noqa: E402
from journal.services.imports.apply import import_apply, import_upload  # noqa: E402
from journal.services.imports.checks import PUPIL_COLUMNS  # noqa: E402

SEED = 20260825


def throwaway_name(rows: int) -> str:
    if connection.vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"ejournal-bench-import-{os.getpid()}-{rows}.sqlite3")
    return f"ejournal_bench_import_{os.getpid()}_{rows}"


class Step:
    """Time and count the queries of one step (a wrapper counts them: Django's query log keeps only 9000)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "Step":
        self.wrapper = connection.execute_wrapper(self._count)
        self.wrapper.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.started
        self.wrapper.__exit__(*exc)
        if exc[0] is None:
            print(f"  {self.label:<34} {self.elapsed:6.2f} s, {self.count:5d} queries")


def pupils_csv(rows: int, class_names: list[str]) -> bytes:
    """``rows`` distinct pupils with a new mother and father each, as a school's CSV (UTF-8 with BOM, «;»)."""
    rng = random.Random(SEED)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.title for column in PUPIL_COLUMNS])
    seen: set[tuple[str, str, str, dt.date]] = set()
    number = 0
    while number < rows:
        surname = rng.choice(people.SURNAMES)
        father = rng.choice(people.MAN_NAMES)
        boy = rng.random() < 0.5
        first = rng.choice(people.BOY_NAMES if boy else people.GIRL_NAMES)
        middle = people.MALE_NAMES[father][0 if boy else 1]
        born = dt.date(2010, 9, 1) + dt.timedelta(days=rng.randrange(11 * 365))
        key = (surname, first, middle, born)
        if key in seen:
            continue
        seen.add(key)
        mother = rng.choice(people.WOMAN_NAMES)
        mother_middle = people.MALE_NAMES[rng.choice(people.MAN_NAMES)][1]
        father_middle = people.MALE_NAMES[rng.choice(people.MAN_NAMES)][0]
        values = {
            "last_name": surname if boy else people.feminine(surname),
            "first_name": first,
            "middle_name": middle,
            "date_of_birth": born.strftime("%d.%m.%Y"),
            "sex": "м" if boy else "ж",
            "class_name": class_names[number % len(class_names)],
            "date_from": "",
            "username": "",
            "parent1_name": f"{people.feminine(surname)} {mother} {mother_middle}",
            "parent1_kind": "мать",
            "parent1_phone": f"+7 91{number:08d}",
            "parent1_email": f"mother{number}@example.ru",
            "parent2_name": f"{surname} {father} {father_middle}",
            "parent2_kind": "отец",
            "parent2_phone": f"8 92{number:08d}",
            "parent2_email": "",
        }
        writer.writerow([values[column.key] for column in PUPIL_COLUMNS])
        number += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def written() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "pupils": PupilProfile.objects.count(),
        "parents": ParentProfile.objects.count(),
        "links": ParentChild.objects.count(),
        "enrolments": Enrollment.objects.count(),
        "pupil permissions": PupilUserObjectPermission.objects.count(),
        "history rows": sum(model.history.count() for model in (PupilProfile, ParentProfile, ParentChild, Enrollment)),
    }


def run(rows: int) -> None:
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = throwaway_name(rows)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    ContentType.objects.clear_cache()  # content type ids belong to the previous database
    try:
        call_command("seed_demo", pupils=60, no_timetable=True, stdout=StringIO())
        admin = User.objects.get(username="admin")
        year = current_year(admin.school, timezone.localdate())
        class_names = [f"{c.grade}{c.letter}" for c in SchoolClass.objects.filter(year=year).order_by("grade")]
        content = pupils_csv(rows, class_names)
        print(
            f"{rows} pupils with two parents each into {len(class_names)} classes on {connection.vendor} "
            f"({connection.settings_dict['NAME']}); CSV {len(content) / 1024 / 1024:.2f} MB"
        )
        before = written()
        with Step("import_upload (read and check)"):
            job = import_upload(
                actor=admin, school=admin.school, kind=ImportKind.PUPILS, file_name="pupils.csv", content=content
            )
        if job.errors:
            raise SystemExit(f"the generated file has problems: {job.errors[:5]}")
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        with Step("preview page (GET, all rows)"):
            response = client.get(reverse("journal:import_preview", args=[job.pk]))
        assert response.status_code == 200, response.status_code
        print(f"  {'':<34} {len(response.content) / 1024 / 1024:6.2f} MB of HTML")
        with Step("import_apply (bulk write)"):
            import_apply(actor=admin, job=job)
        after = written()
        for label, count in after.items():
            print(f"  + {label:<32} {count - before[label]:>7}")
        assert after["pupils"] - before["pupils"] == rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows in the file (repeatable; default 1000)")
    args = parser.parse_args()
    for rows in args.rows or [1000]:
        run(rows)


if __name__ == "__main__":
    main()
