"""E-mail subjects are plain text: a thread «Контрольная "по алгебре"» keeps its quotes in the subject (it arrived
as &quot;…&quot; when the subject template was rendered with HTML escaping), while the HTML body stays escaped."""

from django.core import mail
from django.utils import timezone

from diary.models import Message, OutgoingEmail, Thread, ThreadParticipant
from diary.services.notifications import message_posted

from .test_notifications_support import wants

SUBJECT = 'Контрольная "по алгебре" & <повторение>'


def test_a_subject_with_quotes_arrives_as_written(cast, django_capture_on_commit_callbacks):
    wants(cast.parent_user, email="olga@example.ru", email_messages=True)
    thread = Thread.objects.create(
        school=cast.school, subject=SUBJECT, created_by=cast.classteacher, last_message_at=timezone.now()
    )
    ThreadParticipant.objects.bulk_create(
        [ThreadParticipant(thread=thread, user=user) for user in (cast.classteacher, cast.parent_user)]
    )
    message = Message.objects.create(thread=thread, sender=cast.classteacher, text="Повторите дроби.")
    with django_capture_on_commit_callbacks(execute=True):
        message_posted(message.pk)
    email = OutgoingEmail.objects.get()
    assert email.subject == f"Новое сообщение: {SUBJECT}"
    assert [sent.subject for sent in mail.outbox] == [f"Новое сообщение: {SUBJECT}"]
    assert "&quot;" not in email.subject and "&amp;" not in email.subject
