"""Access-matrix entries (paper diaries); merged by ejournal/tests/test_access_matrix.py.

A class's paper diaries page and the PDFs of its prints: its class teacher, and the admin, director and deputy of
its school; other teachers, pupils, parents and other schools get 404 (printing is tested in
diary/tests/test_paper_views.py).
"""

import datetime as dt

from diary.models import PaperDiaryPrint

LOGIN, OK, NOT_FOUND = "login", 200, 404

PAPER_PAGE = {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND}


def ready_print(cast) -> list[int]:
    """A ready print of 7 «А» with its PDF."""
    record, _created = PaperDiaryPrint.objects.get_or_create(
        school_class=cast.class_a,
        date_from=dt.date(2026, 11, 7),
        date_to=dt.date(2026, 11, 20),
        defaults={
            "layout": PaperDiaryPrint.Layout.ONE,
            "pupils": 1,
            "printed_by": cast.classteacher,
            "status": PaperDiaryPrint.Status.READY,
            "pdf": b"%PDF-1.7 matrix",
            "pages": 1,
            "size": 15,
        },
    )
    return [record.pk]


MATRIX_ENTRIES: dict = {
    "diary:paper": (lambda c: [c.class_a.pk], PAPER_PAGE),
    "diary:paper_pdf": (ready_print, PAPER_PAGE),
}
