"""Messages: starting a thread, replying, reading, and the class teacher's broadcast to a class.

Who may write to whom is one rule, ``diary.selectors.messages.allowed_recipients``; these services refuse anyone
else. Messages are never edited or deleted. Each new message bumps the unread count of the thread's other
participants with one UPDATE, and on commit hands its id to ``diary.services.notifications.message_posted``,
which queues the e-mails (sent later by Celery: a failed e-mail loses nothing, the message is here either way);
a broadcast hands all its messages over at once (``messages_posted``).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import same_school
from accounts.choices import Role
from accounts.models import ParentChild, PupilProfile, User
from journal.lock import school_today
from journal.models import Enrollment, SchoolClass
from journal.selectors import current_year

from ..access import BROADCASTER_ROLES, broadcast_classes, family_pupils, led_class_ids, visible_threads
from ..choices import BroadcastAudience
from ..models import Broadcast, Message, Thread, ThreadParticipant
from ..selectors import messages as selectors
from . import notifications

SUBJECT_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
MAX_RECIPIENTS = 50


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError(_("Укажите тему сообщения."))
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(_("Тема не может быть длиннее %(n)s знаков.") % {"n": SUBJECT_MAX_LENGTH})
    return subject


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Напишите текст сообщения."))
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("Сообщение не может быть длиннее %(n)s знаков.") % {"n": TEXT_MAX_LENGTH})
    return text


def _ensure_can_write(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active or actor.school_id is None:
        raise PermissionDenied(_("Писать сообщения могут только пользователи школы."))


def _thread_pupil(actor: User, pupil: PupilProfile | None) -> PupilProfile | None:
    """The child a thread is about: a parent names one of their children (their only child by default), a pupil
    writes about themself, staff may name a pupil they may write to."""
    if actor.role == Role.PUPIL:
        own = family_pupils(actor).first()
        if pupil is not None and (own is None or pupil.pk != own.pk):
            raise ValidationError(_("Учащийся пишет только о себе."))
        return own
    if actor.role == Role.PARENT:
        children = list(family_pupils(actor))
        if pupil is None:
            if len(children) <= 1:  # the only child; none: the parent may still write to the administration
                return children[0] if children else None
            raise ValidationError(_("Выберите, о каком ребёнке сообщение."))
        if pupil.pk not in {child.pk for child in children}:
            raise PermissionDenied(_("Можно писать только о своих детях."))
        return pupil
    if pupil is not None and selectors.may_write_to(actor, {pupil.user_id}):
        raise PermissionDenied(_("Этот учащийся не из ваших классов."))
    return pupil


def _post(thread: Thread, sender: User, text: str) -> Message:
    """Add a message: the thread moves up, every other participant has one more unread, the sender has read it."""
    message = Message.objects.create(thread=thread, sender=sender, text=text)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    ThreadParticipant.objects.filter(thread=thread).exclude(user_id=sender.pk).update(unread=F("unread") + 1)
    ThreadParticipant.objects.filter(thread=thread, user_id=sender.pk).update(unread=0, last_read_at=message.created_at)
    transaction.on_commit(lambda message_id=message.pk: notifications.message_posted(message_id))
    return message


@transaction.atomic
def thread_start(
    *, actor: User, recipients: Iterable[User], subject: str, text: str, pupil: PupilProfile | None = None
) -> Thread:
    """A new thread from ``actor`` to ``recipients`` (about ``pupil``) with its first message.

    Every recipient must be someone the actor may write to (``allowed_recipients``; for a parent, for the child
    the thread is about); otherwise nothing is written.
    """
    _ensure_can_write(actor)
    subject, text = _clean_subject(subject), _clean_text(text)
    recipient_ids = {user.pk for user in recipients} - {actor.pk}
    if not recipient_ids:
        raise ValidationError(_("Выберите хотя бы одного получателя."))
    if len(recipient_ids) > MAX_RECIPIENTS:
        raise ValidationError(
            _("Не больше %(n)s получателей в одной переписке; классу пишите рассылкой.") % {"n": MAX_RECIPIENTS}
        )
    pupil = _thread_pupil(actor, pupil)
    refused = selectors.may_write_to(actor, recipient_ids, pupil=pupil if selectors.is_family(actor) else None)
    if refused:
        raise PermissionDenied(
            _("Этим адресатам вы писать не можете (выбрано недоступных: %(n)s).") % {"n": len(refused)}
        )
    now = timezone.now()
    thread = Thread.objects.create(
        school_id=actor.school_id, subject=subject, pupil=pupil, created_by=actor, last_message_at=now
    )
    ThreadParticipant.objects.bulk_create(
        [ThreadParticipant(thread=thread, user_id=actor.pk, last_read_at=now)]
        + [ThreadParticipant(thread=thread, user_id=user_id) for user_id in sorted(recipient_ids)]
    )
    _post(thread, actor, text)
    return thread


@transaction.atomic
def message_reply(*, actor: User, thread: Thread, text: str) -> Message:
    """A reply to every participant of the thread, from a participant who may still write to one of them."""
    _ensure_can_write(actor)
    text = _clean_text(text)
    if not visible_threads(actor).filter(pk=thread.pk).exists():
        raise PermissionDenied(_("Вы не участвуете в этой переписке."))
    if not selectors.reply_allowed(actor, thread):
        raise PermissionDenied(
            _("В этой переписке больше нет адресатов, которым вы можете писать. Начните новую переписку.")
        )
    return _post(thread, actor, text)


def thread_mark_read(*, actor: User, thread: Thread) -> None:
    """Opening a thread reads it: the user's unread count drops to 0 (one UPDATE; nothing else changes)."""
    ThreadParticipant.objects.filter(thread=thread, user_id=actor.pk).update(unread=0, last_read_at=timezone.now())


def _broadcast_recipients(school_class: SchoolClass, audience: str) -> list[tuple[int, int | None]]:
    """(recipient user id, the pupil their thread is about) for the class's pupils on the roll today, their parents,
    or both; a parent of two children in the class gets one thread (about the first child)."""
    today = school_today(school_class.year.school)
    pupils = list(
        Enrollment.objects.filter(school_class=school_class, pupil__user__is_active=True)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=today))
        .order_by("pupil__user__last_name", "pupil__user__first_name")
        .values_list("pupil_id", "pupil__user_id")
    )
    recipients: dict[int, int | None] = {}
    if audience in (BroadcastAudience.PARENTS, BroadcastAudience.BOTH):
        pupil_order = {pupil_id: position for position, (pupil_id, _user_id) in enumerate(pupils)}
        links = ParentChild.objects.filter(pupil_id__in=pupil_order, parent__user__is_active=True).values_list(
            "parent__user_id", "pupil_id"
        )
        for parent_user_id, pupil_id in sorted(links, key=lambda link: pupil_order[link[1]]):
            recipients.setdefault(parent_user_id, pupil_id)
    if audience in (BroadcastAudience.PUPILS, BroadcastAudience.BOTH):
        for pupil_id, user_id in pupils:
            recipients.setdefault(user_id, pupil_id)
    return list(recipients.items())


def ensure_can_broadcast(actor: User, school_class: SchoolClass) -> None:
    """The class teacher to their class, the deputy and the admin to any class of the school's current year: the
    class is one of ``diary.access.broadcast_classes`` (the classes the form offers); if not, say why."""
    if broadcast_classes(actor).filter(pk=school_class.pk).exists():
        return
    if actor.school_id is None or not same_school(actor, school_class.year.school_id):
        raise PermissionDenied(_("Писать можно только классам своей школы."))
    leads = led_class_ids(actor).filter(content_object_id=school_class.pk).exists()
    if actor.role not in BROADCASTER_ROLES and not (actor.is_staff_member and leads):
        raise PermissionDenied(
            _("Писать всему классу может его классный руководитель, заместитель директора и администратор.")
        )
    year = current_year(actor.school, school_today(actor.school))
    raise ValidationError(
        _("Рассылка возможна только классам текущего учебного года (%(year)s).") % {"year": year.name if year else "—"}
    )


@transaction.atomic
def broadcast_send(*, actor: User, school_class: SchoolClass, audience: str, subject: str, text: str) -> Broadcast:
    """One message to the class's parents, pupils or both, delivered as a private thread per recipient (so replies
    are private); the sender sees it as one broadcast with the recipients' replies."""
    _ensure_can_write(actor)
    if audience not in BroadcastAudience.values:
        raise ValidationError(_("Выберите, кому рассылка: родителям, учащимся или всем."))
    subject, text = _clean_subject(subject), _clean_text(text)
    ensure_can_broadcast(actor, school_class)
    recipients = _broadcast_recipients(school_class, audience)
    if not recipients:
        raise ValidationError(_("В классе %(c)s нет получателей этой рассылки.") % {"c": school_class})
    broadcast = Broadcast.objects.create(
        school_id=actor.school_id,
        school_class=school_class,
        audience=audience,
        sender=actor,
        subject=subject,
        text=text,
        recipients=len(recipients),
    )
    now = broadcast.created_at
    threads = Thread.objects.bulk_create(
        [
            Thread(
                school_id=actor.school_id,
                subject=subject,
                pupil_id=pupil_id,
                broadcast=broadcast,
                created_by=actor,
                last_message_at=now,
            )
            for _user_id, pupil_id in recipients
        ]
    )
    participants = []
    for thread, (user_id, _pupil_id) in zip(threads, recipients, strict=True):
        participants.append(ThreadParticipant(thread=thread, user_id=actor.pk, last_read_at=now))
        participants.append(ThreadParticipant(thread=thread, user_id=user_id, unread=1))
    ThreadParticipant.objects.bulk_create(participants)
    messages = Message.objects.bulk_create([Message(thread=thread, sender=actor, text=text) for thread in threads])
    # One hand-over for all the broadcast's messages: the e-mails are queued in a fixed number of queries.
    message_ids = [message.pk for message in messages]
    transaction.on_commit(lambda: notifications.messages_posted(message_ids))
    return broadcast
