"""Access-matrix entries (grid); merged by ejournal/tests/test_access_matrix.py.

The class journal of an assignment, its lessons and a cell's history: the teacher and the class teacher keep it,
the administration reads it, other teachers, pupils, parents and other schools get 404. Saving a cell is POST only
(write access is tested in journal/tests/test_views_grid.py).
"""

import datetime as dt

from journal.models import Lesson

LOGIN, OK, NOT_FOUND, NOT_ALLOWED = "login", 200, 404, 405

JOURNAL_PAGE = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": OK,
    "deputy": OK,
    "teacher": OK,
    "classteacher": OK,
    "*": NOT_FOUND,
}


def a_lesson(cast) -> Lesson:
    return Lesson.objects.get_or_create(assignment=cast.math_a, date=dt.date(2026, 11, 20), number=1)[0]


MATRIX_ENTRIES: dict = {
    "journal:grid": (lambda c: [c.math_a.pk], JOURNAL_PAGE),
    "journal:grid_lesson": (lambda c: [a_lesson(c).pk], JOURNAL_PAGE),
    "journal:grid_cell_history": (lambda c: [a_lesson(c).pk, c.pupil.pk], JOURNAL_PAGE),
    # POST only: the method is refused before anything is looked up; in JSON, signed out too (401, no redirect).
    "journal:grid_cell": (None, {"anonymous": 401, "*": NOT_ALLOWED}),
    "journal:grid_attendance_taken": (lambda c: [a_lesson(c).pk], {"anonymous": 401, "*": NOT_ALLOWED}),
}
