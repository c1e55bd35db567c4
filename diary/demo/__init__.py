"""The diary's part of the demo school (``seed``, called by ``seed_demo`` after the journal's part).

Each module seeds one concept: ``messages`` (threads, a broadcast and the year's events), ``notifications``
(families' e-mail choices and a few sent e-mails) and ``paper`` (consents, paper families and a print log).
"""

import datetime as dt

from accounts.models import User
from journal.models import SchoolYear

from .messages import seed_messages
from .notifications import seed_notifications
from .paper import seed_paper


def seed(*, year: SchoolYear, today: dt.date, actor: User) -> None:
    """The three in the order ``seed_demo`` has always run them (each seeds from its own fixed random seed)."""
    seed_messages(year=year, today=today, actor=actor)
    seed_notifications(year=year, today=today, actor=actor)
    seed_paper(year=year, today=today, actor=actor)
