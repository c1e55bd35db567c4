"""The reports' part of the demo school, added by the project's seed_demo after the diary's: the deputy's control of
the journal — the weekly remarks of the last two Mondays (``remarks.py``) and a справка for November sent with some
acknowledgements (``statements.py``), both made by the real services over the demo's journal and its planted lapses.
"""

import datetime as dt

from accounts.models import School

from .remarks import seed_remarks
from .statements import seed_statements


def seed(*, school: School, today: dt.date) -> dict:
    runs = seed_remarks(school=school, today=today)
    statements = seed_statements(school, today)
    return {"remark_runs": runs, **statements}
