"""Access-matrix entries (messages); merged by ejournal/tests/test_access_matrix.py.

Everyone with a school has an inbox and may start a thread (with the people the rule allows). A thread is seen by
its participants only; a broadcast by its sender only (others 404). Broadcasting is for the class teacher, the
deputy and the admin (others 403; the foreign admin's school has no year: 404). Replying is POST only.
"""

from diary.models import Broadcast, Thread
from diary.services.messages import broadcast_send, thread_start

LOGIN, OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 403, 404, 405


def a_thread(cast) -> Thread:
    """The parent of 7 «А» writes to the child's mathematics teacher."""
    thread = Thread.objects.filter(created_by=cast.parent_user, broadcast__isnull=True).first()
    return thread or thread_start(
        actor=cast.parent_user, recipients=[cast.teacher], subject="Контрольная работа", text="Добрый день!"
    )


def a_broadcast(cast) -> Broadcast:
    """The class teacher of 7 «А» writes to its parents."""
    broadcast = Broadcast.objects.filter(sender=cast.classteacher).first()
    return broadcast or broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Приходите."
    )


EVERYONE = {"anonymous": LOGIN, "*": OK}

MATRIX_ENTRIES: dict = {
    "messaging:inbox": (None, EVERYONE),
    "messaging:compose": (None, EVERYONE),
    "messaging:thread": (
        lambda c: [a_thread(c).pk],
        {"anonymous": LOGIN, "parent": OK, "teacher": OK, "*": NOT_FOUND},
    ),
    "messaging:reply": (lambda c: [a_thread(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "messaging:broadcast": (
        None,
        {
            "anonymous": LOGIN,
            "classteacher": OK,
            "deputy": OK,
            "admin": OK,
            "foreign_admin": NOT_FOUND,
            "*": FORBIDDEN,
        },
    ),
    "messaging:broadcast_detail": (
        lambda c: [a_broadcast(c).pk],
        {"anonymous": LOGIN, "classteacher": OK, "*": NOT_FOUND},
    ),
}
