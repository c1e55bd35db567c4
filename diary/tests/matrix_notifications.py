"""Access-matrix entries (notifications); merged by ejournal/tests/test_access_matrix.py.

Everyone signed in has their own preferences page; the outbox is the administration's (403 for teachers, pupils
and parents; another school's admin sees their own, empty, outbox). Sending again is POST only (the roles are
tested in diary/tests/test_notifications_outbox.py).
"""

from django.utils import timezone

from diary.choices import EmailKind
from diary.models import OutgoingEmail

LOGIN, OK, FORBIDDEN, NOT_ALLOWED = "login", 200, 403, 405


def a_failed_email(cast) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        user=cast.parent_user,
        kind=EmailKind.MESSAGE,
        to="parent@example.ru",
        subject="Новое сообщение",
        body_text="…",
        send_after=timezone.now(),
        status="failed",
    )


MATRIX_ENTRIES: dict = {
    "diary:notifications": (None, {"anonymous": LOGIN, "*": OK}),
    "diary:email_outbox": (
        None,
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "foreign_admin": OK, "*": FORBIDDEN},
    ),
    "diary:email_retry": (lambda c: [a_failed_email(c).pk], {"anonymous": LOGIN, "*": NOT_ALLOWED}),
}
