"""The journal's demo: a believable school for the current year, called by the project's ``seed_demo``.

``seed`` builds the school and its people (``school``), their movement through the autumn (``movement``), a
conflict-free timetable with the year's lessons (``timetable``), the КТП of the assignments (``plan``), and the
marks, absences, topics and homework of the lessons held so far, as planned (``journal``), with three careless
teachers' lapses of the last four weeks for the deputy's audit (``lapses``), the marks of the periods already over
and a few exemptions from subjects (``period_marks``). Higher apps add their own demo data on top (``diary.demo``).
Last year, kept in full, closed and promoted into this one, is ``seed_past_year`` (``past_year``): it takes longer
than the rest, so ``make run`` builds it in the background once the server is up (``manage.py seed_demo_past``).
"""

import datetime as dt
from dataclasses import dataclass

from accounts.models import School, User

from ..models import SchoolYear
from ..services.work_types import work_types_ensure
from .journal import seed_journal
from .movement import seed_movement
from .past_year import past_year_state, seed_past_year
from .period_marks import seed_period_marks
from .plan import seed_plans
from .school import DEFAULT_PUPILS, DEMO_PASSWORD, FIXED_ACCOUNTS, FIXED_USERNAMES, DemoSchoolBuilder
from .timetable import seed_timetable

__all__ = [
    "DEFAULT_PUPILS",
    "DEMO_PASSWORD",
    "FIXED_ACCOUNTS",
    "FIXED_USERNAMES",
    "DemoSchool",
    "past_year_state",
    "seed",
    "seed_past_year",
]


@dataclass(frozen=True)
class DemoSchool:
    """What the demo built, for the apps that add to it."""

    school: School
    year: SchoolYear
    admin: User
    today: dt.date
    hours_unplaced: int


def seed(*, pupils: int = DEFAULT_PUPILS, today: dt.date, timetable: bool = True) -> DemoSchool:
    """Build the demo school in an empty database (the caller holds the transaction)."""
    builder = DemoSchoolBuilder(pupils=pupils, today=today)
    builder.build()
    seed_movement(actor=builder.admin, year=builder.year)
    User.objects.update(password=builder.password)  # the newcomers too: every demo login is demo12345
    placed = seed_timetable(actor=builder.admin, year=builder.year) if timetable else {"hours_unplaced": 0}
    work_types_ensure(builder.school)
    if timetable:  # the КТП, then marks, absences, topics and homework for the lessons already held (as planned)
        seed_plans(year=builder.year)
        seed_journal(year=builder.year, today=builder.today, actor=builder.admin)
        seed_period_marks(year=builder.year, today=builder.today)  # the periods over, and a few exemptions
    return DemoSchool(
        school=builder.school,
        year=builder.year,
        admin=builder.admin,
        today=builder.today,
        hours_unplaced=placed["hours_unplaced"],
    )
