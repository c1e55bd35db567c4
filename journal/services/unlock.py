"""Edit windows: the deputy head or the admin reopens a locked assignment or lesson for a while, with a reason.

The 10-working-day lock (journal.lock) allows no change at all [000 §5.3]; the windows are our exception to it,
for the case the regulations do name: the school kept paper journals during an outage and transfers them into the
e-journal within 2 working days [003 §3.1–3.2]. A window
is never changed or deleted: the list of windows is the log of who reopened what, when and why.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import same_school
from accounts.choices import Role
from accounts.models import User

from ..models import EditWindow, Lesson, TeachingAssignment
from .structure import ensure_year_writable

MAX_WINDOW_DAYS = 10
REASON_MAX_LENGTH = 2000


def can_open_windows(user: User) -> bool:
    """The deputy head, the admin (and the platform operator) reopen locked journals."""
    return user.role in (Role.DEPUTY, Role.ADMIN) or user.is_platform_operator


def _as_end_of_day(until: dt.date | dt.datetime) -> dt.datetime:
    """A date means «until the end of that day» in the current (the school's) time zone."""
    if isinstance(until, dt.datetime):
        return until if timezone.is_aware(until) else timezone.make_aware(until)
    return timezone.make_aware(dt.datetime.combine(until, dt.time(23, 59, 59)))


@transaction.atomic
def edit_window_open(
    *,
    actor: User,
    assignment: TeachingAssignment,
    lesson: Lesson | None = None,
    reason: str,
    until: dt.datetime | dt.date,
) -> EditWindow:
    """Open marks and attendance of the whole assignment (or of one of its lessons) for editing until ``until``.

    Deputy or admin of the assignment's school only; a written reason; ``until`` in the future and at most
    10 days ahead (a date means the end of that day). The year must not be closed.
    """
    school_id = assignment.year.school_id
    if not can_open_windows(actor) or not same_school(actor, school_id):
        raise PermissionDenied(_("Открыть окно исправлений может только заместитель директора или администратор."))
    ensure_year_writable(assignment.year)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Укажите основание: почему журнал открывается для исправлений."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Основание не может быть длиннее %(n)s знаков.") % {"n": REASON_MAX_LENGTH})
    if lesson is not None and lesson.assignment_id != assignment.pk:
        raise ValidationError(_("Этот урок относится к другой нагрузке."))
    valid_until = _as_end_of_day(until)
    now = timezone.now()
    if valid_until <= now:
        raise ValidationError(_("Окно исправлений должно закрываться в будущем."))
    if valid_until > now + dt.timedelta(days=MAX_WINDOW_DAYS):
        raise ValidationError(_("Окно исправлений открывается не больше чем на %(n)s дней.") % {"n": MAX_WINDOW_DAYS})
    window = EditWindow(assignment=assignment, lesson=lesson, reason=reason, valid_until=valid_until, opened_by=actor)
    window.full_clean(exclude=["assignment", "lesson", "opened_by"])
    window.save()
    return window
