"""Access-matrix entries (paper diaries); merged by ejournal/tests/test_access_matrix.py.

A class's paper diaries page: its class teacher, and the admin, director and deputy of its school; other teachers,
pupils, parents and other schools get 404 (printing is tested in diary/tests/test_paper_views.py).
"""

LOGIN, OK, NOT_FOUND = "login", 200, 404

MATRIX_ENTRIES: dict = {
    "diary:paper": (
        lambda c: [c.class_a.pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND},
    ),
}
