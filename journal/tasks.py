"""Celery tasks of the class journal: the daily edit lock and the warning before it.

Both take no arguments, load the schools and call journal.lock; running one twice changes nothing the second
time. Register them in CELERY_BEAT_SCHEDULE (ejournal/settings.py): lock_expired_lessons just after midnight,
warn_locking_soon in the morning, school time.
"""

import logging
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User

from .lock import WARN_WORKING_DAYS, lessons_lock_expired, lessons_locking_soon, school_today, schools_with_years

logger = logging.getLogger(__name__)
WARNED_KEY_TIMEOUT = 3 * 24 * 3600


@shared_task
def lock_expired_lessons() -> int:
    """Stamp locked_at on every lesson whose 10 working days have passed: one UPDATE per school (idempotent).

    Beat runs it hourly (ejournal/settings.py); each school is judged by its own day (``school_today``, the
    worker's zone does not matter) and its UPDATE touches its own lessons only, so a school is stamped by the
    first run after its own midnight and the runs of other hours change nothing (journal/tests/test_tasks.py).
    The rule itself does not depend on this task (services ask journal.lock.edit_state); the stamp is what
    reports and the grid read cheaply. Returns the number of lessons stamped.
    """
    total = 0
    for school in schools_with_years():
        locked = lessons_lock_expired(school=school)
        if locked:
            logger.info("journal lock: %s lessons locked at %s", locked, school)
        total += locked
    return total


@shared_task
def warn_locking_soon() -> int:
    """E-mail each teacher their empty lesson columns that lock in 2 working days: one e-mail per teacher.

    Teachers without an e-mail are skipped. A school is warned once a day: the claim is a cache key per school
    and date (shared through Redis in production), so a retried or repeated run sends nothing again. Returns the
    number of e-mails sent.
    """
    sent = 0
    for school in schools_with_years():
        today = school_today(school)
        claim = f"journal:warn_locking_soon:{school.pk}:{today:%Y-%m-%d}"
        if not cache.add(claim, 1, WARNED_KEY_TIMEOUT):
            continue
        try:
            sent += _warn_school(school, today)
        except Exception:
            cache.delete(claim)  # a retry may repeat mails sent before the failure: twice beats never
            raise
    return sent


def _warn_school(school, today) -> int:
    """One e-mail per teacher with their columns, sent in one batch; the number sent."""
    by_teacher: dict[int, list] = defaultdict(list)
    teachers: dict[int, User] = {}
    for lesson in lessons_locking_soon(school=school, today=today):
        teacher = lesson.recipient
        if not teacher.email or not teacher.is_active:
            continue
        teachers[teacher.pk] = teacher
        by_teacher[teacher.pk].append(lesson)
    if not by_teacher:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            _locking_soon_message(teachers[teacher_id], lessons, school)
            for teacher_id, lessons in sorted(by_teacher.items())
        ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _locking_soon_message(teacher: User, lessons: list, school) -> EmailMultiAlternatives:
    context = {
        "teacher": teacher,
        "lessons": lessons,
        "school": school,
        "days": WARN_WORKING_DAYS,
        "deadline": min(lesson.lock_deadline for lesson in lessons),
    }
    subject = " ".join(render_to_string("journal/emails/locking_soon_subject.txt", context).split())
    text = render_to_string("journal/emails/locking_soon_body.txt", context)
    html = render_to_string("journal/emails/locking_soon_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [teacher.email])
    message.attach_alternative(html, "text/html")
    return message


# --- list imports -------------------------------------------------------------------------------------------------


@shared_task(soft_time_limit=300, time_limit=360)
def import_apply_job(job_id: int) -> str:
    """Apply an uploaded list queued by journal.services.imports.apply.import_apply_request (``import_job_run``).

    5,000 pupils with their parents take about 20 s. Past the soft limit the data rolls back and the job is failed
    with the reason; the admin may apply it again. A second run, or a second delivery of the message, finds the job
    claimed and does nothing. Queued by this name: do not rename it.
    """
    from .services.imports.apply import import_job_run

    return import_job_run(job_id)
