"""The outbox: sending a row (text and HTML), the claim that prevents double sending, a failure with retries and
backoff until the row is failed, the beat that sends due rows, the admin's «Повторить», and the outbox page."""

import datetime as dt

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import timezone

from diary import tasks
from diary.choices import EmailStatus
from diary.models import Message, OutgoingEmail, Thread, ThreadParticipant
from diary.selectors.notifications import email_error_explained
from diary.services import notifications
from diary.services.notifications import (
    CLAIM_SECONDS,
    MAX_ATTEMPTS,
    email_deliver,
    email_retry,
    enqueue,
    retry_delay,
)

from .test_notifications_support import at, moment, outgoing

FAILING = "diary.tests.test_notifications_support.FailingBackend"
OUTBOX_URL = "/diary/notifications/outbox/"


def retry_url(email) -> str:
    return reverse("diary:email_retry", args=[email.pk])


def fresh(email) -> OutgoingEmail:
    return OutgoingEmail.objects.get(pk=email.pk)


# Sending ----------------------------------------------------------------------------------------------------------


def test_a_due_email_is_sent_with_text_and_html(cast):
    with at(2026, 11, 20, 10):
        email = outgoing(cast.parent_user, to="olga@example.ru")
        assert tasks.send_email.delay(email.pk).get() == EmailStatus.SENT
    email = fresh(email)
    assert email.status == EmailStatus.SENT and email.attempts == 1 and email.last_error == ""
    assert email.sent_at == moment(2026, 11, 20, 10)
    [sent] = mail.outbox
    assert sent.to == ["olga@example.ru"] and sent.subject == "Новое сообщение: об экскурсии"
    assert sent.body == "Текст" and sent.alternatives[0][0] == "<p>Текст</p>"


def test_a_second_send_does_nothing(cast):
    email = outgoing(cast.parent_user)
    assert email_deliver(email.pk).status == EmailStatus.SENT
    assert email_deliver(email.pk).status == "skipped"
    assert len(mail.outbox) == 1 and fresh(email).attempts == 1


class SecondWorkerBackend(locmem.EmailBackend):
    """While the first worker is sending (its claim made by email_deliver itself), a second worker takes the same
    row and the beat looks for due rows: what they got, and the row as it stood, are kept in ``seen``."""

    seen: dict = {}

    def send_messages(self, messages):
        if "row" not in self.seen:  # the first worker only (a second one that got through just sends)
            pk = OutgoingEmail.objects.get(subject=messages[0].subject).pk
            self.seen["row"] = OutgoingEmail.objects.values("send_after", "attempts").get(pk=pk)
            self.seen["second_worker"] = email_deliver(pk).status
            self.seen["beat"] = tasks.send_due_emails()
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """The worker's process dies in the middle of the SMTP conversation (not an Exception: nothing catches it)."""


class DyingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled


def test_the_claim_keeps_a_second_worker_out(cast, settings):
    """While one worker sends, the row is claimed: another worker, or the beat, finds nothing to take."""
    settings.EMAIL_BACKEND = "diary.tests.test_notifications_outbox.SecondWorkerBackend"
    SecondWorkerBackend.seen = {}
    with at(2026, 11, 20, 10):
        email = outgoing(cast.parent_user)
        assert email_deliver(email.pk).status == EmailStatus.SENT
    # The claim pushed send_after by CLAIM_SECONDS and counted the attempt before the first worker sent.
    assert SecondWorkerBackend.seen == {
        "row": {"send_after": moment(2026, 11, 20, 10) + dt.timedelta(seconds=CLAIM_SECONDS), "attempts": 1},
        "second_worker": "skipped",
        "beat": 0,
    }
    assert len(mail.outbox) == 1 and fresh(email).attempts == 1


def test_a_worker_that_died_while_sending_frees_the_row_after_the_claim_time(cast, settings):
    settings.EMAIL_BACKEND = "diary.tests.test_notifications_outbox.DyingBackend"
    with at(2026, 11, 20, 10):
        email = outgoing(cast.parent_user)
        with pytest.raises(WorkerKilled):
            email_deliver(email.pk)
    row = fresh(email)
    assert (row.status, row.attempts, row.send_after) == (EmailStatus.PENDING, 1, moment(2026, 11, 20, 10, 10))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(2026, 11, 20, 10, 9):  # still claimed by the dead worker
        assert tasks.send_due_emails() == 0
        assert email_deliver(email.pk).status == "skipped"
    assert mail.outbox == []
    with at(2026, 11, 20, 10, 10):  # the claim has run out: the beat hands it over again
        assert tasks.send_due_emails() == 1
    row = fresh(email)
    assert (row.status, row.attempts) == (EmailStatus.SENT, 2) and len(mail.outbox) == 1


def test_an_email_not_yet_due_waits(cast):
    with at(2026, 11, 20, 22):
        email = outgoing(cast.parent_user, send_after=moment(2026, 11, 21, 8))
        assert email_deliver(email.pk).status == "skipped"
        assert tasks.send_due_emails() == 0
    with at(2026, 11, 21, 8):
        assert tasks.send_due_emails() == 1
    assert fresh(email).status == EmailStatus.SENT


def test_send_due_emails_leaves_sent_failed_and_waiting_rows(cast):
    with at(2026, 11, 20, 10):
        due = [outgoing(cast.parent_user, subject=f"письмо {n}") for n in range(3)]
        outgoing(cast.parent_user, status=EmailStatus.SENT)
        outgoing(cast.parent_user, status=EmailStatus.FAILED)
        outgoing(cast.parent_user, status=EmailStatus.SKIPPED)
        outgoing(cast.parent_user, send_after=moment(2026, 11, 20, 11))
        assert tasks.send_due_emails() == 3
    assert sorted(m.subject for m in mail.outbox) == ["письмо 0", "письмо 1", "письмо 2"]
    assert all(fresh(email).status == EmailStatus.SENT for email in due)


# Failure and retries ----------------------------------------------------------------------------------------------


def test_retry_delays_grow():
    assert [retry_delay(n) for n in range(1, MAX_ATTEMPTS)] == [120, 240, 480, 960]


def a_message_with_email(cast) -> tuple[Message, OutgoingEmail]:
    thread = Thread.objects.create(
        school=cast.school, subject="Экскурсия", created_by=cast.classteacher, last_message_at=timezone.now()
    )
    ThreadParticipant.objects.create(thread=thread, user=cast.classteacher)
    ThreadParticipant.objects.create(thread=thread, user=cast.parent_user, unread=1)
    message = Message.objects.create(thread=thread, sender=cast.classteacher, text="Экскурсия в пятницу.")
    return message, outgoing(cast.parent_user, to="olga@example.ru")


def test_a_failure_is_retried_and_then_sent(cast, settings):
    settings.EMAIL_BACKEND = FAILING
    with at(2026, 11, 20, 10):
        message, email = a_message_with_email(cast)
        # Eager (as in development and tests) the task cannot wait: the row waits for the beat.
        assert tasks.send_email.delay(email.pk).get() == "retry"
    email = fresh(email)
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    assert email.last_error == "ConnectionRefusedError: SMTP-сервер недоступен"
    assert email.send_after == moment(2026, 11, 20, 10, 2)  # 2 minutes later
    with at(2026, 11, 20, 10, 1):
        assert tasks.send_due_emails() == 0  # not yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(2026, 11, 20, 10, 2):
        assert tasks.send_due_emails() == 1
    email = fresh(email)
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert "SMTP" in email.last_error  # the error of the failed attempt is kept
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).text == "Экскурсия в пятницу."  # the message never depended on it


def test_after_the_last_attempt_the_email_is_failed(cast, settings):
    settings.EMAIL_BACKEND = FAILING
    clock = moment(2026, 11, 20, 10)
    with at(2026, 11, 20, 10):
        message, email = a_message_with_email(cast)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with time_machine.travel(clock, tick=False):
            status = email_deliver(email.pk)
        row = fresh(email)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert status.status == "retry" and row.status == EmailStatus.PENDING
            waits.append(status.retry_in)
            clock = row.send_after
        else:
            assert status.status == EmailStatus.FAILED and row.status == EmailStatus.FAILED
    assert waits == [120, 240, 480, 960]
    assert "SMTP-сервер недоступен" in row.last_error and row.sent_at is None
    assert email_deliver(email.pk).status == "skipped"  # a failed row is never picked up again by itself
    assert mail.outbox == []
    assert Message.objects.filter(pk=message.pk).exists()


def test_the_worker_task_asks_celery_to_retry_with_backoff(cast, settings, monkeypatch):
    """Outside eager mode the task raises Celery's retry with the countdown of the row's attempts."""
    settings.EMAIL_BACKEND = FAILING
    asked = {}

    def fake_retry(countdown):
        asked["countdown"] = countdown
        return Retry("retry", when=countdown)

    monkeypatch.setattr(tasks.send_email, "retry", fake_retry)
    email = outgoing(cast.parent_user, attempts=2)  # two attempts failed before
    with pytest.raises(Retry):
        tasks.send_email.run(email.pk)
    assert asked == {"countdown": 480} and fresh(email).attempts == 3


def test_a_broker_that_is_down_loses_nothing(cast, monkeypatch):
    email = outgoing(cast.parent_user)

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis недоступен")

    monkeypatch.setattr(tasks.send_email, "delay", broker_down)
    enqueue([email.pk])  # logged, not raised
    assert fresh(email).status == EmailStatus.PENDING
    monkeypatch.undo()
    assert tasks.send_due_emails() == 1
    assert fresh(email).status == EmailStatus.SENT


# «Повторить» ------------------------------------------------------------------------------------------------------


def failed(cast, **fields) -> OutgoingEmail:
    values = {"status": EmailStatus.FAILED, "attempts": MAX_ATTEMPTS, "last_error": "SMTPRecipientsRefused: 550"}
    values.update(fields)
    return outgoing(cast.parent_user, to="olga@exmple.ru", **values)


def test_the_admin_sends_a_failed_email_again_to_the_current_address(cast, django_capture_on_commit_callbacks):
    cast.parent_user.email = "olga@example.ru"  # the typo was fixed
    cast.parent_user.save()
    email = failed(cast)
    with django_capture_on_commit_callbacks(execute=True):
        email_retry(actor=cast.admin, email=email)
    email = fresh(email)
    assert email.status == EmailStatus.SENT and email.attempts == 1 and email.to == "olga@example.ru"
    assert mail.outbox[0].to == ["olga@example.ru"]


@pytest.mark.parametrize("actor", ["director", "deputy", "teacher", "parent_user", "foreign_admin"])
def test_only_the_schools_admin_sends_again(cast, actor):
    email = failed(cast)
    with pytest.raises(PermissionDenied):
        email_retry(actor=getattr(cast, actor), email=email)
    assert fresh(email).status == EmailStatus.FAILED


@pytest.mark.parametrize("status", [EmailStatus.PENDING, EmailStatus.SENT, EmailStatus.SKIPPED])
def test_only_a_failed_email_is_sent_again(cast, status):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save()
    email = failed(cast, status=status)
    with pytest.raises(ValidationError, match="только письмо, которое не удалось"):
        email_retry(actor=cast.admin, email=email)
    assert fresh(email).status == status


def test_no_address_no_retry(cast):
    email = failed(cast)  # the parent has no address any more
    with pytest.raises(ValidationError, match="нет адреса"):
        email_retry(actor=cast.admin, email=email)
    assert fresh(email).status == EmailStatus.FAILED


# The outbox page --------------------------------------------------------------------------------------------------


def test_url():
    assert reverse("diary:email_outbox") == OUTBOX_URL


def test_the_admin_sees_the_outbox(client, cast):
    with at(2026, 11, 20, 10):
        failed(cast, subject="Новые отметки: Pupil Иван", last_error="SMTPRecipientsRefused: 550 no such user")
        outgoing(cast.parent_user, status=EmailStatus.SENT, sent_at=timezone.now(), subject="Итоги недели")
        outgoing(cast.parent_user)
        outgoing(cast.parent_user, send_after=moment(2026, 11, 21, 8))
        outgoing(cast.foreign_admin, status=EmailStatus.FAILED, subject="Чужая школа")
        client.force_login(cast.admin)
        response = client.get(OUTBOX_URL)
    assert response.status_code == 200
    page = response.context["outbox"]
    assert (page.due, page.waiting, page.counts["sent"], page.counts["failed"]) == (1, 1, 1, 1)
    html = response.content.decode()
    assert "no such user" in html and "Новые отметки: Pupil Иван" in html and "Итоги недели" in html
    assert "Чужая школа" not in html
    assert "Повторить" in html


@pytest.mark.parametrize("role", ["director", "deputy"])
def test_the_management_reads_the_outbox(client, cast, role):
    failed(cast)
    client.force_login(getattr(cast, role))
    response = client.get(OUTBOX_URL)
    assert response.status_code == 200
    assert "SMTPRecipientsRefused" in response.content.decode()
    assert "Повторить</button>" not in response.content.decode()


def test_the_admin_presses_retry(client, cast):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save()
    email = failed(cast)
    client.force_login(cast.admin)
    response = client.post(retry_url(email))
    assert response.status_code == 302 and response.url == OUTBOX_URL
    email = fresh(email)
    assert email.status == EmailStatus.PENDING and email.attempts == 0  # sent after the commit (not in a test)
    assert "снова поставлено в очередь" in client.get(OUTBOX_URL).content.decode()


def test_a_refused_retry_shows_why(client, cast):
    email = failed(cast)  # no address
    client.force_login(cast.admin)
    response = client.post(retry_url(email), follow=True)
    assert "нет адреса электронной почты" in response.content.decode()
    assert fresh(email).status == EmailStatus.FAILED


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 403), ("deputy", 403), ("teacher", 404), ("classteacher", 404), ("parent_user", 404)],
)
def test_read_only_users_and_outsiders_cannot_retry(client, cast, role, status):
    cast.parent_user.email = "olga@example.ru"
    cast.parent_user.save()
    email = failed(cast)
    client.force_login(getattr(cast, role))
    assert client.post(retry_url(email)).status_code == status
    assert fresh(email).status == EmailStatus.FAILED


def test_another_schools_admin_gets_404(client, cast):
    email = failed(cast)
    client.force_login(cast.foreign_admin)
    assert client.post(retry_url(email)).status_code == 404
    assert client.post(reverse("diary:email_retry", args=[999999])).status_code == 404


def test_outbox_anonymous_and_wrong_method(client, cast):
    email = failed(cast)
    for response in (client.get(OUTBOX_URL), client.post(retry_url(email))):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(cast.admin)
    assert client.get(retry_url(email)).status_code == 405
    assert fresh(email).status == EmailStatus.FAILED


@pytest.mark.parametrize("role", ["teacher", "pupil_user", "parent_user"])
def test_others_do_not_see_the_outbox(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(OUTBOX_URL).status_code == 403


@pytest.mark.parametrize("rows", [1, 60])
def test_the_outbox_page_queries_do_not_grow(client, cast, django_assert_num_queries, rows):
    for n in range(rows):
        failed(cast, subject=f"письмо {n}")
        outgoing(cast.parent_user, status=EmailStatus.SENT, sent_at=timezone.now())
    client.force_login(cast.admin)
    # session, user+school, counts by status, the failed (a page), the latest sent, menu: unread
    with django_assert_num_queries(6):
        assert client.get(OUTBOX_URL).status_code == 200


def test_outbox_wires_the_task_module():
    assert notifications.MAX_ATTEMPTS == tasks.send_email.max_retries


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            "SMTPRecipientsRefused: {'olga@exmple.ru': (550, b'5.1.1 <olga@exmple.ru>: Recipient address rejected')}",
            "не принял адрес: такого ящика нет",
        ),
        ("SMTPAuthenticationError: (535, b'5.7.8 Error: authentication failed')", "не принял логин или пароль"),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "Не удалось связаться с почтовым сервером"),
        ("TimeoutError: timed out", "Не удалось связаться с почтовым сервером"),
        ("SMTPDataError: (552, b'5.2.2 Mailbox full')", "ящик получателя переполнен"),
        ("SMTPDataError: (554, b'5.7.1 Message rejected as spam')", "отклонил письмо"),
        ("SSLCertVerificationError: certificate verify failed", "защищённое соединение"),
        ("SMTPSenderRefused: (553, b'sender not allowed', 'journal@school.ru')", "адреса отправителя"),
        ("KeyError: 'x'", "Почтовый сервер вернул ошибку, письмо не отправлено."),
        ("", "Причина не записана."),
    ],
)
def test_a_failure_is_explained_in_russian(error, reason):
    assert reason in email_error_explained(error)


def test_the_outbox_explains_a_failure_and_keeps_the_servers_words_behind_an_expander(client, cast):
    raw = "SMTPRecipientsRefused: {'olga@exmple.ru': (550, b'5.1.1 <olga@exmple.ru>: User unknown')}"
    failed(cast, last_error=raw)
    client.force_login(cast.deputy)
    html = client.get(OUTBOX_URL).content.decode()
    reason = html[html.index('class="outbox-reason') :]
    reason = reason[: reason.index("</div>")]
    assert "Почтовый сервер получателя не принял адрес" in reason and "SMTP" not in reason
    details = html[html.index("<details") : html.index("</details>")]
    assert "Ответ почтового сервера" in details and "SMTPRecipientsRefused" in details and "User unknown" in details
