"""Access-matrix entries for the closing URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
Write paths (POST) are checked in journal/tests/test_views_closing.py.
"""

OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = "login"

# Management reads; the foreign admin's school has no year.
MANAGEMENT_PAGE = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": OK,
    "deputy": OK,
    "foreign_admin": NOT_FOUND,
    "*": FORBIDDEN,
}
# The forms of the movement: the admin writes; who may see the pupil or class but not write gets 403.
PUPIL_FORM = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": FORBIDDEN,
    "deputy": FORBIDDEN,
    "classteacher": FORBIDDEN,
    "pupil": FORBIDDEN,
    "parent": FORBIDDEN,
    "*": NOT_FOUND,
}
POST_ONLY = {"anonymous": LOGIN, "*": NOT_ALLOWED}

MATRIX_ENTRIES: dict = {
    "journal:movement": (None, MANAGEMENT_PAGE),
    "journal:class_movement": (
        lambda c: [c.class_a.pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND},
    ),
    "journal:pupil_arrive": (
        lambda c: [c.class_a.pk],
        {
            "anonymous": LOGIN,
            "admin": OK,
            "director": FORBIDDEN,
            "deputy": FORBIDDEN,
            "classteacher": FORBIDDEN,
            "*": NOT_FOUND,
        },
    ),
    "journal:pupil_leave": (lambda c: [c.pupil.pk], PUPIL_FORM),
    "journal:pupil_move": (lambda c: [c.pupil.pk], PUPIL_FORM),
    "journal:promotion": (None, MANAGEMENT_PAGE),
    "journal:promotion_refresh": (None, POST_ONLY),
    "journal:promotion_save": (lambda c: [c.class_a.pk], POST_ONLY),
    # The confirmation step is part of the write: the director (read-only) gets 403.
    "journal:promotion_apply": (None, {**MANAGEMENT_PAGE, "director": FORBIDDEN}),
    "journal:year_copy": (None, {"anonymous": LOGIN, "admin": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN}),
    # Exemptions from subjects: the class teacher and the administration (journal/tests/test_exemptions.py).
    "journal:exemptions": (
        lambda c: [c.class_a.pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND},
    ),
    "journal:exemption_delete": (lambda c: [c.class_a.pk, _exemption(c).pk], POST_ONLY),
}


def _exemption(cast):
    from journal.models import SubjectExemption

    return SubjectExemption.objects.create(
        pupil=cast.pupil, subject=cast.math_a.subject, year=cast.year, reason="Справка", created_by=cast.admin
    )
