"""Справки по итогам проверки: the services (numbering, frozen figures, the texts written from them, recipients,
sending with a message to each, «Ознакомлен(а)», immutability, corrections), the reads (pending, awaiting), the pages
(who sees what, 404 outside the school or the role), the PDF, and the demo's справка.

The audit runs throwaway checks registered here (``base.CHECKS`` monkeypatched, as test_audit_page does), so the
figures do not depend on the real checks; one test runs with whatever checks are registered.
"""

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from conftest import build_foreign_school
from diary.models import Message, Thread, ThreadParticipant
from journal.models import Lesson
from reports.access import report_scope
from reports.models import AuditStatement, AuditStatementRecipient
from reports.render.statements import statement_pdf
from reports.selectors.audit import base
from reports.selectors.audit.base import PLAN, RECORDS, AuditContext, Check, Finding, run_audit
from reports.selectors.audit.summary import teacher_summary
from reports.selectors.statements import (
    statement_page,
    statements_awaiting,
    unacknowledged_statements,
    user_statements,
    visible_statements,
)
from reports.services.statements import (
    statement_acknowledge,
    statement_correct,
    statement_create,
    statement_send,
    statement_update,
)

D = dt.date
NOVEMBER = {"start": D(2026, 11, 1), "end": D(2026, 11, 30)}
LIST_URL = reverse("reports:audit-statements")
NEW_URL = reverse("reports:audit-statement-new")


@pytest.fixture(autouse=True)
def on_1_december():
    """13:00 in Moscow on 1 December 2026, the clock stood still (a test shifts it for a later click)."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def _no_topic(ctx: AuditContext) -> list[Finding]:
    return [ctx.lesson_finding("t_no_topic", lesson, "нет темы урока") for lesson in ctx.lessons if not lesson.topic]


def _no_plan(ctx: AuditContext) -> list[Finding]:
    """Every assignment of 8Б «has no КТП»."""
    return [
        Finding(
            check="t_no_plan",
            teacher_id=assignment.teacher_id,
            assignment_id=assignment.pk,
            class_id=assignment.school_class_id,
            text="нет КТП",
        )
        for assignment in ctx.assignments
        if assignment.school_class.letter == "Б"
    ]


NO_TOPIC = Check("t_no_topic", "Без темы (тест)", RECORDS, "002 §4.4.1", _no_topic, "Урок без темы.", weight=2)
NO_PLAN = Check("t_no_plan", "Нет КТП (тест)", PLAN, "001 §3.4.4", _no_plan, "Нет КТП.", weight=3)


@pytest.fixture
def test_checks(monkeypatch):
    from reports.selectors.audit import checks  # noqa: F401 - the real checks register first, into the real list

    monkeypatch.setattr(base, "CHECKS", [NO_TOPIC, NO_PLAN])
    return base.CHECKS


@pytest.fixture
def lessons(cast):
    """math_a (teacher, 7А): 4 lessons in November, 2 without a topic; russian_b (classteacher, 8Б): 2 lessons with
    topics. With the test checks: the teacher 2 lapses (7А), other_teacher and classteacher a missing КТП each (8Б)."""
    return [
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 9), number=1, topic=""),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 10), number=1, topic=""),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 11), number=2, topic="Дроби"),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 12), number=1, topic="Дроби"),
        Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 11, 9), number=3, topic="Причастие"),
        Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 11, 10), number=3, topic="Причастие"),
    ]


@pytest.fixture
def draft(cast, lessons, test_checks) -> AuditStatement:
    return statement_create(actor=cast.deputy, **NOVEMBER)


@pytest.fixture
def sent(cast, draft) -> AuditStatement:
    return statement_send(actor=cast.deputy, statement=draft)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _recipients(statement) -> dict[int, AuditStatementRecipient]:
    return {row.user_id: row for row in AuditStatementRecipient.objects.filter(statement=statement)}


# -- making a draft -----------------------------------------------------------------------------------------------


def test_a_draft_freezes_the_figures_and_names_whom_it_concerns(cast, draft):
    assert draft.number == 1 and draft.sent_at is None and draft.author == cast.deputy
    assert (draft.start, draft.end, draft.checked_on, draft.school_class) == (
        D(2026, 11, 1),
        D(2026, 11, 30),
        D(2026, 12, 1),
        None,
    )
    figures = json.loads(json.dumps(draft.figures))  # plain JSON
    assert figures == draft.figures
    assert [check["slug"] for check in figures["checks"]] == ["t_no_topic", "t_no_plan"]
    assert figures["checks"][0]["title"] == "Без темы (тест)" and figures["checks"][0]["clause"] == "002 §4.4.1"
    rows = {row["id"]: row for row in figures["teachers"]}
    assert (rows[cast.teacher.pk]["lessons"], rows[cast.teacher.pk]["counts"], rows[cast.teacher.pk]["lapses"]) == (
        4,
        {"t_no_topic": 2},
        2,
    )
    assert rows[cast.teacher.pk]["score"] == 0  # 100 − 100 × 4 / 4
    assert rows[cast.teacher.pk]["full_name"] == "Teacher Анна Петровна"
    assert figures["totals"]["lessons"] == 6 and figures["totals"]["lapses"] == 4 and figures["totals"]["teachers"] == 3
    classes = {row["name"]: row for row in figures["classes"]}
    assert classes["7 «А»"]["class_teacher_id"] == cast.classteacher.pk and classes["7 «А»"]["lapses"] == 2
    assert classes["8 «Б»"]["class_teacher_id"] is None and classes["8 «Б»"]["lapses"] == 2
    # The teachers with lapses, and the class teacher of 7 «А» (a class with lapses) as class teacher.
    recipients = _recipients(draft)
    assert set(recipients) == {cast.teacher.pk, cast.other_teacher.pk, cast.classteacher.pk}
    assert recipients[cast.classteacher.pk].as_class_teacher and not recipients[cast.teacher.pk].as_class_teacher
    assert draft.history.count() == 1


def test_the_texts_are_written_from_the_findings(draft):
    assert draft.title == "Ведение электронного журнала (ноябрь 2026)"
    assert draft.basis.startswith("План внутришкольного контроля на 2026/2027 учебный год")
    assert draft.aim.startswith("Проверить соблюдение единых требований")
    conclusions = draft.conclusions
    assert "Проверено 3 учителя, 6 уроков (ноябрь 2026; вся школа)." in conclusions
    assert "Выявлено 4 нарушения" in conclusions
    assert "«Без темы (тест)» — 2 (Teacher А. П. — 2)" in conclusions
    assert "«Нет КТП (тест)» — 2 (Classteacher А. П. — 1, Other_teacher А. П. — 1)" in conclusions
    recommendations = draft.recommendations
    assert "Teacher А. П.: устранить нарушения: «Без темы (тест)» (2)." in recommendations
    assert "Классным руководителям (7 «А»)" in recommendations
    assert "Срок устранения замечаний — до 08.12.2026." in recommendations


def test_the_figures_stay_as_they_were_when_the_journal_changes(cast, draft, lessons):
    frozen = json.dumps(draft.figures, sort_keys=True)
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]).update(topic="Исправлено")
    Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 20), number=1, topic="")
    live = teacher_summary(run_audit(AuditContext(scope=report_scope(cast.deputy), **NOVEMBER)))
    assert live.totals.counts["t_no_topic"] == 1  # the live audit has moved on…
    draft.refresh_from_db()
    assert json.dumps(draft.figures, sort_keys=True) == frozen  # …the справка has not
    assert "(Teacher А. П. — 2)" in draft.conclusions
    page = statement_page(draft)
    assert [line.details for line in page.teachers if line.name == "Teacher А. П."] == ["Без темы (тест) — 2"]


def test_numbers_run_on_per_school(cast, draft, lessons, test_checks):
    second = statement_create(actor=cast.director, **NOVEMBER)
    assert second.number == 2
    foreign = build_foreign_school(cast)
    assert statement_create(actor=foreign.deputy, **NOVEMBER).number == 1  # another school counts its own
    third = statement_create(actor=cast.admin, school_class=cast.class_a, **NOVEMBER)
    assert third.number == 3 and third.figures["school_class"]["name"] == "7 «А»"
    assert set(_recipients(third)) == {cast.teacher.pk, cast.classteacher.pk}  # 7 «А» only


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_at_once_get_consecutive_numbers(cast, lessons, test_checks, monkeypatch):
    """The deputy and the director make a справка at the same moment: both have run the audit in their own
    transaction when they take a number; the school's row lock makes the second wait for the first's commit and
    read its number (without it both would read 0 and one would fail on the unique number)."""
    from journal.tests.concurrency import run_at_once, skip_unless_postgres, together
    from reports.services import statements as services

    skip_unless_postgres()
    together(monkeypatch, services, "_next_number")
    results, errors = run_at_once(
        lambda: statement_create(actor=cast.deputy, **NOVEMBER),
        lambda: statement_create(actor=cast.director, **NOVEMBER),
    )
    assert errors == []
    assert sorted(statement.number for statement in results) == [1, 2]


def test_only_the_administration_of_the_school_makes_one(cast, lessons, test_checks):
    for user in (cast.teacher, cast.classteacher, cast.pupil_user, cast.parent_user):
        with pytest.raises(PermissionDenied):
            statement_create(actor=user, **NOVEMBER)
    foreign = build_foreign_school(cast)
    with pytest.raises(ValidationError, match="класс своей школы"):
        statement_create(actor=foreign.deputy, school_class=cast.class_a, **NOVEMBER)
    with pytest.raises(ValidationError, match="раньше даты начала"):
        statement_create(actor=cast.deputy, start=D(2026, 11, 30), end=D(2026, 11, 1))
    assert not AuditStatement.objects.exists()


def test_recipients_are_ticked_among_the_audit_s_teachers(cast, lessons, test_checks):
    statement = statement_create(actor=cast.deputy, teacher_ids=[cast.teacher.pk], class_teacher_ids=[], **NOVEMBER)
    assert set(_recipients(statement)) == {cast.teacher.pk}
    for wrong in ([cast.pupil_user.pk], [cast.director.pk], [build_foreign_school(cast).teacher.pk]):
        with pytest.raises(ValidationError, match="только учителям"):
            statement_create(actor=cast.deputy, teacher_ids=wrong, class_teacher_ids=[], **NOVEMBER)
    with pytest.raises(ValidationError, match="классным руководителям"):
        statement_create(actor=cast.deputy, teacher_ids=[], class_teacher_ids=[cast.teacher.pk], **NOVEMBER)
    cast.other_teacher.is_active = False
    cast.other_teacher.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="больше не работают"):
        statement_create(actor=cast.deputy, teacher_ids=[cast.other_teacher.pk], class_teacher_ids=[], **NOVEMBER)
    by_default = statement_create(actor=cast.deputy, **NOVEMBER)  # the defaults leave out who has left
    assert cast.other_teacher.pk not in _recipients(by_default)


# -- the draft, sending, immutability -----------------------------------------------------------------------------


def _update(statement, actor, **changes):
    values = {
        "title": statement.title,
        "aim": statement.aim,
        "basis": statement.basis,
        "checked_on": statement.checked_on,
        "conclusions": statement.conclusions,
        "recommendations": statement.recommendations,
        "teacher_ids": [pk for pk, row in _recipients(statement).items() if not row.as_class_teacher],
        "class_teacher_ids": [pk for pk, row in _recipients(statement).items() if row.as_class_teacher],
        **changes,
    }
    return statement_update(actor=actor, statement=statement, **values)


def test_the_author_edits_the_draft(cast, draft):
    updated = _update(
        draft,
        cast.deputy,
        conclusions="Свои выводы.",
        checked_on=D(2026, 11, 30),
        teacher_ids=[cast.teacher.pk],
        class_teacher_ids=[],
    )
    assert updated.conclusions == "Свои выводы." and updated.checked_on == D(2026, 11, 30)
    assert set(_recipients(updated)) == {cast.teacher.pk}
    assert updated.history.count() == 2
    with pytest.raises(PermissionDenied, match="только тот, кто его составил"):
        _update(draft, cast.director, conclusions="Чужие выводы.")
    with pytest.raises(ValidationError, match="в будущем"):
        _update(draft, cast.deputy, checked_on=D(2026, 12, 2))
    with pytest.raises(ValidationError, match="раньше начала"):
        _update(draft, cast.deputy, checked_on=D(2026, 10, 31))


def test_sending_fixes_it_and_messages_each_recipient(cast, draft, settings):
    settings.SITE_URL = "https://journal.school.ru"
    sent = statement_send(actor=cast.deputy, statement=draft)
    assert sent.sent_at is not None
    url = f"https://journal.school.ru{reverse('reports:audit-statement', args=[sent.pk])}"
    for user in (cast.teacher, cast.other_teacher, cast.classteacher):
        thread = Thread.objects.get(participants__user=user, subject="Справка по итогам проверки № 1")
        assert set(thread.participants.values_list("user_id", flat=True)) == {cast.deputy.pk, user.pk}
        message = Message.objects.get(thread=thread)
        assert message.sender == cast.deputy and url in message.text
        assert "справку по итогам проверки № 1 от 01.12.2026" in message.text
        assert ThreadParticipant.objects.get(thread=thread, user=user).unread == 1
    class_teacher_message = Message.objects.get(thread__participants__user=cast.classteacher).text
    assert "как классный руководитель (7 «А»)" in class_teacher_message
    assert Thread.objects.count() == 3
    # Sent is sent: no edit, no second sending, no second set of messages.
    with pytest.raises(ValidationError, match="уже отправлена"):
        _update(sent, cast.deputy, conclusions="Поправка.")
    with pytest.raises(ValidationError, match="уже отправлена"):
        statement_send(actor=cast.deputy, statement=sent)
    assert Thread.objects.count() == 3
    sent.refresh_from_db()
    assert sent.conclusions != "Поправка."


def test_the_message_links_to_the_statement(client, cast, sent):
    """The message page turns the address in the text into a link (escaped, as any message text)."""
    thread = Thread.objects.get(participants__user=cast.teacher)
    client.force_login(cast.teacher)
    html = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    path = reverse("reports:audit-statement", args=[sent.pk])
    assert re.search(rf'<a href="http://[^"]+{re.escape(path)}"[^>]*>', html)


def test_sending_is_the_author_s_and_needs_recipients_and_conclusions(cast, draft):
    with pytest.raises(PermissionDenied):
        statement_send(actor=cast.director, statement=draft)
    with pytest.raises(PermissionDenied):
        statement_send(actor=cast.teacher, statement=draft)
    _update(draft, cast.deputy, teacher_ids=[], class_teacher_ids=[])
    with pytest.raises(ValidationError, match="хотя бы одного"):
        statement_send(actor=cast.deputy, statement=draft)
    _update(draft, cast.deputy, teacher_ids=[cast.teacher.pk], conclusions="")
    with pytest.raises(ValidationError, match="выводы"):
        statement_send(actor=cast.deputy, statement=draft)
    draft.refresh_from_db()
    assert draft.sent_at is None and not Thread.objects.exists()


def test_the_author_among_the_recipients_gets_no_message(cast, lessons, test_checks):
    # The deputy teaches physics in 8Б this time: a recipient of their own справка, without a message to themself.
    cast.physics_b.teacher = cast.deputy
    cast.physics_b.save(update_fields=["teacher"])
    statement = statement_create(actor=cast.deputy, **NOVEMBER)
    assert cast.deputy.pk in _recipients(statement)
    statement_send(actor=cast.deputy, statement=statement)
    assert Thread.objects.count() == len(_recipients(statement)) - 1


# -- acknowledging ------------------------------------------------------------------------------------------------


def test_a_recipient_acknowledges_once_with_the_time(cast, sent, on_1_december):
    on_1_december.shift(dt.timedelta(hours=2, minutes=5))
    row = statement_acknowledge(actor=cast.teacher, statement=sent)
    first = row.acknowledged_at
    assert first == dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)
    on_1_december.shift(dt.timedelta(hours=1))
    again = statement_acknowledge(actor=cast.teacher, statement=sent)  # the second click: no change
    assert again.acknowledged_at == first
    assert AuditStatementRecipient.objects.get(statement=sent, user=cast.teacher).history.count() == 2
    for outsider in (cast.deputy, cast.director, cast.pupil_user, build_foreign_school(cast).teacher):
        with pytest.raises(PermissionDenied, match="не вам"):
            statement_acknowledge(actor=outsider, statement=sent)


def test_a_draft_is_not_acknowledged(cast, draft):
    with pytest.raises(ValidationError, match="ещё не отправлена"):
        statement_acknowledge(actor=cast.teacher, statement=draft)


def test_pending_and_awaiting(cast, sent, lessons, test_checks):
    assert list(unacknowledged_statements(cast.teacher)) == [sent]
    assert list(unacknowledged_statements(cast.pupil_user)) == []
    draft = statement_create(actor=cast.deputy, **NOVEMBER)  # a draft waits for nobody
    assert list(unacknowledged_statements(cast.teacher)) == [sent]
    awaiting = list(statements_awaiting(cast.school))
    assert awaiting == [sent] and (awaiting[0].recipients_total, awaiting[0].recipients_pending) == (3, 3)
    for user in (cast.teacher, cast.other_teacher):
        statement_acknowledge(actor=user, statement=sent)
    assert list(unacknowledged_statements(cast.teacher)) == []
    assert statements_awaiting(cast.school).get().recipients_pending == 1
    statement_acknowledge(actor=cast.classteacher, statement=sent)
    assert not statements_awaiting(cast.school).exists()
    mine = list(user_statements(cast.teacher))
    assert mine == [sent] and mine[0].acknowledged_at is not None
    assert set(visible_statements(cast.deputy)) == {sent, draft}
    assert list(visible_statements(cast.teacher)) == [sent]
    assert list(visible_statements(build_foreign_school(cast).deputy)) == []


# -- corrections --------------------------------------------------------------------------------------------------


def test_a_correction_is_a_new_draft_that_refers_to_the_old(cast, sent):
    statement_acknowledge(actor=cast.teacher, statement=sent)
    with pytest.raises(PermissionDenied):
        statement_correct(actor=cast.teacher, statement=sent)
    correction = statement_correct(actor=cast.director, statement=sent)
    assert correction.number == 2 and correction.replaces == sent and correction.sent_at is None
    assert correction.author == cast.director and correction.figures == sent.figures
    assert correction.conclusions == sent.conclusions
    recipients = _recipients(correction)
    assert set(recipients) == set(_recipients(sent))
    assert all(row.acknowledged_at is None for row in recipients.values())
    assert recipients[cast.classteacher.pk].as_class_teacher
    with pytest.raises(ValidationError, match="уже составляется"):
        statement_correct(actor=cast.deputy, statement=sent)
    # While the correction is a draft the old one still waits; once it is sent, the correction is the one to read.
    assert list(unacknowledged_statements(cast.other_teacher)) == [sent]
    _update(correction, cast.director, conclusions="Исправленные выводы.")
    statement_send(actor=cast.director, statement=correction)
    assert list(unacknowledged_statements(cast.other_teacher)) == [correction]
    assert (
        "Она исправляет справку № 1 от 01.12.2026."
        in Message.objects.filter(thread__subject="Справка по итогам проверки № 2").first().text
    )
    with pytest.raises(ValidationError, match="уже исправлена справкой № 2"):
        statement_correct(actor=cast.deputy, statement=sent)
    sent.refresh_from_db()
    assert sent.sent_at is not None and sent.conclusions != "Исправленные выводы."  # the old one stays as sent


def test_a_draft_is_not_corrected(cast, draft):
    with pytest.raises(ValidationError, match="черновик можно просто изменить"):
        statement_correct(actor=cast.deputy, statement=draft)


def test_with_the_real_checks(cast, lessons):
    """Whatever checks are registered, the figures are plain JSON with each check's title and clause."""
    statement = statement_create(actor=cast.deputy, **NOVEMBER)
    figures = json.loads(json.dumps(statement.figures))
    slugs = {check["slug"] for check in figures["checks"]}
    assert "no_topic" in slugs
    no_topic = next(check for check in figures["checks"] if check["slug"] == "no_topic")
    assert no_topic["clause"] == "002 §4.4.1" and no_topic["title"]
    teacher = next(row for row in figures["teachers"] if row["id"] == cast.teacher.pk)
    assert teacher["counts"].get("no_topic") == 2
    statement_send(actor=cast.deputy, statement=statement)
    assert statement_pdf(statement_page(statement)).startswith(b"%PDF")


# -- the pages ----------------------------------------------------------------------------------------------------


def test_the_list_the_administration_and_a_teacher(client, cast, sent, lessons, test_checks):
    draft = statement_create(actor=cast.deputy, **NOVEMBER)
    client.force_login(cast.director)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    text = _text(response)
    assert "Справки по итогам проверки" in text and "черновик" in text
    assert reverse("reports:audit-statement", args=[draft.pk]) in response.content.decode()
    assert "0 из 3" in text
    client.force_login(cast.teacher)
    response = client.get(LIST_URL)
    html = response.content.decode()
    assert "Мои справки" in _text(response)
    assert reverse("reports:audit-statement", args=[sent.pk]) in html
    assert reverse("reports:audit-statement", args=[draft.pk]) not in html  # a draft is nobody's but the school's
    assert reverse("reports:audit-statement-ack", args=[sent.pk]) in html
    client.force_login(build_foreign_school(cast).deputy)
    assert reverse("reports:audit-statement", args=[sent.pk]) not in client.get(LIST_URL).content.decode()
    for user in (cast.pupil_user, cast.parent_user):
        client.force_login(user)
        assert client.get(LIST_URL).status_code == 404


def test_the_control_page_offers_a_statement_to_the_administration(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    html = client.get(reverse("reports:audit"), {"month": "2026-11"}).content.decode()
    assert "Составить справку" in html
    assert f"{NEW_URL}?date_from=2026-11-01&amp;date_to=2026-11-30" in html
    client.force_login(cast.classteacher)
    assert "Составить справку" not in client.get(reverse("reports:audit")).content.decode()


def test_making_a_draft_from_the_page(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    response = client.get(NEW_URL, {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Teacher А. П. (2 нарушения)" in html and "Classteacher А. П. — 7 «А» (2 нарушения)" in html
    assert re.search(rf'value="{cast.teacher.pk}"[^>]*checked', html)
    assert "Ведение электронного журнала (ноябрь 2026)" in html
    data = {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "school_class": "",
        "title": "Ведение электронного журнала за ноябрь",
        "aim": "Проверить журнал.",
        "basis": "План ВШК.",
        "teachers": [cast.teacher.pk],
    }
    response = client.post(NEW_URL, data)
    statement = AuditStatement.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:audit-statement-edit", args=[statement.pk])
    assert statement.title == "Ведение электронного журнала за ноябрь" and statement.basis == "План ВШК."
    assert set(_recipients(statement)) == {cast.teacher.pk}
    # A refusal of the service comes back as the form's error, with the checkboxes.
    response = client.post(NEW_URL, {**data, "teachers": [cast.pupil_user.pk]})
    assert response.status_code == 400 and "только учителям" in _text(response)
    assert "Teacher А. П. (2 нарушения)" in response.content.decode()
    assert client.get(NEW_URL, {"date_from": "2026-11-30", "date_to": "2026-11-01"}).status_code == 400
    for user in (cast.teacher, cast.classteacher, cast.pupil_user):
        client.force_login(user)
        assert client.get(NEW_URL).status_code == 404
        assert client.post(NEW_URL, data).status_code == 404
    assert AuditStatement.objects.count() == 1


def test_the_author_edits_and_sends_from_the_pages(client, cast, draft):
    client.force_login(cast.deputy)
    edit_url = reverse("reports:audit-statement-edit", args=[draft.pk])
    response = client.get(edit_url)
    assert response.status_code == 200 and "Выводы" in _text(response)
    data = {
        "title": draft.title,
        "checked_on": "2026-12-01",
        "aim": draft.aim,
        "basis": draft.basis,
        "conclusions": "Выводы заместителя.",
        "recommendations": "Рекомендации.",
        "teachers": [cast.teacher.pk, cast.other_teacher.pk],
        "class_teachers": [cast.classteacher.pk],
    }
    response = client.post(edit_url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.conclusions == "Выводы заместителя."
    assert set(_recipients(draft)) == {cast.teacher.pk, cast.other_teacher.pk, cast.classteacher.pk}
    detail = client.get(reverse("reports:audit-statement", args=[draft.pk]))
    assert "Отправить" in _text(detail) and "data-confirm" in detail.content.decode()
    # The director sees the draft, but neither edits nor sends it.
    client.force_login(cast.director)
    assert client.get(edit_url).status_code == 403
    assert client.post(reverse("reports:audit-statement-send", args=[draft.pk])).status_code == 403
    client.force_login(cast.deputy)
    response = client.post(reverse("reports:audit-statement-send", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sent_at is not None and Thread.objects.count() == 3
    # Sent: the edit page sends back to the справка, and a POST changes nothing.
    response = client.post(edit_url, {**data, "conclusions": "Поздно."})
    assert response.status_code == 302 and response.url == reverse("reports:audit-statement", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.conclusions == "Выводы заместителя."
    text = _text(client.get(reverse("reports:audit-statement", args=[draft.pk])))
    assert "Составить исправление" in text and "Изменить" not in text


def test_the_recipient_acknowledges_from_the_page(client, cast, sent, on_1_december):
    url = reverse("reports:audit-statement", args=[sent.pk])
    ack = reverse("reports:audit-statement-ack", args=[sent.pk])
    client.force_login(cast.teacher)
    response = client.get(url)
    assert response.status_code == 200 and "Ознакомлен(а)" in _text(response)
    assert ack in response.content.decode()
    assert client.get(ack).status_code == 405
    on_1_december.shift(dt.timedelta(minutes=7))
    response = client.post(ack)
    assert response.status_code == 302 and response.url == url
    row = AuditStatementRecipient.objects.get(statement=sent, user=cast.teacher)
    assert row.acknowledged_at == dt.datetime(2026, 12, 1, 10, 7, tzinfo=dt.UTC)
    assert "Вы ознакомлены со справкой 01.12.2026 13:07" in _text(client.get(url))
    # From the home page: back to it (only to a path of this site).
    response = client.post(reverse("reports:audit-statement-ack", args=[sent.pk]), {"next": "/"})
    assert response.url == "/"
    response = client.post(ack, {"next": "https://evil.example/"})
    assert response.url == url
    # The deputy sees who has and who has not.
    client.force_login(cast.deputy)
    text = _text(client.get(url))
    assert "Teacher Анна Петровна Учитель 01.12.2026 13:07" in text
    assert "Other_teacher Анна Петровна Учитель не ознакомлен(а)" in text
    assert "Classteacher Анна Петровна Учитель, классный руководитель 7 «А» не ознакомлен(а)" in text
    assert "Ознакомились 1 из 3." in text
    # The administration is not a recipient: 403 on the button; another teacher does not see it at all.
    assert client.post(ack).status_code == 403


def test_who_sees_a_statement(client, cast, sent):
    url = reverse("reports:audit-statement", args=[sent.pk])
    pdf = reverse("reports:audit-statement-pdf", args=[sent.pk])
    foreign = build_foreign_school(cast)
    expected = {
        cast.deputy: 200,
        cast.director: 200,
        cast.admin: 200,
        cast.teacher: 200,
        cast.classteacher: 200,
        cast.other_teacher: 200,
        cast.pupil_user: 404,
        cast.parent_user: 404,
        foreign.deputy: 404,
        foreign.teacher: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.get(pdf).status_code == status, user
    # A справка not sent to a teacher is a 404 for them.
    alone = statement_create(actor=cast.deputy, teacher_ids=[cast.teacher.pk], class_teacher_ids=[], **NOVEMBER)
    statement_send(actor=cast.deputy, statement=alone)
    client.force_login(cast.other_teacher)
    assert client.get(reverse("reports:audit-statement", args=[alone.pk])).status_code == 404
    assert client.post(reverse("reports:audit-statement-ack", args=[alone.pk])).status_code == 404
    client.force_login(foreign.deputy)
    for name in ("audit-statement-send", "audit-statement-ack", "audit-statement-correct"):
        assert client.post(reverse(f"reports:{name}", args=[alone.pk])).status_code == 404


def test_a_correction_from_the_page(client, cast, sent):
    client.force_login(cast.deputy)
    response = client.post(reverse("reports:audit-statement-correct", args=[sent.pk]))
    correction = AuditStatement.objects.get(replaces=sent)
    assert response.status_code == 302 and response.url == reverse("reports:audit-statement-edit", args=[correction.pk])
    text = _text(client.get(reverse("reports:audit-statement", args=[correction.pk])))
    assert f"Исправляет справку № {sent.number}" in text
    text = _text(client.get(reverse("reports:audit-statement", args=[sent.pk])))
    assert f"Исправлена справкой № {correction.number} (черновик)" in text
    client.force_login(cast.teacher)  # the teacher does not see the correction's draft
    assert "Исправлена справкой" not in _text(client.get(reverse("reports:audit-statement", args=[sent.pk])))
    assert client.post(reverse("reports:audit-statement-correct", args=[sent.pk])).status_code == 403
    client.force_login(cast.deputy)
    response = client.post(reverse("reports:audit-statement-correct", args=[sent.pk]), follow=True)
    assert "уже составляется" in _text(response)


def test_the_home_page_includes(cast, sent, lessons, test_checks):
    request = RequestFactory().get("/")
    request.user = cast.teacher
    html = render_to_string(
        "reports/statements/_home_pending.html",
        {"pending_statements": unacknowledged_statements(cast.teacher), "request": request},
        request=request,
    )
    assert reverse("reports:audit-statement-ack", args=[sent.pk]) in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="next" value="/"' in html
    assert "Справка № 1 от 01.12.2026" in html
    assert render_to_string("reports/statements/_home_pending.html", {"pending_statements": []}).strip() == ""
    html = render_to_string(
        "reports/statements/_home_awaiting.html", {"awaiting_statements": statements_awaiting(cast.school)}
    )
    assert "3" in html and "из 3 не ознакомлены" in html
    assert reverse("reports:audit-statement", args=[sent.pk]) in html


def test_query_counts(client, cast, sent, django_assert_num_queries):
    """The session and the user, then: the справка (with its school, class, author and the one it corrects), its
    recipients with their users, its corrections; the menu's unread count (not for the PDF). The list: the school's
    справки with their counts, the user's own."""
    client.force_login(cast.deputy)
    with django_assert_num_queries(6):
        assert client.get(reverse("reports:audit-statement", args=[sent.pk])).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(reverse("reports:audit-statement-pdf", args=[sent.pk])).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(LIST_URL).status_code == 200


# -- the PDF --------------------------------------------------------------------------------------------------------


def test_the_pdf_shows_who_acknowledged_when(client, cast, sent, on_1_december, tmp_path):
    on_1_december.shift(dt.timedelta(hours=3, minutes=12))
    statement_acknowledge(actor=cast.teacher, statement=sent)
    client.force_login(cast.teacher)
    response = client.get(reverse("reports:audit-statement-pdf", args=[sent.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "spravka-1-2026-12-01.pdf" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "statement.pdf"
    path.write_bytes(content)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "СПРАВКА" in text and "по итогам проверки" in text and "№ 1" in text
    assert "С справкой ознакомлены" in text
    assert "Teacher Анна Петровна" in text and "01.12.2026 16:12" in text  # Moscow time
    assert "Заместитель директора по УВР" in text and "/ Deputy А. П." in text
    assert "Выводы" in text and "Рекомендации" in text and "Нарушения по видам" in text


# -- the demo ---------------------------------------------------------------------------------------------------------


def test_the_demo_statement(cast, lessons, test_checks, on_1_december):
    from reports.demo.statements import seed_statements

    on_1_december.shift(dt.timedelta(days=2))  # 3 December: the справка went out on the 1st

    for username in ("teacher", "classteacher"):  # the cast's logins are the demo's
        assert getattr(cast, username).username == username
    result = seed_statements(cast.school, D(2026, 12, 3))
    statement = AuditStatement.objects.get()
    assert result == {"statements": 1, "recipients": 3, "acknowledged": result["acknowledged"]}
    assert (statement.start, statement.end, statement.checked_on) == (D(2026, 11, 1), D(2026, 11, 30), D(2026, 12, 1))
    assert statement.sent_at == dt.datetime(2026, 12, 1, 11, 35, tzinfo=dt.UTC)  # 14:35 in Moscow
    assert statement.created_at < statement.sent_at
    rows = _recipients(statement)
    assert rows[cast.teacher.pk].acknowledged_at is None  # the demo teacher still has it to read
    acknowledged = [row for row in rows.values() if row.acknowledged_at]
    assert 1 <= len(acknowledged) < len(rows) and len(acknowledged) == result["acknowledged"]
    for row in acknowledged:
        assert statement.sent_at < row.acknowledged_at < dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
        assert 8 <= row.acknowledged_at.astimezone(dt.timezone(dt.timedelta(hours=3))).hour < 20
    message = Message.objects.get(thread__participants__user=cast.teacher)
    assert message.created_at == statement.sent_at
    assert "Срок устранения замечаний — до 08.12.2026." in statement.recommendations


def test_the_demo_waits_for_a_whole_month(cast):
    from reports.demo.statements import seed_statements

    assert seed_statements(cast.school, D(2026, 9, 20))["statements"] == 0  # no month over yet this year
