"""Access-matrix entries for the year-opening flow; merged by ejournal/tests/test_access_matrix.py."""

import datetime as dt

from journal.models import Vacation

LOGIN, OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 403, 404, 405

MANAGEMENT_VIEW = {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "*": NOT_FOUND}
POST_ONLY = {"anonymous": LOGIN, "*": NOT_ALLOWED}


def _year(c):
    return [c.year.pk]


def _vacation(c):
    vacation = Vacation.objects.create(
        year=c.year, name="Осенние каникулы", start_date=dt.date(2026, 10, 24), end_date=dt.date(2026, 11, 1)
    )
    return [vacation.pk]


MATRIX_ENTRIES = {
    "journal:setup": (
        None,
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "foreign_admin": OK, "*": FORBIDDEN},
    ),
    "journal:year_create": (None, {"anonymous": LOGIN, "admin": OK, "foreign_admin": OK, "*": FORBIDDEN}),
    "journal:setup_calendar": (_year, MANAGEMENT_VIEW),
    "journal:setup_classes": (_year, MANAGEMENT_VIEW),
    "journal:setup_class": (lambda c: [c.class_a.pk], MANAGEMENT_VIEW),
    "journal:setup_curriculum": (_year, MANAGEMENT_VIEW),
    "journal:setup_assignments": (_year, MANAGEMENT_VIEW),
    "journal:setup_grades": (_year, POST_ONLY),
    "journal:setup_periods": (lambda c: [c.year.pk, "quarter"], POST_ONLY),
    "journal:setup_vacation_add": (_year, POST_ONLY),
    "journal:setup_vacation_delete": (_vacation, POST_ONLY),
    "journal:setup_day_add": (_year, POST_ONLY),
    "journal:setup_day_delete": (lambda c: [c.year.calendar_days.first().pk], POST_ONLY),
    "journal:setup_year_open": (_year, POST_ONLY),
    "journal:setup_class_add": (_year, POST_ONLY),
    "journal:setup_class_teacher": (lambda c: [c.class_a.pk], POST_ONLY),
    "journal:setup_subject_add": (_year, POST_ONLY),
    "journal:setup_assignment_add": (_year, POST_ONLY),
    "journal:setup_assignment_remove": (lambda c: [c.math_a.pk], POST_ONLY),
    "journal:setup_assignment_transfer": (_year, POST_ONLY),
}
