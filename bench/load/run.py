"""A load test of the real stack: gunicorn (2 workers) on PostgreSQL, a Celery worker on Redis, Locust replaying a
school morning; then every acknowledged write is looked up in the database.

    make load                                              # both scenarios, 60 s each
    .venv/bin/python bench/load/run.py --scenario saves --duration 30
    .venv/bin/python bench/load/run.py --pgbouncer         # the same through PgBouncer in transaction mode
    .venv/bin/python bench/load/run.py --keep-db ejournal_load   # seed once, reuse it in the next runs

What it does, as production runs it (DEBUG off, settings from the environment, collected static files served by
WhiteNoise): builds the demo school (``manage.py seed_demo``) in a throwaway PostgreSQL database on 127.0.0.1:5432
(dropped at the end unless ``--keep-db``), flushes Redis database 8 and uses it as cache and broker, starts
``gunicorn ejournal.wsgi -w 2`` and ``celery -A ejournal worker`` (and, with ``--pgbouncer``, a pgbouncer of its own
on a spare port with a generated configuration, pool_mode = transaction, and DATABASE_PGBOUNCER=true), signs the
virtual users in (sessions made directly: a real login's PBKDF2 would cost ~0.5 s of CPU per user) and runs Locust
headless (bench/load/locustfile.py) for each scenario:

- ``saves``: teachers saving marks in their grids, nothing else. Target on this 2-core machine with Locust on it:
  ≥ 200 saves/s at p95 < 250 ms, 0 errors, 0 lost.
- ``morning``: a third teachers (grid pages, marks, the register), two thirds pupils and parents (the diary's week,
  «Что нового», marks), one deputy (the reports' index, a report, the journal's audit). Target: ≥ 150 requests/s at
  p95 < 300 ms.

It prints per endpoint requests/s, p50/p95/p99 and errors; the CPU the web workers and the database's backends spent
per request (process CPU time, so that other work on a shared machine does not count); then the check of the writes:
each virtual teacher owns its cells, so the database must hold exactly the last acknowledged value of every cell (a
write in flight when the run stopped may be there too), with one history row per acknowledged change (more would be
a duplicate). The load average is printed beside the figures. The last line is the figures as JSON.
"""

import argparse
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from contextlib import ExitStack, closing
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/8"
TARGETS = {
    "saves": {"rps": 200, "p95_ms": 250, "name": "save mark"},
    "morning": {"rps": 150, "p95_ms": 300, "name": "Aggregated"},
}
REPORTS = [
    ("report: index", "/reports/"),
    ("report: class sizes", "/reports/class-sizes/"),
    ("report: attendance", "/reports/attendance/"),
    ("report: audit", "/reports/audit/"),
]


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", PG["host"], "-p", str(PG["port"]), "-U", PG["user"], "-XAtqc", sql, database],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def server_env(database: str, db_port: int, pgbouncer: bool, static_root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="ejournal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{db_port}/{database}",
        DATABASE_PGBOUNCER="true" if pgbouncer else "false",
        REDIS_URL=REDIS_URL,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(static_root.parent / "media"),
        LOG_LEVEL="WARNING",
        EMAIL_URL="consolemail://",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start(stack: ExitStack, name: str, command: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = open(log, "w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        out.close()

    stack.callback(stop)
    print(f"  started {name} (pid {process.pid}), log {log}")
    return process


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def start_pgbouncer(stack: ExitStack, workdir: Path) -> int:
    """A pgbouncer of our own in transaction mode in front of 127.0.0.1:5432; returns its port."""
    port = free_port()
    folder = workdir / "pgbouncer"
    folder.mkdir()
    (folder / "userlist.txt").write_text(f'"{PG["user"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={PG['host']} port={PG['port']}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {folder / 'userlist.txt'}",
                "pool_mode = transaction",
                "max_client_conn = 500",
                "default_pool_size = 8",
                "server_reset_query =",
                "ignore_startup_parameters = extra_float_digits,options",
                f"logfile = {folder / 'pgbouncer.log'}",
                f"pidfile = {folder / 'pgbouncer.pid'}",
                "",
            ]
        )
    )
    shutil.chown(folder, "postgres")
    for path in folder.iterdir():
        shutil.chown(path, "postgres")
    command = ["pgbouncer", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    start(stack, f"pgbouncer :{port}", command, dict(os.environ), folder / "stdout.log")
    deadline = time.monotonic() + 20
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", PG["user"]]).returncode:
        if time.monotonic() > deadline:
            raise RuntimeError("pgbouncer did not start: " + (folder / "pgbouncer.log").read_text()[-2000:])
        time.sleep(0.2)
    return port


# The plan: who signs in and what each may touch ----------------------------------------------------------------------


def make_session(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def build_plan(families: int) -> dict:
    """Each teacher's grid with the cells only they will write (marks in half of the open lessons, the register in
    the other half, where the pupil has no mark), a pupil or parent per family, and the deputy's reports."""
    from django.db.models import Exists, OuterRef

    from accounts.choices import Role
    from accounts.models import ParentChild, PupilProfile, User
    from journal.models import CurriculumEntry, TeachingAssignment
    from journal.selectors.grid import journal_grid

    pass_fail = CurriculumEntry.objects.filter(is_pass_fail=True)

    teachers = []
    for teacher in User.objects.filter(role=Role.TEACHER, is_active=True).order_by("username"):
        assignments = (
            TeachingAssignment.objects.filter(teacher=teacher)
            .exclude(Exists(pass_fail.filter(school_class=OuterRef("school_class"), subject=OuterRef("subject"))))
            .select_related("year", "school_class", "subject", "subgroup")
            .order_by("-hours_per_week", "pk")
        )
        for assignment in assignments:
            grid = journal_grid(assignment, None)
            columns = [(n, column) for n, column in enumerate(grid.columns) if column.editable]
            if len(columns) < 2:
                continue
            marks, attendance = [], []
            for row in grid.rows:
                for n, column in columns:
                    cell = row.cells[n]
                    if cell is None or cell.absent:
                        continue
                    target = {"lesson": column.lesson.pk, "pupil": row.pupil.pk}
                    if n % 2 == 0:
                        marks.append({**target, "value": cell.mark1})
                    elif not cell.marks and cell.attendance in ("", "н", "оп"):
                        attendance.append({**target, "value": cell.attendance})
            if marks:
                teachers.append(
                    {
                        "username": teacher.username,
                        "session": make_session(teacher),
                        "grid": f"/journal/assignments/{assignment.pk}/grid/",
                        "period": grid.period.pk if grid.period else None,
                        "cells": marks,
                        "attendance": attendance,
                    }
                )
                break
    readers = []
    links = ParentChild.objects.select_related("parent__user").order_by("parent__user__username")
    pupils = PupilProfile.objects.select_related("user").filter(user__is_active=True).order_by("user__username")
    pairs = [(link.parent.user, link.pupil_id) for link in links[: families // 2]]
    pairs += [(pupil.user, pupil.pk) for pupil in pupils[: families - len(pairs)]]
    for user, pupil_id in pairs:
        base = f"/diary/pupils/{pupil_id}/"
        readers.append(
            {"username": user.username, "session": make_session(user), "week": base + "week/", "news": base + "new/"}
        )
        readers[-1]["marks"] = base + "marks/"
    deputy = User.objects.get(username="deputy")
    return {
        "teachers": teachers,
        "families": readers,
        "deputy": {"session": make_session(deputy), "reports": REPORTS},
    }


def smoke(base: str, plan: dict) -> None:
    """One request of each kind before the run: every page answers 200 to its user."""
    import http.cookiejar

    checks = [(plan["teachers"][0]["session"], plan["teachers"][0]["grid"])]
    checks += [(plan["families"][0]["session"], plan["families"][0][key]) for key in ("week", "news", "marks")]
    checks += [(plan["deputy"]["session"], url) for _name, url in REPORTS]
    for session, url in checks:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        opener.addheaders = [("Cookie", f"sessionid={session}")]
        started = time.perf_counter()
        with opener.open(base + url, timeout=60) as response:
            assert response.status == 200 and "/accounts/login/" not in response.url, (url, response.status)
        print(f"  smoke {url:<40} 200 in {(time.perf_counter() - started) * 1000:6.0f} ms")


def refresh_values(plan: dict) -> None:
    """Each planned cell's stored value (mark 1, attendance code), read again from the tables."""
    from journal.models import Attendance, Mark

    lessons = {cell["lesson"] for t in plan["teachers"] for cell in t["cells"] + t["attendance"]}
    marks = {
        (lesson, pupil): value
        for lesson, pupil, value in Mark.objects.filter(lesson_id__in=lessons, position=1).values_list(
            "lesson_id", "pupil_id", "value"
        )
    }
    codes = {
        (lesson, pupil): code
        for lesson, pupil, code in Attendance.objects.filter(lesson_id__in=lessons).values_list(
            "lesson_id", "pupil_id", "code"
        )
    }
    for teacher in plan["teachers"]:
        for cell in teacher["cells"]:
            cell["value"] = marks.get((cell["lesson"], cell["pupil"]), "")
        for cell in teacher["attendance"]:
            cell["value"] = codes.get((cell["lesson"], cell["pupil"]), "")


# The check of the writes ---------------------------------------------------------------------------------------------


def check_writes(acks_path: Path, plan: dict, started) -> dict:
    """Compare the acknowledged writes with the tables: the last acknowledged value of each cell must be stored
    (or a later write that was in flight when the run stopped), one row per cell, one history row per change."""
    from django.db.models import Count

    from journal.models import Attendance, Mark

    initial = {}
    for teacher in plan["teachers"]:
        for cell in teacher["cells"]:
            initial[("mark1", cell["lesson"], cell["pupil"])] = cell["value"]
        for cell in teacher["attendance"]:
            initial[("att", cell["lesson"], cell["pupil"])] = cell["value"]
    # Per cell, in order: an attempt line before each request, an acknowledgement line after each 200.
    attempts: dict[tuple, list[dict]] = defaultdict(list)
    for line in acks_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        attempts[(row["kind"], row["lesson"], row["pupil"])].append(row)
    lessons = {key[1] for key in attempts}
    stored = {
        ("mark1", lesson, pupil): value
        for lesson, pupil, value in Mark.objects.filter(lesson_id__in=lessons, position=1).values_list(
            "lesson_id", "pupil_id", "value"
        )
    }
    for lesson, pupil, code in Attendance.objects.filter(lesson_id__in=lessons).values_list(
        "lesson_id", "pupil_id", "code"
    ):
        stored[("att", lesson, pupil)] = code
    acked = unacked = changes = in_flight = 0
    lost = []
    for key, rows in attempts.items():
        last_acked, unconfirmed = initial.get(key, ""), []
        for row in rows:
            if not row["acked"]:
                unconfirmed.append(row["value"])
                continue
            unconfirmed.pop()  # the attempt this acknowledges
            unacked += len(unconfirmed)  # refused or failed before it, and overwritten by it
            unconfirmed = []
            acked += 1
            changes += row["value"] != last_acked
            last_acked = row["value"]
        unacked += len(unconfirmed)
        value = stored.get(key, "")
        if value != last_acked:
            if value in unconfirmed:
                in_flight += 1  # sent after the last acknowledgement, applied, its answer not read
            else:
                lost.append({"cell": key, "acked": last_acked, "stored": value})
    history = Mark.history.filter(history_date__gte=started, lesson_id__in=lessons, position=1).count()
    history += Attendance.history.filter(history_date__gte=started, lesson_id__in=lessons).count()
    double_rows = (
        Mark.objects.filter(lesson_id__in=lessons)
        .values("lesson_id", "pupil_id", "position")
        .order_by()
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "acked_writes": acked,
        "unacked_writes": unacked,
        "cells_written": len(attempts),
        "lost": len(lost),
        "lost_examples": lost[:5],
        "in_flight_applied": in_flight,
        "history_rows": history,
        "expected_history_rows": changes,
        # A change recorded twice, or a cell stored in two rows; writes never acknowledged may add one each.
        "duplicated": max(0, history - changes - unacked) + double_rows,
        "missing_history": max(0, changes - history),
    }


# Locust ---------------------------------------------------------------------------------------------------------------


class CpuMeter:
    """The CPU time processes spend during a run, sampled every half second so that a process that ends during the
    run (a database backend closed at CONN_MAX_AGE) keeps what it spent until its last sample."""

    def __init__(self, find) -> None:
        self.find, self.start, self.last = find, {}, {}
        self.stop = threading.Event()
        self.sample(self.start)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def sample(self, into: dict) -> None:
        for process in self.find():
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            into[process.pid] = times.user + times.system

    def loop(self) -> None:
        while not self.stop.wait(0.5):
            self.sample(self.last)

    def seconds(self) -> float:
        self.stop.set()
        self.thread.join()
        self.sample(self.last)
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.last.items())


def web_processes(gunicorn: subprocess.Popen) -> list[psutil.Process]:
    master = psutil.Process(gunicorn.pid)
    return [master, *master.children(recursive=True)]


def db_processes(database: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and f" {database} " in title:
            found.append(process)
    return found


def run_locust(scenario: str, args, base: str, workdir: Path, plan_path: Path, plan: dict, procs: dict) -> dict:
    acks = workdir / f"acks-{scenario}.jsonl"
    csv = workdir / f"locust-{scenario}"
    teachers = args.users if scenario == "saves" else max(1, round((args.users - 1) / 3))
    classes = ["Teacher"] if scenario == "saves" else ["Teacher", "Family", "Deputy"]
    env = dict(os.environ, LOAD_PLAN=str(plan_path), LOAD_ACKS=str(acks), LOAD_SCENARIO=scenario)
    env.update(LOAD_TEACHER_USERS=str(teachers), LOAD_WAIT=str(args.wait))
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(csv),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    from django.utils import timezone

    refresh_values(plan)  # what the previous scenario wrote is where each cell starts now
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    started_at = timezone.now()
    web = CpuMeter(lambda: web_processes(procs["gunicorn"]))
    db = CpuMeter(lambda: db_processes(args.database))
    load_before = os.getloadavg()
    print(f"\n== {scenario}: {args.users} virtual users for {args.duration} s (load average {load_before[0]:.2f})")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    load_after = os.getloadavg()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_locust = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    cpu_web, cpu_db = web.seconds(), db.seconds()
    if locust.returncode not in (0, 1):  # 1: some requests failed, which the figures show
        print(locust.stdout[-3000:], locust.stderr[-3000:])
        raise RuntimeError(f"locust exited with {locust.returncode}")
    rows = stats_rows(csv.with_name(csv.name + "_stats.csv"))
    print_stats(rows)
    total = rows["Aggregated"]
    requests = max(1, total["requests"])
    figures = {
        "scenario": scenario,
        "users": args.users,
        "duration_s": args.duration,
        "rps": total["rps"],
        "p50_ms": total["p50"],
        "p95_ms": total["p95"],
        "p99_ms": total["p99"],
        "errors": total["failures"],
        "requests": total["requests"],
        "web_cpu_ms_per_request": round(cpu_web * 1000 / requests, 2),
        "db_cpu_ms_per_request": round(cpu_db * 1000 / requests, 2),
        "locust_cpu_ms_per_request": round(cpu_locust * 1000 / requests, 2),
        "load_average": [round(x, 2) for x in load_after],
        "load_average_before": round(load_before[0], 2),
        "endpoints": {name: row for name, row in rows.items() if name != "Aggregated"},
    }
    if "save mark" in rows:
        figures["saves_per_s"] = rows["save mark"]["rps"]
        figures["save_p95_ms"] = rows["save mark"]["p95"]
    print(
        f"  CPU per request: web {figures['web_cpu_ms_per_request']} ms, PostgreSQL backends "
        f"{figures['db_cpu_ms_per_request']} ms, Locust {figures['locust_cpu_ms_per_request']} ms "
        f"({cpu_web:.1f} s, {cpu_db:.1f} s and {cpu_locust:.1f} s over {requests} requests); "
        f"load average {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    writes = check_writes(acks, plan, started_at)
    figures.update({key: value for key, value in writes.items() if key != "lost_examples"})
    print(
        f"  writes: {writes['acked_writes']} acknowledged on {writes['cells_written']} cells, "
        f"{writes['lost']} lost, {writes['duplicated']} duplicated, {writes['unacked_writes']} unacknowledged "
        f"({writes['in_flight_applied']} of them stored); history rows {writes['history_rows']} for "
        f"{writes['expected_history_rows']} acknowledged changes ({writes['missing_history']} missing)"
    )
    for example in writes["lost_examples"]:
        print(f"    LOST {example}")
    target = TARGETS[scenario]
    row = rows.get(target["name"], total)
    figures["target_met"] = (
        row["rps"] >= target["rps"]
        and row["p95"] < target["p95_ms"]
        and total["failures"] == 0
        and writes["lost"] == 0
        and figures["duplicated"] == 0
        and figures["missing_history"] == 0
    )
    print(
        f"  target ({target['name']}: ≥ {target['rps']}/s at p95 < {target['p95_ms']} ms, 0 errors, 0 lost): "
        f"{row['rps']:.1f}/s at p95 {row['p95']} ms → {'met' if figures['target_met'] else 'NOT met'}"
    )
    return figures


def stats_rows(path: Path) -> dict:
    import csv

    rows = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50": int(float(row["50%"] or 0)),
                "p95": int(float(row["95%"] or 0)),
                "p99": int(float(row["99%"] or 0)),
            }
    return rows


def print_stats(rows: dict) -> None:
    print(f"  {'endpoint':<24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'requests':>9}")
    for name, row in sorted(rows.items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        print(
            f"  {name:<24} {row['rps']:7.1f} {row['p50']:7d} {row['p95']:7d} {row['p99']:7d} "
            f"{row['failures']:7d} {row['requests']:9d}"
        )


# The run --------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["saves", "morning", "both"], default="both")
    parser.add_argument("--duration", type=int, default=60, help="seconds per scenario (default 60)")
    parser.add_argument("--users", type=int, default=50, help="virtual users (default 50)")
    parser.add_argument("--wait", type=float, default=0.0, help="mean pause between a user's requests, s (default 0)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--pupils", type=int, default=0, help="pupils of the demo school (default: seed_demo's)")
    parser.add_argument("--families", type=int, default=200, help="pupils and parents signed in (default 200)")
    parser.add_argument("--pgbouncer", action="store_true", help="through a PgBouncer of its own (transaction mode)")
    parser.add_argument("--keep-db", metavar="NAME", help="use (seed if new) and keep this database")
    args = parser.parse_args()
    args.database = args.keep_db or f"ejournal_load_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="ejournal-load-"))
    os.chmod(workdir, 0o755)
    static_root = workdir / "static"
    print(f"ejournal load test: database {args.database}, work folder {workdir}")

    with ExitStack() as stack:
        exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'") == "1"
        if not args.keep_db:
            stack.callback(lambda: psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        direct = server_env(args.database, PG["port"], False, static_root)
        started = time.perf_counter()
        if not exists:
            psql(f'CREATE DATABASE "{args.database}"')
        manage(direct, "migrate", "--noinput", "-v", "0")
        seed = ["seed_demo", "--if-empty"] + (["--pupils", str(args.pupils)] if args.pupils else [])
        manage(direct, *seed)
        manage(direct, "collectstatic", "--noinput", "-v", "0")
        # Production runs autovacuum; this machine's cluster does not (CI): the planner needs the statistics.
        psql("VACUUM ANALYZE", args.database)
        print(f"  database migrated and seeded, static collected in {time.perf_counter() - started:.0f} s")
        subprocess.run(["redis-cli", "-n", "8", "flushdb"], check=True, stdout=subprocess.DEVNULL)

        db_port = start_pgbouncer(stack, workdir) if args.pgbouncer else PG["port"]
        env = server_env(args.database, db_port, args.pgbouncer, static_root)
        env["SECRET_KEY"] = direct["SECRET_KEY"]
        port = free_port()
        procs = {
            "gunicorn": start(
                stack,
                f"gunicorn -w {args.workers}",
                [str(BIN / "gunicorn"), "ejournal.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"],
                env,
                workdir / "gunicorn.log",
            ),
            "celery": start(
                stack,
                "celery worker",
                [str(BIN / "celery"), "-A", "ejournal", "worker", "-l", "WARNING", "-c", "1", "--without-gossip"],
                env,
                workdir / "celery.log",
            ),
        }
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/accounts/login/")

        # This process reads and checks the database directly (never through PgBouncer), with the servers' secret.
        os.environ.update({key: direct[key] for key in ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")})
        os.environ.update({key: direct[key] for key in ("ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "STATIC_ROOT")})
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        plan = build_plan(args.families)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False))
        cells = sum(len(t["cells"]) for t in plan["teachers"])
        print(
            f"  plan: {len(plan['teachers'])} teachers with {cells} cells, {len(plan['families'])} pupils and parents"
        )
        smoke(base, plan)

        scenarios = ["saves", "morning"] if args.scenario == "both" else [args.scenario]
        results = [run_locust(scenario, args, base, workdir, plan_path, plan, procs) for scenario in scenarios]
        for name, process in procs.items():
            if process.poll() is not None:
                print(f"  {name} exited early with {process.returncode}: see {workdir}")
        from django.db import connections

        connections.close_all()

    summary = {
        "bench": "load",
        "database": "postgresql",
        "pgbouncer": args.pgbouncer,
        "gunicorn_workers": args.workers,
        "cpus": os.cpu_count(),
    }
    for result in results:
        scenario = result["scenario"]
        summary.update(
            {f"{scenario}_{key}": value for key, value in result.items() if key not in ("scenario", "endpoints")}
        )
    shutil.rmtree(workdir, ignore_errors=True)  # kept when the run failed: its logs are there
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
