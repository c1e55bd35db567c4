"""Access-matrix entries (events); merged by ejournal/tests/test_access_matrix.py.

The staff list is for the school's staff (pupils and parents 403: they read events in the diary). Creating is for
the class teacher, the deputy and the admin (the foreign admin may announce for their own school); a class event
is edited by its class teacher, the deputy and the admin; other staff 403, pupils, parents, other schools 404.
A pupil's events: as the diary (the pupil, their parents, the class teacher, the administration).
"""

import datetime as dt

from diary.models import Event
from diary.services.events import event_create

LOGIN, OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 403, 404, 405


def an_event(cast) -> Event:
    """A parents' meeting of 7 «А», published by its class teacher."""
    event = Event.objects.filter(school_class=cast.class_a).first()
    return event or event_create(
        actor=cast.classteacher,
        school_class=cast.class_a,
        title="Родительское собрание",
        starts_on=dt.date(2026, 9, 18),
    )


MATRIX_ENTRIES: dict = {
    "diary:event_list": (
        None,
        {"anonymous": LOGIN, "pupil": FORBIDDEN, "parent": FORBIDDEN, "parent2": FORBIDDEN, "*": OK},
    ),
    "diary:event_create": (
        None,
        {"anonymous": LOGIN, "admin": OK, "deputy": OK, "classteacher": OK, "foreign_admin": OK, "*": FORBIDDEN},
    ),
    "diary:event_edit": (
        lambda c: [an_event(c).pk],
        {
            "anonymous": LOGIN,
            "admin": OK,
            "deputy": OK,
            "classteacher": OK,
            "director": FORBIDDEN,
            "teacher": FORBIDDEN,
            "other_teacher": FORBIDDEN,
            "*": NOT_FOUND,
        },
    ),
    "diary:event_cancel": (lambda c: [an_event(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "diary:events": (
        lambda c: [c.pupil.pk],
        {
            "anonymous": LOGIN,
            "admin": OK,
            "director": OK,
            "deputy": OK,
            "classteacher": OK,
            "pupil": OK,
            "parent": OK,
            "*": NOT_FOUND,
        },
    ),
}
