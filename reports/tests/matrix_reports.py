"""Access-matrix entries for the reports' URLs; merged by ejournal/tests/test_access_matrix.py.

Same format as MATRIX there: name -> (args from the cast or None, {role: expected}). Pupils and parents see no
report (404); another school's administration sees its own school's reports (200) and none of this one's objects.
"""

LOGIN, OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "login", 200, 302, 403, 404, 405

# Who has a reports page at all: the school's staff (each sees what their scope allows).
STAFF = {"anonymous": LOGIN, "pupil": NOT_FOUND, "parent": NOT_FOUND, "parent2": NOT_FOUND, "*": OK}
MANAGEMENT = {
    "anonymous": LOGIN,
    "admin": OK,
    "director": OK,
    "deputy": OK,
    "foreign_admin": OK,
    "*": NOT_FOUND,
}
# A class's reports: its class teacher and the administration.
CLASS_REPORT = {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND}


def _job(cast, ready=False):
    from reports.choices import JobStatus
    from reports.models import ReportJob

    return ReportJob.objects.create(
        school=cast.school,
        report="results",
        fmt="xlsx",
        title="Итоги успеваемости",
        requested_by=cast.admin,
        status=JobStatus.READY if ready else JobStatus.QUEUED,
        file=b"PK" if ready else None,
        file_name="results.xlsx",
    )


# A job is its requester's (the admin here): nobody else learns it exists.
JOB = {"anonymous": LOGIN, "admin": OK, "*": NOT_FOUND}

MATRIX_ENTRIES: dict = {
    "reports:index": (None, STAFF),
    "reports:settings": (None, MANAGEMENT),
    "reports:job": (lambda c: [_job(c).pk], JOB),
    "reports:job_download": (lambda c: [_job(c, ready=True).pk], JOB),
    "reports:class-teacher": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    "reports:class-sizes": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    # A subject teacher sees their own assignments' forecast, a class teacher their class, the administration all.
    "reports:preliminary": (None, STAFF),
    # Results and mark divergence: every staff member (a subject teacher sees their own assignments);
    # the school's results: the administration only.
    "reports:results": (None, STAFF),
    "reports:school-results": (None, MANAGEMENT),
    "reports:mark-divergence": (None, STAFF),
    # Attendance: a class's reports; movement and activity: the administration only.
    "reports:attendance": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    "reports:attendance-months": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    "reports:movement": (None, MANAGEMENT),
    "reports:activity": (None, MANAGEMENT),
    # The summary sheet and the final data: a class's reports (the class teacher's by default; the
    # administration's first class, or any); another school's administration sees its own (empty) school.
    "reports:summary-sheet": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    "reports:final-data": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    # The control of the journal (issue 12): the administration the school, a class teacher their class; a teacher's
    # drill-down: one who teaches in the class teacher's class (the cast's teacher teaches 7А), not another school's.
    "reports:audit": (None, {**CLASS_REPORT, "foreign_admin": OK}),
    "reports:audit-teacher": (lambda c: [c.teacher.pk], CLASS_REPORT),
    # The audit's settings: the administration of the user's own school (another school's sees its own), as the
    # report settings; the deputy and the admin change them, the director reads them.
    "reports:audit-settings": (None, MANAGEMENT),
    # Weekly remarks: every staff member (a teacher their own; the administration the school's table); a teacher's
    # remarks: the administration of the teacher's school only.
    "reports:audit-remarks": (None, STAFF),
    "reports:audit-remarks-teacher": (lambda c: [c.teacher.pk], {**MANAGEMENT, "foreign_admin": NOT_FOUND}),
    "reports:audit-remarks-refresh": (None, {"anonymous": LOGIN, "*": NOT_ALLOWED}),  # POST only: test_remarks
    # Справки по итогам проверки: the list for every staff member (a teacher «Мои справки»); a draft from the control
    # page for the administration; a sent справка (to the cast's teacher) for the administration and its recipient
    # only; a draft's edit page for its author (the deputy), 403 for the rest of the administration, who see it;
    # sending, «Ознакомлен(а)» and a correction are POST only (tests/test_statements.py).
    "reports:audit-statements": (None, STAFF),
    "reports:audit-statement-new": (None, MANAGEMENT),
    "reports:audit-statement": (
        lambda c: [_statement(c).pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "teacher": OK, "*": NOT_FOUND},
    ),
    "reports:audit-statement-pdf": (
        lambda c: [_statement(c).pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "teacher": OK, "*": NOT_FOUND},
    ),
    "reports:audit-statement-edit": (
        lambda c: [_statement(c, sent=False).pk],
        {"anonymous": LOGIN, "deputy": OK, "admin": FORBIDDEN, "director": FORBIDDEN, "*": NOT_FOUND},
    ),
    "reports:audit-statement-send": (lambda c: [_statement(c, sent=False).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "reports:audit-statement-ack": (lambda c: [_statement(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
    "reports:audit-statement-correct": (lambda c: [_statement(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
}


def _statement(cast, sent=True):
    """The deputy's справка for November 2026, to the cast's teacher (sent, or a draft)."""
    import datetime as dt

    from reports.services.statements import statement_create, statement_send

    statement = statement_create(
        actor=cast.deputy,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        teacher_ids=[cast.teacher.pk],
        class_teacher_ids=[],
    )
    return statement_send(actor=cast.deputy, statement=statement) if sent else statement
