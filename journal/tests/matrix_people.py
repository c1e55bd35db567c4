"""Access-matrix entries for the people URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}).
"""

STAFF_CSV = "Фамилия;Имя;Отчество;Должность\nМатрицына;Вера;Ивановна;учитель\n".encode()


def _job(cast, applied=False):
    from journal.services.imports.apply import import_apply, import_upload

    job = import_upload(actor=cast.admin, school=cast.school, kind="staff", file_name="staff.csv", content=STAFF_CSV)
    if applied:
        import_apply(actor=cast.admin, job=job)
    return job


LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 302, 403, 404, 405

# The school admin's pages: every other role of the school is refused (403); another school's admin
# has pages of their own school (200) but not this school's objects (404).
ADMIN_ONLY = {"anonymous": LOGIN, "admin": OK, "foreign_admin": OK, "*": FORBIDDEN}
ADMIN_OBJECT = {"anonymous": LOGIN, "admin": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN}
# The class's pages: its class teacher and the management; nobody else learns the class exists.
CLASS_STAFF = {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND}

MATRIX_ENTRIES: dict = {
    "journal:import_upload": (None, ADMIN_ONLY),
    "journal:import_template": (lambda c: ["pupils", "xlsx"], ADMIN_ONLY),
    "journal:import_preview": (lambda c: [_job(c).pk], ADMIN_OBJECT),
    "journal:import_apply": (lambda c: [_job(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "journal:import_result": (lambda c: [_job(c, applied=True).pk], ADMIN_OBJECT),
    # The apply job's progress, polled by the preview page (a fragment).
    "journal:import_progress": (lambda c: [_job(c).pk], ADMIN_OBJECT),
    "journal:staff_credentials": (None, ADMIN_ONLY),
    # The management sees the class but only its class teacher and the admin issue codes: 403 for them.
    "journal:class_credentials": (
        lambda c: [c.class_a.pk],
        {**CLASS_STAFF, "director": FORBIDDEN, "deputy": FORBIDDEN},
    ),
    # Public: the first login with a code; a signed-in user is sent home.
    "accounts:activate": (None, {"anonymous": OK, "*": REDIRECT}),
    "journal:class_cards": (lambda c: [c.class_a.pk], CLASS_STAFF),
    # Staff only: the pupil and the parents, who see the diary, never see the card (404).
    "journal:pupil_card": (lambda c: [c.pupil.pk], CLASS_STAFF),
    "journal:parent_card": (lambda c: [c.pupil.pk, c.parent.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    # People by hand (journal/views/staff.py): the school's admin; the pupil card's parents are POST only.
    "journal:staff_add": (None, ADMIN_ONLY),
    "journal:staff_edit": (lambda c: [c.teacher.pk], ADMIN_OBJECT),
    "journal:parent_add": (lambda c: [c.pupil.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "journal:parent_link": (lambda c: [c.pupil.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "journal:parent_unlink": (lambda c: [c.pupil.pk, c.parent.pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
}
