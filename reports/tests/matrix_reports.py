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
}
