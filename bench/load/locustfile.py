"""The school morning for Locust: teachers keeping the grid, pupils and parents reading the diary, a deputy's reports.

Run by ``bench/load/run.py``, which starts the stack, writes the plan (``LOAD_PLAN``: every virtual user's signed-in
session and what it may touch) and reads back the acknowledged writes (``LOAD_ACKS``). Alone it needs both:

    LOAD_PLAN=plan.json LOAD_ACKS=acks.jsonl LOAD_SCENARIO=saves locust -f bench/load/locustfile.py --headless ...

Teachers save cells the way static/js/grid.js does: the grid page first (its CSRF token from the form field, the
``csrftoken`` cookie beside it), then ``POST /journal/grid/cell/`` with lesson, pupil, field (mark1 or att), value and
period, the token in ``X-CSRFToken``, one save at a time. Each virtual teacher owns its cells (nobody else writes
them), so the last acknowledged value of a cell is what the database must hold: every attempt and every
acknowledgement is written to ``LOAD_ACKS`` (one JSON line each) for run.py to compare with the tables.
"""

import itertools
import json
import os
import random
import re
import threading
from http.cookiejar import Cookie

from locust import between, constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
SCENARIO = os.environ.get("LOAD_SCENARIO", "morning")
WAIT = float(os.environ.get("LOAD_WAIT", "0"))
# The offered load (run.py's offered phase): each virtual user runs this many tasks a second, one request each, so
# that the users together offer a rate and the latency is the service time plus the queueing at that rate.
RATE = float(os.environ.get("LOAD_RATE", "0"))
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)
_acks_lock = threading.Lock()
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MARKS = ("2", "3", "4", "5")
ATTENDANCE = ("н", "оп")


def record(**row) -> None:
    with _acks_lock:
        ACKS.write(json.dumps(row, ensure_ascii=False) + "\n")


@events.quitting.add_listener
def _close(environment, **kwargs) -> None:
    ACKS.flush()


def sign_in(user: FastHttpUser, session_key: str) -> None:
    """The session run.py made for this account (a real login costs ~0.5 s of PBKDF2 per user: not the morning's)."""
    host = user.host.split("://", 1)[1].split(":")[0]
    user.client.cookiejar.set_cookie(
        Cookie(
            0, "sessionid", session_key, None, False, host, False, False, "/", True, False, None, False, None, None, {}
        )
    )


def pacing():
    if RATE > 0:
        return constant_throughput(RATE)
    return constant(0) if WAIT <= 0 else between(WAIT / 2, WAIT * 1.5)


class Teacher(FastHttpUser):
    """A teacher at the grid: opens it, then saves marks (and, in the morning, the register) one cell at a time."""

    weight = 1
    wait_time = pacing()
    _slots = itertools.count()
    # Virtual teachers in this run (run.py): those sharing an account split its cells (see on_start).
    _users = int(os.environ.get("LOAD_TEACHER_USERS", "1"))

    def on_start(self) -> None:
        slot = next(Teacher._slots)
        self.me = PLAN["teachers"][slot % len(PLAN["teachers"])]
        # Two virtual users on one account share nothing: each takes every n-th of the account's cells.
        share, shares = slot // len(PLAN["teachers"]), -(-Teacher._users // len(PLAN["teachers"]))
        self.cells = [dict(cell) for cell in self.me["cells"][share::shares]]
        self.absences = [dict(cell) for cell in self.me["attendance"][share::shares]]
        sign_in(self, self.me["session"])
        self.token = ""
        self.open_grid()

    def open_grid(self) -> None:
        with self.client.get(self.me["grid"], name="grid page", catch_response=True) as response:
            match = TOKEN.search(response.text or "")
            if response.status_code != 200 or not match:
                response.failure(f"grid page: {response.status_code}")
                return
            self.token = match.group(1)

    def save(self, cell: dict, field: str, value: str, name: str) -> None:
        body = {"lesson": cell["lesson"], "pupil": cell["pupil"], "field": field, "value": value}
        if self.me.get("period"):
            body["period"] = self.me["period"]
        record(kind=field, lesson=cell["lesson"], pupil=cell["pupil"], value=value, acked=False)
        headers = {"X-CSRFToken": self.token, "X-Requested-With": "fetch", "Accept": "application/json"}
        with self.client.post(
            "/journal/grid/cell/", data=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code == 200 and "html" in (response.text or ""):
                cell["value"] = value
                record(kind=field, lesson=cell["lesson"], pupil=cell["pupil"], value=value, acked=True)
            else:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")

    def save_mark(self) -> None:
        if not self.token or not self.cells:
            return self.open_grid()
        cell = random.choice(self.cells)
        self.save(cell, "mark1", random.choice([m for m in MARKS if m != cell["value"]]), "save mark")

    def save_attendance(self) -> None:
        if not self.token or not self.absences:
            return self.save_mark()  # a request all the same (a grid without a register cell to change)
        cell = random.choice(self.absences)
        self.save(cell, "att", next(code for code in ATTENDANCE if code != cell["value"]), "save attendance")

    def reopen_grid(self) -> None:
        self.open_grid()

    # Every task run is one request (a paced user's rate is its tasks' rate): the saves scenario saves marks only.
    tasks = [save_mark] if SCENARIO == "saves" else {save_mark: 8, save_attendance: 2, reopen_grid: 1}


class Family(FastHttpUser):
    """A pupil or a parent: the diary's week and «Что нового», now and then the marks by subject."""

    weight = 2
    wait_time = pacing()
    _slots = itertools.count()

    def on_start(self) -> None:
        self.me = PLAN["families"][next(Family._slots) % len(PLAN["families"])]
        sign_in(self, self.me["session"])

    @task(4)
    def week(self) -> None:
        self.client.get(self.me["week"], name="diary week")

    @task(3)
    def news(self) -> None:
        self.client.get(self.me["news"], name="what's new")

    @task(1)
    def marks(self) -> None:
        self.client.get(self.me["marks"], name="diary marks")


class Deputy(FastHttpUser):
    """The deputy head: the reports' index, a report, the journal's audit."""

    fixed_count = 1
    wait_time = pacing()

    def on_start(self) -> None:
        self.me = PLAN["deputy"]
        sign_in(self, self.me["session"])

    @task
    def reports(self) -> None:
        name, url = random.choice(self.me["reports"])
        self.client.get(url, name=name)
