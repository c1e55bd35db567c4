"""The demo's notifications: the fixed families' preferences, sent e-mails rendered by the real code, and scans
that start after the seed (the seed's marks are not announced as news)."""

import datetime as dt

from diary.choices import EmailKind, EmailStatus
from diary.demo.notifications import seed_notifications
from diary.models import NotificationCursor, NotificationSettings, OutgoingEmail
from diary.services.notifications import DIGEST_CURSOR, RECORDS_CURSOR, new_records_notify, weekly_digests_queue
from journal.models import Lesson
from journal.services.journal import mark_set
from journal.services.work_types import work_types_ensure

from .test_notifications_support import at, moment


def test_the_demo_notifications(cast):
    work_types_ensure(cast.school)
    with at(2026, 11, 19, 12, 0):
        lesson = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 19), number=1)
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    with at(2026, 11, 22, 11, 0):  # Sunday
        figures = seed_notifications(year=cast.year, today=dt.date(2026, 11, 22), actor=cast.admin)
    prefs = NotificationSettings.objects.get(user=cast.parent_user)
    assert prefs.email_marks and prefs.email_absences and prefs.weekly_digest
    assert (prefs.quiet_from, prefs.quiet_to) == (dt.time(22, 0), dt.time(7, 0))
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.email == "parent@mail.example"
    emails = {(email.user.username, email.kind): email for email in OutgoingEmail.objects.all()}
    marks = emails[("parent", EmailKind.MARKS)]
    assert marks.status == EmailStatus.SENT and "19.11, Математика: 5" in marks.body_text
    assert emails[("parent", EmailKind.DIGEST)].subject.startswith("Итоги недели 16.11–21.11.2026")
    assert figures["emails_sent"] == len(emails) and figures["preferences"] >= 3
    # The scans start from the seed: nothing of it is news, and this week's digest was "sent".
    assert NotificationCursor.objects.get(name=RECORDS_CURSOR).position == moment(2026, 11, 22, 11, 0)
    assert NotificationCursor.objects.get(name=DIGEST_CURSOR.format(school_id=cast.school.pk))
    with at(2026, 11, 22, 11, 20):
        assert new_records_notify() == 0
        assert weekly_digests_queue() == 0
