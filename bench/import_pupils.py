"""Benchmark the import of pupils with parents: upload and check, the preview page, the apply job; on a throwaway database.

    DEBUG=true .venv/bin/python bench/import_pupils.py                     # 1000 rows
    DEBUG=true .venv/bin/python bench/import_pupils.py --rows 1000 --rows 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_pupils.py

Seeds a small demo school (``seed_demo --pupils 60 --no-timetable``), generates in memory a CSV of pupils
spread over the school's classes, each with a new mother and father (distinct names and phones), then
times ``import_upload`` (reading and checking the file), the preview page as the admin sees it, the apply job
(``import_apply_request``: the claim, then the task ``journal.tasks.import_apply_job`` by name, run eagerly at the
commit as in development: check again, build, one UPDATE of the progress per 250 rows, the bulk write), and the
progress fragment the page polls, with their query counts. Target: 1000 rows applied in under ~3 s on SQLite and
PostgreSQL, with a number of queries that does not grow with the number of rows but for the progress (a row in 250)
and the batches Django splits a big INSERT into on SQLite (at most 999 values per statement). The database is an
SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped on
that server; the development database is never touched. Settings: ejournal.settings_test (bench/common.py). The
last line is the figures of every size as JSON.
"""

import argparse
import csv
import datetime as dt
import io
import random
from io import StringIO

from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.demo import names as people
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, User
from journal.choices import ImportKind
from journal.models import Enrollment, ImportJob, SchoolClass
from journal.selectors import current_year
from journal.services.imports import import_apply_request, import_upload
from journal.services.imports.table import PUPIL_COLUMNS

SEED = 20260825


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


def run(rows: int) -> dict:
    with throwaway_database(f"import-{rows}"):
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
        with Step("import_upload (read and check)") as upload:
            job = import_upload(
                actor=admin, school=admin.school, kind=ImportKind.PUPILS, file_name="pupils.csv", content=content
            )
        if job.errors:
            raise SystemExit(f"the generated file has problems: {job.errors[:5]}")
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        with Step("preview page (GET, all rows)") as preview:
            response = client.get(reverse("journal:import_preview", args=[job.pk]))
        assert response.status_code == 200, response.status_code
        print(f"  {'':<34} {len(response.content) / 1024 / 1024:6.2f} MB of HTML")
        with Step("apply job (claim, task, write)") as apply:
            import_apply_request(actor=admin, job=job)  # autocommit: the eager task runs at the commit, here
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE, (job.status, job.error)
        progress_updates = apply.updates - 4  # the others: queued, running, applied_at (the claim), the result
        in_task = (job.finished_at - job.started_at).total_seconds()
        print(f"  {'':<34} {in_task:6.2f} s in the task, {progress_updates} UPDATEs of the progress")
        with Step("progress fragment (GET)") as progress:
            fragment = client.get(reverse("journal:import_progress", args=[job.pk]))
        assert fragment.status_code == 200, fragment.status_code
        after = written()
        for label, count in after.items():
            print(f"  + {label:<32} {count - before[label]:>7}")
        assert after["pupils"] - before["pupils"] == rows
    return {
        "rows": rows,
        "csv_mb": round(len(content) / 1024 / 1024, 2),
        **upload.figures("upload"),
        **preview.figures("preview"),
        "preview_mb": round(len(response.content) / 1024 / 1024, 2),
        **apply.figures("apply"),
        "progress_updates": progress_updates,
        **progress.figures("progress"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows in the file (repeatable; default 1000)")
    args = parser.parse_args()
    print_figures("import_pupils", {"runs": [run(rows) for rows in args.rows or [1000]]})


if __name__ == "__main__":
    main()
