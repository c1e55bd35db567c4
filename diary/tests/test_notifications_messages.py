"""E-mails about new messages: one per other participant who wants them and has an address, never to the sender,
after quiet hours, once per message (a repeated call queues nothing), in a constant number of queries."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diary.choices import EmailKind, EmailStatus
from diary.models import Message, OutgoingEmail, Thread, ThreadParticipant
from diary.services import notifications
from diary.services.notifications import message_emails_queue, message_posted, messages_posted

from .test_notifications_support import at, moment, wants


def thread_with(cast, sender, *others, subject="Экскурсия в музей", pupil=None) -> Thread:
    thread = Thread.objects.create(
        school=cast.school, subject=subject, created_by=sender, pupil=pupil, last_message_at=timezone.now()
    )
    ThreadParticipant.objects.bulk_create([ThreadParticipant(thread=thread, user=user) for user in (sender, *others)])
    return thread


def post(thread: Thread, sender, text="В пятницу класс идёт в музей. Сбор в 9:00 у школы.") -> Message:
    return Message.objects.create(thread=thread, sender=sender, text=text)


@pytest.fixture
def addresses(cast):
    wants(cast.classteacher, email="ct@example.ru")
    wants(cast.parent_user, email="olga@example.ru", email_messages=True)
    wants(cast.pupil_user, email="ivan@example.ru", email_messages=True)
    return cast


def test_the_other_participants_get_an_email(addresses, django_capture_on_commit_callbacks):
    cast = addresses
    thread = thread_with(cast, cast.classteacher, cast.parent_user, cast.pupil_user, pupil=cast.pupil)
    message = post(thread, cast.classteacher)
    with at(2026, 11, 20, 15), django_capture_on_commit_callbacks(execute=True):
        message_posted(message.pk)
    rows = OutgoingEmail.objects.order_by("to")
    assert [(row.to, row.kind, row.status) for row in rows] == [
        ("ivan@example.ru", EmailKind.MESSAGE, EmailStatus.SENT),
        ("olga@example.ru", EmailKind.MESSAGE, EmailStatus.SENT),
    ]
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"ivan@example.ru", "olga@example.ru"}  # not the sender
    email = sent["olga@example.ru"]
    assert email.subject == "Новое сообщение: Экскурсия в музей"
    assert "Здравствуйте, Ольга!" in email.body
    assert "Classteacher Анна Петровна (Учитель) пишет вам" in email.body
    assert "В пятницу класс идёт в музей. Сбор в 9:00 у школы." in email.body
    assert "Об учащемся: Pupil Иван" in email.body
    assert f"http://127.0.0.1:8000/messages/{thread.pk}/" in email.body
    html = email.alternatives[0][0]
    assert f'href="http://127.0.0.1:8000/messages/{thread.pk}/"' in html and "Сбор в 9:00" in html
    assert "Здравствуйте, Иван!" in sent["ivan@example.ru"].body  # a pupil by first name


def test_the_site_url_setting_makes_the_links(addresses, settings):
    settings.SITE_URL = "https://journal.school.ru"
    thread = thread_with(addresses, addresses.classteacher, addresses.parent_user)
    message_posted(post(thread, addresses.classteacher).pk)
    assert f"https://journal.school.ru/messages/{thread.pk}/" in OutgoingEmail.objects.get().body_text


def test_a_reply_goes_to_the_teacher(addresses):
    cast = addresses
    thread = thread_with(cast, cast.parent_user, cast.classteacher)
    message_posted(post(thread, cast.parent_user, "Спасибо, придём.").pk)
    email = OutgoingEmail.objects.get()
    assert email.user == cast.classteacher and email.to == "ct@example.ru"
    assert "Здравствуйте, Анна Петровна!" in email.body_text


def test_only_those_who_want_them_and_have_an_address(cast):
    wants(cast.parent_user, email="olga@example.ru", email_messages=False)  # opted out
    wants(cast.pupil_user, email="")  # wants them (default), no address
    cast.teacher.email = "teacher@example.ru"  # no row: the default is to get message e-mails
    cast.teacher.save()
    cast.other_teacher.email = "gone@example.ru"
    cast.other_teacher.is_active = False
    cast.other_teacher.save()
    thread = thread_with(cast, cast.classteacher, cast.parent_user, cast.pupil_user, cast.teacher, cast.other_teacher)
    message_posted(post(thread, cast.classteacher).pk)
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["teacher@example.ru"]


def test_a_repeated_call_queues_nothing(addresses):
    thread = thread_with(addresses, addresses.classteacher, addresses.parent_user)
    message = post(thread, addresses.classteacher)
    message_posted(message.pk)
    message_posted(message.pk)
    assert OutgoingEmail.objects.count() == 1


def test_quiet_hours_delay_the_email(addresses, django_capture_on_commit_callbacks):
    cast = addresses
    wants(
        cast.parent_user,
        email_messages=True,
        quiet_from=moment(2026, 1, 1, 21).time(),
        quiet_to=moment(2026, 1, 1, 8).time(),
    )
    thread = thread_with(cast, cast.classteacher, cast.parent_user)
    with at(2026, 11, 20, 22, 30), django_capture_on_commit_callbacks(execute=True):
        message_posted(post(thread, cast.classteacher).pk)
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.PENDING and email.send_after == moment(2026, 11, 21, 8)
    assert mail.outbox == []


def test_message_posted_never_raises(cast, monkeypatch, caplog):
    """Called on commit of the sender's request: a failure here is logged, the message stays."""

    def broken(*args, **kwargs):
        raise RuntimeError("шаблон сломан")

    monkeypatch.setattr(notifications, "message_emails_queue", broken)
    thread = thread_with(cast, cast.classteacher, cast.parent_user)
    message = post(thread, cast.classteacher)
    message_posted(message.pk)
    assert "were not queued" in caplog.text
    assert Message.objects.filter(pk=message.pk).exists()


def test_an_unknown_message_queues_nothing(cast):
    message_posted(987654)
    assert message_emails_queue([987654]) == 0


def test_a_broadcast_takes_a_constant_number_of_queries(cast):
    """A class teacher writes to every parent: one thread and one e-mail each, the same queries for 1 or 12."""

    def broadcast(parents: int) -> int:
        users = []
        for n in range(parents):
            user = type(cast.parent_user).objects.create(
                username=f"p{parents}_{n}", school=cast.school, role="parent", email=f"p{n}@example.ru"
            )
            users.append(user)
        ids = [post(thread_with(cast, cast.classteacher, user), cast.classteacher).pk for user in users]
        with CaptureQueriesContext(connection) as queries:
            messages_posted(ids)
        return len(queries.captured_queries)

    small, big = broadcast(1), broadcast(12)
    # SAVEPOINT, the messages (with thread and pupil), the participants (with user and school), their settings, the
    # e-mails already queued (dedup), INSERT the e-mails, those due now, RELEASE
    assert small == big == 8
    assert OutgoingEmail.objects.count() == 13
