"""Who may write to whom (diary.selectors.messages.allowed_recipients) and the messaging services that enforce it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts import services as account_services
from accounts.choices import ParentKind
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from diary.models import Broadcast, Message, OutgoingEmail, Thread, ThreadParticipant
from diary.selectors.messages import allowed_recipients, reply_allowed, unread_total
from diary.services import messages as services
from diary.services import notifications
from journal import services as journal_services

pytestmark = pytest.mark.django_db


def a_pupil_with_parent(cast, school_class, name: str):
    """Another pupil of ``school_class`` with a parent (through the services, as the cast is built)."""
    pupil = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=f"{name}_pupil",
        last_name=name.capitalize(),
        first_name="Пётр",
        date_of_birth=dt.date(2013, 1, 1),
        sex="m",
        password=TEST_PASSWORD,
    )
    journal_services.enrollment_create(
        actor=cast.admin, pupil=pupil, school_class=school_class, date_from=cast.year.start_date
    )
    parent = account_services.parent_create(
        actor=cast.admin, school=cast.school, username=f"{name}_parent", last_name="Иванова", first_name="Мария"
    )
    account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)
    return pupil, parent.user


def start(actor, *recipients, pupil=None, text="Добрый день!"):
    return services.thread_start(actor=actor, recipients=recipients, subject="Вопрос", text=text, pupil=pupil)


def allowed(user, **kwargs) -> set[str]:
    return set(allowed_recipients(user, **kwargs).values_list("username", flat=True))


# The rule -------------------------------------------------------------------------------------------------------


def test_a_parent_may_write_to_the_childs_teachers_class_teacher_and_administration(cast):
    assert allowed(cast.parent_user) == {"teacher", "classteacher", "admin", "director", "deputy"}


def test_a_parent_may_not_write_to_other_parents_pupils_or_unrelated_teachers(cast):
    _pupil, classmate_parent = a_pupil_with_parent(cast, cast.class_a, "classmate")
    names = allowed(cast.parent_user)
    assert "other_teacher" not in names  # teaches 8 «Б» only
    assert "parent2" not in names and classmate_parent.username not in names
    assert "pupil" not in names and "other_pupil" not in names and "classmate_pupil" not in names


def test_a_subgroup_teacher_is_a_contact_only_for_the_pupils_of_the_subgroup(cast):
    classmate, classmate_parent = a_pupil_with_parent(cast, cast.class_a, "classmate")
    group = journal_services.subgroup_create(
        actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[classmate]
    )
    journal_services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=cast.physics_b.subject,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(2),
        subgroup=group,
    )
    assert "other_teacher" in allowed(classmate_parent)
    assert "other_teacher" not in allowed(cast.parent_user)


def test_a_parent_of_two_children_writes_about_one_to_that_childs_teachers(cast):
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER)
    both = allowed(cast.parent_user)
    assert {"teacher", "other_teacher", "classteacher"} <= both  # classteacher teaches 8 «Б» Russian too
    assert "other_teacher" not in allowed(cast.parent_user, pupil=cast.pupil)
    assert "teacher" not in allowed(cast.parent_user, pupil=cast.other_pupil)


def test_a_pupil_writes_to_their_teachers_and_the_administration_only(cast):
    assert allowed(cast.pupil_user) == {"teacher", "classteacher", "admin", "director", "deputy"}


def test_staff_write_to_staff_and_the_families_of_the_classes_they_teach_or_lead(cast):
    teacher = allowed(cast.teacher)
    assert {"other_teacher", "classteacher", "director", "deputy", "admin"} <= teacher
    assert {"pupil", "parent"} <= teacher
    assert not {"other_pupil", "parent2"} & teacher  # 8 «Б» is not taught by them
    assert {"pupil", "parent", "other_pupil", "parent2"} <= allowed(cast.classteacher)  # leads 7 «А», teaches 8 «Б»
    assert not {"pupil", "parent"} & allowed(cast.other_teacher)


def test_the_administration_writes_to_anyone_of_the_school(cast):
    assert {"pupil", "parent", "other_pupil", "parent2", "teacher"} <= allowed(cast.deputy)


def test_nobody_writes_across_schools(cast):
    foreign_teacher = UserFactory(school=cast.foreign_admin.school, username="foreign_teacher")
    assert "foreign_admin" not in allowed(cast.admin)
    assert allowed(cast.foreign_admin) == {"foreign_teacher"}
    with pytest.raises(PermissionDenied):
        start(cast.admin, cast.foreign_admin)
    with pytest.raises(PermissionDenied):
        start(foreign_teacher, cast.teacher)
    assert not Thread.objects.exists()


def test_a_pupil_who_left_no_longer_reaches_the_teachers(cast):
    enrollment = cast.pupil.enrollments.get()
    enrollment.date_to = dt.date(2026, 10, 1)
    enrollment.save()
    assert allowed(cast.parent_user, today=dt.date(2026, 11, 10)) == {"admin", "director", "deputy"}


# Threads ---------------------------------------------------------------------------------------------------------


def test_a_parent_writes_to_the_childs_teacher(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        thread = start(cast.parent_user, cast.teacher, text="  Здравствуйте!  ")
    assert thread.pupil == cast.pupil  # the only child, named by default
    assert thread.school == cast.school and thread.created_by == cast.parent_user
    assert [m.text for m in thread.messages.all()] == ["Здравствуйте!"]
    rows = dict(ThreadParticipant.objects.filter(thread=thread).values_list("user__username", "unread"))
    assert rows == {"parent": 0, "teacher": 1}
    assert len(callbacks) == 1  # the e-mail hook runs after the commit


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("parent_user", "other_teacher"),  # another class's teacher
        ("parent_user", "parent2_user"),  # another parent
        ("parent_user", "pupil_user"),  # a pupil, even their own child
        ("pupil_user", "other_teacher"),
        ("other_teacher", "parent_user"),  # a teacher who does not teach the child
    ],
)
def test_writing_to_someone_outside_the_rule_is_refused_and_writes_nothing(cast, sender, recipient):
    with pytest.raises(PermissionDenied):
        start(getattr(cast, sender), getattr(cast, recipient))
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_one_stranger_among_recipients_refuses_the_whole_thread(cast):
    with pytest.raises(PermissionDenied):
        start(cast.parent_user, cast.teacher, cast.parent2_user)
    assert not Thread.objects.exists()


def test_a_pupil_writes_to_the_administration(cast):
    thread = start(cast.pupil_user, cast.director, cast.deputy)
    assert thread.pupil == cast.pupil
    assert set(thread.participants.values_list("user__username", flat=True)) == {"pupil", "director", "deputy"}


def test_bad_input_is_refused_with_a_russian_message(cast):
    with pytest.raises(ValidationError, match="получателя"):
        start(cast.parent_user)
    with pytest.raises(ValidationError, match="текст"):
        start(cast.parent_user, cast.teacher, text="   ")
    with pytest.raises(ValidationError, match="тему"):
        services.thread_start(actor=cast.parent_user, recipients=[cast.teacher], subject=" ", text="Текст")
    assert not Thread.objects.exists()


def test_a_parent_of_several_children_says_which_child(cast):
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER)
    with pytest.raises(ValidationError, match="ребёнке"):
        start(cast.parent_user, cast.other_teacher)
    # the teacher of one child is not a contact about the other child
    with pytest.raises(PermissionDenied):
        start(cast.parent_user, cast.other_teacher, pupil=cast.pupil)
    thread = start(cast.parent_user, cast.other_teacher, pupil=cast.other_pupil)
    assert thread.pupil == cast.other_pupil


def test_a_parent_may_not_name_another_familys_child(cast):
    with pytest.raises(PermissionDenied):
        start(cast.parent_user, cast.teacher, pupil=cast.other_pupil)


def test_staff_may_name_a_pupil_of_their_classes_only(cast):
    assert start(cast.teacher, cast.parent_user, pupil=cast.pupil).pupil == cast.pupil
    with pytest.raises(PermissionDenied):
        start(cast.teacher, cast.classteacher, pupil=cast.other_pupil)


# Replies and unread counts ------------------------------------------------------------------------------------------


def unread(thread) -> dict[str, int]:
    return dict(ThreadParticipant.objects.filter(thread=thread).values_list("user__username", "unread"))


def test_replies_go_to_every_participant_and_count_as_unread(cast, django_capture_on_commit_callbacks):
    thread = start(cast.parent_user, cast.teacher, cast.classteacher)
    assert unread(thread) == {"parent": 0, "teacher": 1, "classteacher": 1}
    with django_capture_on_commit_callbacks() as callbacks:
        services.message_reply(actor=cast.teacher, thread=thread, text="Здравствуйте.")
    assert len(callbacks) == 1
    assert unread(thread) == {"parent": 1, "teacher": 0, "classteacher": 2}
    services.message_reply(actor=cast.parent_user, thread=thread, text="Спасибо!")
    assert unread(thread) == {"parent": 0, "teacher": 1, "classteacher": 3}
    assert unread_total(cast.classteacher) == 3
    services.thread_mark_read(actor=cast.classteacher, thread=thread)
    assert unread(thread)["classteacher"] == 0
    assert ThreadParticipant.objects.get(thread=thread, user=cast.classteacher).last_read_at is not None
    thread.refresh_from_db()
    assert thread.last_message_at == thread.messages.last().created_at


def test_unread_total_is_one_query(cast, django_assert_num_queries):
    start(cast.parent_user, cast.teacher)
    start(cast.classteacher, cast.teacher)
    with django_assert_num_queries(1):  # SUM of the user's unread over their participant rows
        assert unread_total(cast.teacher) == 2


def test_a_non_participant_cannot_reply(cast):
    thread = start(cast.parent_user, cast.teacher)
    for outsider in (cast.classteacher, cast.admin, cast.parent2_user, cast.foreign_admin):
        with pytest.raises(PermissionDenied):
            services.message_reply(actor=outsider, thread=thread, text="Я тоже!")
    assert thread.messages.count() == 1


def test_a_participant_no_longer_allowed_reads_but_cannot_reply(cast):
    thread = start(cast.parent_user, cast.teacher)
    journal_services.assignment_teacher_change(actor=cast.admin, assignment=cast.math_a, teacher=cast.other_teacher)
    assert not reply_allowed(cast.parent_user, thread)
    assert not reply_allowed(cast.teacher, thread)  # no longer teaches 7 «А»
    with pytest.raises(PermissionDenied, match="новую"):
        services.message_reply(actor=cast.parent_user, thread=thread, text="Ещё вопрос")
    assert thread.messages.count() == 1
    # A thread with someone still reachable (the class teacher) takes replies, to everyone in it.
    group = start(cast.classteacher, cast.parent_user, cast.teacher)
    services.message_reply(actor=cast.parent_user, thread=group, text="Спасибо")
    assert unread(group) == {"classteacher": 1, "parent": 0, "teacher": 2}


# Broadcasts ---------------------------------------------------------------------------------------------------------


def test_a_broadcast_creates_one_private_thread_per_parent(cast, django_capture_on_commit_callbacks):
    classmate, classmate_parent = a_pupil_with_parent(cast, cast.class_a, "classmate")
    with django_capture_on_commit_callbacks() as callbacks:
        broadcast = services.broadcast_send(
            actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Ждём вас"
        )
    assert broadcast.recipients == 2
    threads = list(Thread.objects.filter(broadcast=broadcast))
    assert len(threads) == 2 and len(callbacks) == 1  # the e-mail hook, once for all the messages
    by_parent = {t.participants.exclude(user=cast.classteacher).get().user.username: t for t in threads}
    assert set(by_parent) == {"parent", classmate_parent.username}
    assert by_parent["parent"].pupil == cast.pupil and by_parent[classmate_parent.username].pupil == classmate
    for thread in threads:
        assert unread(thread)[cast.classteacher.username] == 0
        assert thread.messages.get().text == "Ждём вас"
    assert unread_total(cast.parent_user) == 1 and unread_total(classmate_parent) == 1
    assert unread_total(cast.classteacher) == 0


def test_replies_to_a_broadcast_are_private(cast):
    _classmate, classmate_parent = a_pupil_with_parent(cast, cast.class_a, "classmate")
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Ждём вас"
    )
    mine = Thread.objects.get(broadcast=broadcast, participants__user=cast.parent_user)
    services.message_reply(actor=cast.parent_user, thread=mine, text="Приду")
    theirs = Thread.objects.get(broadcast=broadcast, participants__user=classmate_parent)
    assert not theirs.messages.filter(text="Приду").exists()
    assert unread(theirs)[classmate_parent.username] == 1
    assert unread(mine)[cast.classteacher.username] == 1
    total = ThreadParticipant.objects.filter(user=cast.classteacher).aggregate(s=Sum("unread"))["s"]
    assert total == 1


@pytest.mark.parametrize(("audience", "expected"), [("pupils", {"pupil"}), ("both", {"pupil", "parent"})])
def test_a_broadcast_to_pupils_or_both(cast, audience, expected):
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience=audience, subject="Экскурсия", text="В субботу"
    )
    names = set(
        ThreadParticipant.objects.filter(thread__broadcast=broadcast)
        .exclude(user=cast.classteacher)
        .values_list("user__username", flat=True)
    )
    assert names == expected and broadcast.recipients == len(expected)


def test_who_may_broadcast(cast):
    for actor in (cast.teacher, cast.other_teacher, cast.director, cast.parent_user, cast.pupil_user):
        with pytest.raises(PermissionDenied):
            services.broadcast_send(
                actor=actor, school_class=cast.class_a, audience="parents", subject="Тема", text="Текст"
            )
    with pytest.raises(PermissionDenied):  # leads 7 «А», not 8 «Б»
        services.broadcast_send(
            actor=cast.classteacher, school_class=cast.class_b, audience="parents", subject="Тема", text="Текст"
        )
    with pytest.raises(PermissionDenied):
        services.broadcast_send(
            actor=cast.foreign_admin, school_class=cast.class_a, audience="parents", subject="Тема", text="Текст"
        )
    assert not Broadcast.objects.exists()
    for actor in (cast.deputy, cast.admin):
        services.broadcast_send(actor=actor, school_class=cast.class_b, audience="both", subject="Тема", text="Текст")
    assert Broadcast.objects.count() == 2


def test_a_broadcast_to_a_class_of_another_year_or_without_recipients_is_refused(cast):
    empty = journal_services.class_create(actor=cast.admin, year=cast.year, grade=9, letter="В")
    with pytest.raises(ValidationError, match="нет получателей"):
        services.broadcast_send(actor=cast.deputy, school_class=empty, audience="parents", subject="Тема", text="Текст")
    with pytest.raises(ValidationError, match="кому"):
        services.broadcast_send(actor=cast.deputy, school_class=cast.class_a, audience="all", subject="Т", text="Т")
    assert not Broadcast.objects.exists() and not Thread.objects.exists()


# The e-mail hook -------------------------------------------------------------------------------------------------------


def test_a_committed_message_queues_an_email_to_the_others(cast, django_capture_on_commit_callbacks):
    cast.teacher.email = "teacher@school.example"
    cast.teacher.save()
    with django_capture_on_commit_callbacks(execute=True):
        thread = start(cast.parent_user, cast.teacher)
    email = OutgoingEmail.objects.get()
    assert email.to == "teacher@school.example" and email.kind == "message"
    assert thread.messages.count() == 1


def test_an_email_failure_loses_no_message(cast, django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(notifications, "message_emails_queue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        thread = start(cast.parent_user, cast.teacher)
        broadcast = services.broadcast_send(
            actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Ждём"
        )
    assert thread.messages.count() == 1
    assert Message.objects.filter(thread__broadcast=broadcast).count() == 1


def test_a_parent_without_linked_children_writes_to_the_administration_only(cast):
    lone = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="lone", last_name="Одинокая", first_name="Анна"
    )
    assert allowed(lone.user) == {"admin", "director", "deputy"}
    assert start(lone.user, cast.director).pupil is None
    with pytest.raises(PermissionDenied):
        start(lone.user, cast.teacher)
