"""Access-matrix entries (diary); merged by ejournal/tests/test_access_matrix.py.

A pupil's diary pages: the pupil, their parent, their class teacher and the school's management see them; another
family (parent2), other teachers, the subject teacher and another school get 404 (the pupil's id in the URL gives
nothing away). Every page is GET only (wrong methods: diary/tests/test_diary_views.py).
"""

LOGIN, OK, REDIRECT, NOT_FOUND = "login", 200, 302, 404

DIARY_PAGE = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": OK,
    "deputy": OK,
    "classteacher": OK,
    "pupil": OK,
    "parent": OK,
    "*": NOT_FOUND,
}


def pupil_args(cast) -> list[int]:
    return [cast.pupil.pk]


MATRIX_ENTRIES: dict = {
    "diary:home": (
        None,
        {"anonymous": LOGIN, "pupil": REDIRECT, "parent": REDIRECT, "parent2": REDIRECT, "*": NOT_FOUND},
    ),
    "diary:pupil": (pupil_args, DIARY_PAGE),
    "diary:week": (pupil_args, DIARY_PAGE),
    "diary:marks": (pupil_args, DIARY_PAGE),
    "diary:subject": (lambda c: [c.pupil.pk, c.math_a.pk], DIARY_PAGE),
    # A year the pupil studied at the school (the cast's own; the past ones: diary/tests/test_past_years.py).
    "diary:year": (lambda c: [c.pupil.pk, c.year.pk], DIARY_PAGE),
    "diary:news": (pupil_args, DIARY_PAGE),
    "diary:timetable": (pupil_args, DIARY_PAGE),
}
