"""Access-matrix entries for the timetable URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
Every member of staff sees the grids; the deputy head and the admin edit and lay out
the lessons; pupils and parents get 404 (their timetable is in the diary). The
foreign admin's school has no year yet, so their pages are 404 too.
"""

from journal.models import Room

LOGIN, OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 403, 404, 405

STAFF_PAGE = {
    "anonymous": LOGIN,
    "pupil": NOT_FOUND,
    "parent": NOT_FOUND,
    "parent2": NOT_FOUND,
    "foreign_admin": NOT_FOUND,
    "*": OK,
}


def a_room(cast) -> list[int]:
    return [Room.objects.get_or_create(school=cast.school, name="101")[0].pk]


MATRIX_ENTRIES: dict = {
    "journal:timetable_index": (None, STAFF_PAGE),
    "journal:timetable_class": (lambda c: [c.class_a.pk], STAFF_PAGE),
    "journal:timetable_teacher": (lambda c: [c.teacher.pk], STAFF_PAGE),
    "journal:timetable_room": (a_room, STAFF_PAGE),
    "journal:timetable_bells": (None, STAFF_PAGE),
    "journal:timetable_rooms": (None, STAFF_PAGE),
    "journal:lessons_layout": (
        None,
        {
            **STAFF_PAGE,
            "director": FORBIDDEN,
            "teacher": FORBIDDEN,
            "other_teacher": FORBIDDEN,
            "classteacher": FORBIDDEN,
        },
    ),
    # POST only (see test_views_timetable); any id: the method is refused before the object is looked up.
    "journal:timetable_entry_add": (lambda c: [c.class_a.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "journal:timetable_entry_remove": (lambda c: [1], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
}
