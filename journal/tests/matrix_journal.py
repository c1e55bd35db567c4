"""Access-matrix entries (journal); merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
"""

LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 302, 403, 404, 405

# --- КТП, period marks, substitutions, absences (ENGINEER 3) ---------------------------------------------------------
# An assignment's pages read like the journal grid: its teacher and the class teacher, and the administration;
# everyone else 404. Write URLs are POST only (see test_views_plan.py etc.): GET gets 405 before any lookup.
ASSIGNMENT_PAGE = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": OK,
    "deputy": OK,
    "teacher": OK,
    "classteacher": OK,
    "*": NOT_FOUND,
}
POST_ONLY = {"anonymous": LOGIN, "*": NOT_ALLOWED}


def _math(cast) -> list[int]:
    return [cast.math_a.pk]


def _math_topic(cast) -> list[int]:
    return [cast.math_a.pk, 1]


MATRIX_ENTRIES: dict = {
    "journal:plan": (_math, ASSIGNMENT_PAGE),
    "journal:plan_topic_add": (_math, POST_ONLY),
    "journal:plan_topic_edit": (_math_topic, POST_ONLY),
    "journal:plan_topic_remove": (_math_topic, POST_ONLY),
    "journal:plan_topic_move": (_math_topic, POST_ONLY),
    "journal:plan_import": (_math, POST_ONLY),
    # the preview of an uploaded file: editors without a file in the session go back to the plan
    "journal:plan_import_preview": (
        _math,
        {
            **ASSIGNMENT_PAGE,
            "admin": FORBIDDEN,
            "director": FORBIDDEN,
            "deputy": FORBIDDEN,
            "teacher": REDIRECT,
            "classteacher": REDIRECT,
        },
    ),
    "journal:plan_import_confirm": (_math, POST_ONLY),
    "journal:plan_copy": (_math, POST_ONLY),
    "journal:plan_apply": (_math, POST_ONLY),
    "journal:plan_sample": (
        lambda c: ["xlsx"],
        {"anonymous": LOGIN, "pupil": NOT_FOUND, "parent": NOT_FOUND, "parent2": NOT_FOUND, "*": OK},
    ),
    "journal:period_marks": (_math, ASSIGNMENT_PAGE),
    "journal:period_marks_save": (_math, POST_ONLY),
    "journal:period_mark_override": (_math, POST_ONLY),
    # the substitution log is the administration's; the foreign admin's school has no year yet
    "journal:substitutions": (
        None,
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN},
    ),
    "journal:substitution_record": (None, POST_ONLY),
    # replacing every lesson of a teacher: only those who record substitutions (the director reads the log only)
    "journal:substitution_bulk": (
        None,
        {"anonymous": LOGIN, "admin": OK, "deputy": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN},
    ),
    "journal:substitution_cancel": (lambda c: [1], POST_ONLY),
    # the class teacher's weekly absences; the administration reads
    "journal:absences": (
        lambda c: [c.class_a.pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND},
    ),
    "journal:absences_day_set": (lambda c: [c.class_a.pk], POST_ONLY),
    "journal:absences_lesson_set": (lambda c: [c.class_a.pk], POST_ONLY),
}

# --- Edit windows (ENGINEER 1) ---------------------------------------------------------------------------------------
# The log is the administration's (the director reads it; the deputy and the admin also open windows); everyone
# else gets 403 as on the other school-wide lists; the foreign admin's school has no year yet (404).
MATRIX_ENTRIES.update(
    {
        "journal:unlock_list": (
            None,
            {
                "anonymous": "login",
                "admin": 200,
                "director": 200,
                "deputy": 200,
                "foreign_admin": 404,
                "*": 403,
            },
        ),
        # POST only (see test_unlock.py).
        "journal:unlock_open": (None, {"anonymous": "login", "*": 405}),
    }
)
