"""The menu's one read: the class a teacher leads and the unread messages' badge, in one query."""

from functools import lru_cache

from accounts.models import User
from journal.choices import YearStatus
from journal.models import SchoolClass, SchoolYear
from journal.selectors.sql import fetch, table

from ..models import ThreadParticipant


def menu_facts(user: User, *, leads_class: bool) -> tuple[int | None, int]:
    """(the class the user leads in the newest open or draft year, or None; the unread messages of all their
    threads) in one plain query, the same answers as journal.selectors.led_class_id and unread_total. The class is
    looked for only when ``leads_class`` (a teacher)."""
    params: list = [user.pk, YearStatus.OPEN, YearStatus.DRAFT, user.pk] if leads_class else [user.pk]
    led_id, total = fetch(_facts_sql(leads_class), params)[0]
    return led_id, int(total or 0)


@lru_cache(maxsize=2)
def _facts_sql(leads_class: bool) -> str:
    """The query of ``menu_facts``, written once per process (every page runs it)."""
    led = "NULL"
    if leads_class:
        led = (
            f"(SELECT c.id FROM {table(SchoolClass)} c JOIN {table(SchoolYear)} y ON y.id = c.year_id"
            " WHERE c.class_teacher_id = %s AND y.status IN (%s, %s) ORDER BY y.start_date DESC, c.id LIMIT 1)"
        )
    unread = f"(SELECT SUM(unread) FROM {table(ThreadParticipant)} WHERE user_id = %s AND unread > 0)"
    return f"SELECT {led}, {unread}"
