"""A load test of the real stack: gunicorn (2 workers) on PostgreSQL, a Celery worker on Redis, Locust replaying a
school morning; then every acknowledged write is looked up in the database.

    make load                                              # both scenarios, both phases, 60 s each
    .venv/bin/python bench/load/run.py --scenario saves --duration 30
    .venv/bin/python bench/load/run.py --pgbouncer         # the same through PgBouncer in transaction mode
    .venv/bin/python bench/load/run.py --keep-db ejournal_load   # seed once, reuse it in the next runs
    .venv/bin/python bench/load/run.py --worker-class sync       # compare gunicorn's worker classes

What it does, as production runs it (DEBUG off, settings from the environment, collected static files served by
WhiteNoise): builds the demo school (``manage.py seed_demo``) in a throwaway PostgreSQL database on 127.0.0.1:5432
(dropped at the end unless ``--keep-db``), flushes Redis database 8 and uses it as cache and broker, starts gunicorn
with production's configuration (``gunicorn -c ejournal/gunicorn.py -w 2``: gthread, two threads, keep-alive,
the app preloaded and frozen for the garbage collector) and ``celery -A ejournal worker`` (and, with ``--pgbouncer``, a
pgbouncer of its own on a spare port with a generated configuration, pool_mode = transaction, and
DATABASE_PGBOUNCER=true), signs the virtual users in (sessions made directly: a real login's PBKDF2 would cost ~0.5 s
of CPU per user). Then:

1. **each endpoint alone** (``--endpoint-requests``, 60 by default; a tenth for the reports): requests one at a
   time over keep-alive connections, a few users per endpoint warmed first; the CPU the web workers and the
   database's backends spent per request, and the wall time. What the morning's CPU per request is made of.
2. Locust headless (bench/load/locustfile.py) for each scenario, in two phases:

   - ``capacity``: ``--users`` (50) without pauses, the most the stack serves. In this closed loop the latency is
     the queue (users / throughput, Little's law), so only the rate is the figure;
   - ``offered``: ``--offered-users`` (200) paced (Locust's constant_throughput) to offer ``--rate`` requests/s
     together, 1.05 × the scenario's target by default: the latency is the service time and the queueing at that
     rate, and the target is judged here.

   The scenarios: ``saves``, teachers saving marks, nothing else (target on this 2-core machine with Locust on it:
   ≥ 200 saves/s at p95 < 250 ms, 0 errors, 0 lost); ``morning``, a third teachers (grid pages, marks, the
   register), two thirds pupils and parents (the diary's week, «Что нового», marks), one deputy (the reports' index,
   a report, the journal's audit; target ≥ 150 requests/s at p95 < 300 ms). The figures are counted from the moment
   every user has started (each opens its grid first: spread over a few seconds, then the statistics are reset).

It prints per endpoint requests/s, p50/p95/p99 and errors; the CPU the web workers, the database's backends and
Locust spent per request (process CPU time, so that other work on a shared machine does not count); then the check of
the writes: each virtual teacher owns its cells, so the database must hold exactly the last acknowledged value of
every cell (a write in flight when the run stopped may be there too), with one history row per acknowledged change
(more would be a duplicate). The load average is printed beside the figures. ``--profile`` adds a cProfile of the
workers' requests. The last line is the figures as JSON.
"""

import argparse
import json
import os
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


def run_locust(
    scenario: str, phase: str, args, base: str, workdir: Path, plan_path: Path, plan: dict, procs: dict
) -> dict:
    """One Locust run: ``capacity`` (``--users`` without pauses: the most the stack serves) or ``offered``
    (``--offered-users`` paced to offer ``rate`` requests/s together: the latency at that rate)."""
    acks = workdir / f"acks-{scenario}-{phase}.jsonl"
    csv = workdir / f"locust-{scenario}-{phase}"
    users = args.users if phase == "capacity" else args.offered_users
    rate = offered_rate(scenario, args) if phase == "offered" else 0.0
    teachers = users if scenario == "saves" else max(1, round((users - 1) / 3))
    classes = ["Teacher"] if scenario == "saves" else ["Teacher", "Family", "Deputy"]
    env = dict(os.environ, LOAD_PLAN=str(plan_path), LOAD_ACKS=str(acks), LOAD_SCENARIO=scenario)
    env.update(LOAD_TEACHER_USERS=str(teachers), LOAD_WAIT=str(args.wait if phase == "capacity" else 0))
    env["LOAD_RATE"] = str(rate / users if rate else 0)
    # Every user opens its grid as it starts: spread over a few seconds, and the figures counted from the end of it
    # (--reset-stats; the CPU meters start then too), so that the start's burst is in neither.
    spawn_rate = users if phase == "capacity" else min(users, 25)
    ramp = users / spawn_rate + 1
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{args.duration + ramp:.0f}s",
        "--reset-stats",
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
    load_before = os.getloadavg()
    offered = f", offering {rate:.0f} requests/s" if rate else ", no pauses" if not args.wait else ""
    print(
        f"\n== {scenario}, {phase}: {users} virtual users{offered} for {args.duration} s "
        f"(after a {ramp:.0f} s start; load average {load_before[0]:.2f})"
    )
    out = open(workdir / f"locust-{scenario}-{phase}.log", "w+")
    locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    time.sleep(ramp)
    web = CpuMeter(lambda: web_processes(procs["gunicorn"]))
    db = CpuMeter(lambda: db_processes(args.database))
    client = CpuMeter(lambda: [psutil.Process(locust.pid)] if locust.poll() is None else [])
    returncode = locust.wait()
    load_after = os.getloadavg()
    cpu_web, cpu_db, cpu_locust = web.seconds(), db.seconds(), client.seconds()
    if returncode not in (0, 1):  # 1: some requests failed, which the figures show
        out.seek(0)
        print(out.read()[-3000:])
        raise RuntimeError(f"locust exited with {returncode}")
    out.close()
    rows = stats_rows(csv.with_name(csv.name + "_stats.csv"))
    print_stats(rows)
    total = rows["Aggregated"]
    requests = max(1, total["requests"])
    figures = {
        "scenario": scenario,
        "phase": phase,
        "users": users,
        "rate_offered": round(rate, 1),
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
    costs = getattr(args, "costs", None)
    if costs and all(name in costs for name in rows if name != "Aggregated"):
        # What the mix would cost if each request cost what it did alone: the rest is the cost of the concurrency
        # (lock waits, cache misses, context switches) or of the machine's load.
        for side in ("web", "db"):
            mix = sum(row["requests"] * costs[name][f"{side}_cpu_ms"] for name, row in rows.items() if name in costs)
            figures[f"{side}_cpu_ms_per_request_alone"] = round(mix / requests, 2)
        print(
            f"  the same mix one request at a time would cost: web {figures['web_cpu_ms_per_request_alone']} ms, "
            f"PostgreSQL {figures['db_cpu_ms_per_request_alone']} ms per request"
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
    clean = (
        total["failures"] == 0
        and writes["lost"] == 0
        and figures["duplicated"] == 0
        and figures["missing_history"] == 0
    )
    figures["clean"] = clean
    if phase == "capacity":
        # A closed loop without pauses: latency is users / throughput (Little's law), so only the rate is the figure.
        print(
            f"  capacity ({target['name']}): {row['rps']:.1f}/s with {users} users without pauses "
            f"(their latency is the queue: {users} / {total['rps']:.0f} per s "
            f"≈ {users / max(total['rps'], 0.1) * 1000:.0f} ms); "
            f"{'clean' if clean else 'ERRORS OR LOST WRITES'}"
        )
        return figures
    figures["target_met"] = row["rps"] >= target["rps"] and row["p95"] < target["p95_ms"] and clean
    print(
        f"  target ({target['name']}: ≥ {target['rps']}/s at p95 < {target['p95_ms']} ms, 0 errors, 0 lost), "
        f"{rate:.0f}/s offered: {row['rps']:.1f}/s at p95 {row['p95']} ms → "
        f"{'met' if figures['target_met'] else 'NOT met'}"
    )
    return figures


def offered_rate(scenario: str, args) -> float:
    return args.rate or TARGETS[scenario]["rps"] * 1.05


# The cost of each endpoint --------------------------------------------------------------------------------------------


class Client:
    """One user's keep-alive connection to gunicorn (http.client), its session and CSRF cookies."""

    def __init__(self, base: str, session: str) -> None:
        import http.client

        host, port = base.split("://", 1)[1].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.cookies = {"sessionid": session}

    def request(self, method: str, url: str, body: str | None = None, headers: dict | None = None) -> str:
        import http.client

        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, url, body=body, headers={"Cookie": cookie, **(headers or {})})
                response = self.connection.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection before this request reached it: open another.
                self.connection.close()
                if attempt == 2:
                    raise
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status != 200:
            raise RuntimeError(f"{method} {url}: {response.status} {text[:300]}")
        return text

    def close(self) -> None:
        self.connection.close()


def endpoint_costs(base: str, plan: dict, procs: dict, args) -> dict:
    """Each endpoint alone: ``--endpoint-requests`` requests one after another (users taken in turn), the CPU the
    web workers and the database's backends spent on them divided by their number, and the mean wall time. The
    morning's CPU per request is the mix of these; this says which endpoint it is."""
    import re
    from urllib.parse import urlencode

    token_re = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    n = args.endpoint_requests
    # A few users per endpoint, each warmed once: what a worker builds once per kind of user (the menu bar, a
    # teacher's grid layout) is then built, as it is in a morning's steady state.
    teachers, families, deputy = plan["teachers"][:8], plan["families"][:8], plan["deputy"]
    clients = {}

    def client(user: dict) -> Client:
        if user["session"] not in clients:
            clients[user["session"]] = Client(base, user["session"])
        return clients[user["session"]]

    tokens = {}

    def grid(i: int) -> None:
        teacher = teachers[i % len(teachers)]
        tokens[teacher["session"]] = token_re.search(client(teacher).request("GET", teacher["grid"])).group(1)

    def save(i: int, field: str) -> None:
        teacher = teachers[i % len(teachers)]
        cells = teacher["cells"] if field == "mark1" else teacher["attendance"] or teacher["cells"]
        cell = cells[(i // len(teachers)) % len(cells)]
        if field == "mark1" or not teacher["attendance"]:
            field, value = "mark1", "4" if cell.get("last") != "4" else "5"
        else:
            value = "н" if cell.get("last") != "н" else ""
        body = {"lesson": cell["lesson"], "pupil": cell["pupil"], "field": field, "value": value}
        if teacher.get("period"):
            body["period"] = teacher["period"]
        headers = {
            "X-CSRFToken": tokens[teacher["session"]],
            "X-Requested-With": "fetch",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        client(teacher).request("POST", "/journal/grid/cell/", urlencode(body), headers)
        cell["last"] = value

    def family_page(key: str):
        return lambda i: client(families[i % len(families)]).request("GET", families[i % len(families)][key])

    endpoints = [
        ("grid page", grid, n),
        ("save mark", lambda i: save(i, "mark1"), n),
        ("save attendance", lambda i: save(i, "att"), n),
        ("diary week", family_page("week"), n),
        ("what's new", family_page("news"), n),
        ("diary marks", family_page("marks"), n),
        ("profile", lambda i: client(teachers[i % len(teachers)]).request("GET", "/accounts/profile/"), n),
    ]
    endpoints += [
        (name, lambda i, url=url: client(deputy).request("GET", url), max(5, n // 10)) for name, url in REPORTS
    ]
    print(f"\n== each endpoint alone, one request at a time (load average {os.getloadavg()[0]:.2f})")
    print(f"  {'endpoint':<24} {'requests':>8} {'wall ms':>8} {'web CPU ms':>11} {'DB CPU ms':>10}")
    for i in range(len(teachers)):  # every teacher's CSRF token, and every connection open, before measuring
        grid(i)
    costs = {}
    for name, call, count in endpoints:
        for i in range(1 if name.startswith("report") else 8):  # warm: each user's first request of a kind
            call(i)  # builds what the worker keeps
        web = CpuMeter(lambda: web_processes(procs["gunicorn"]))
        db = CpuMeter(lambda: db_processes(args.database))
        started = time.perf_counter()
        for i in range(1, count + 1):
            call(i)
        wall = (time.perf_counter() - started) * 1000 / count
        cost = {
            "wall_ms": round(wall, 1),
            "web_cpu_ms": round(web.seconds() * 1000 / count, 2),
            "db_cpu_ms": round(db.seconds() * 1000 / count, 2),
        }
        costs[name] = cost
        print(f"  {name:<24} {count:8d} {cost['wall_ms']:8.1f} {cost['web_cpu_ms']:11.2f} {cost['db_cpu_ms']:10.2f}")
    for opened in clients.values():
        opened.close()
    return costs


def print_profile(folder: Path) -> None:
    """The workers' cProfile (CPU time of their requests, every phase of the run together)."""
    import pstats

    files = [str(path) for path in folder.glob("*.prof")]
    if not files:
        print("  no profile written (the workers did not exit cleanly)")
        return
    stats = pstats.Stats(*files)
    print("\n== the workers' requests, cProfile (CPU time), by cumulative time")
    stats.sort_stats("cumulative").print_stats(45)
    print("== by own time")
    stats.sort_stats("tottime").print_stats(30)


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
    parser.add_argument(
        "--phase",
        choices=["capacity", "offered", "both"],
        default="both",
        help="capacity: --users without pauses; offered: --offered-users paced to offer --rate (default both)",
    )
    parser.add_argument(
        "--rate", type=float, default=0.0, help="requests/s offered (default: 1.05 × each scenario's target)"
    )
    parser.add_argument("--offered-users", type=int, default=200, help="virtual users of the offered phase (200)")
    parser.add_argument(
        "--endpoint-requests",
        type=int,
        default=60,
        help="requests per endpoint, one at a time, for the web and database CPU of each (0: skip; default 60)",
    )
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's worker class (default gthread)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--no-preload", action="store_true", help="each worker loads the app itself")
    parser.add_argument("--gc-threshold", default="", help="the workers' gc.set_threshold, e.g. 700,10,10")
    parser.add_argument("--profile", action="store_true", help="a cProfile of the workers' requests, printed")
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
        web_env = dict(env, GUNICORN_WORKER_CLASS=args.worker_class, GUNICORN_THREADS=str(args.threads))
        web_env["GUNICORN_PRELOAD"] = "false" if args.no_preload else "true"
        if args.gc_threshold:
            web_env["GUNICORN_GC_THRESHOLD"] = args.gc_threshold
        if args.profile:
            (workdir / "profile").mkdir()
            web_env["GUNICORN_PROFILE"] = str(workdir / "profile")
        serve = ["-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
        procs = {
            "gunicorn": start(
                stack,
                f"gunicorn -c ejournal/gunicorn.py -w {args.workers} ({web_env['GUNICORN_WORKER_CLASS']})",
                [str(BIN / "gunicorn"), "-c", str(ROOT / "ejournal" / "gunicorn.py"), *serve],
                web_env,
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

        costs = args.costs = endpoint_costs(base, plan, procs, args) if args.endpoint_requests else {}
        scenarios = ["saves", "morning"] if args.scenario == "both" else [args.scenario]
        phases = ["capacity", "offered"] if args.phase == "both" else [args.phase]
        results = [
            run_locust(scenario, phase, args, base, workdir, plan_path, plan, procs)
            for scenario in scenarios
            for phase in phases
        ]
        for name, process in procs.items():
            if process.poll() is not None:
                print(f"  {name} exited early with {process.returncode}: see {workdir}")
        from django.db import connections

        connections.close_all()

    if args.profile:
        print_profile(workdir / "profile")
    summary = {
        "bench": "load",
        "database": "postgresql",
        "pgbouncer": args.pgbouncer,
        "gunicorn_workers": args.workers,
        "gunicorn_worker_class": args.worker_class,
        "gunicorn_threads": args.threads,
        "cpus": os.cpu_count(),
    }
    for name, cost in costs.items():
        key = name.replace(":", "").replace("'", "").replace(" ", "_")
        summary.update({f"endpoint_{key}_{field}": value for field, value in cost.items()})
    for result in results:
        # The capacity phase keeps the keys of the earlier runs (saves_rps ...); the offered one adds "offered_".
        prefix = result["scenario"] + ("_offered" if result["phase"] == "offered" else "")
        summary.update(
            {f"{prefix}_{key}": value for key, value in result.items() if key not in ("scenario", "phase", "endpoints")}
        )
    shutil.rmtree(workdir, ignore_errors=True)  # kept when the run failed: its logs are there
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
