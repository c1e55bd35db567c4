"""Lists and detail pages agree (diary.access): for every user of the cast, each object a list shows opens on its
detail page, and an object of another family, another class or another school is in neither (404).

One test per kind of object, one cast per test. The lists are read through the selectors the list pages use; the
details are requested through the client, so the status is the one a user gets.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.choices import ParentKind, Role
from accounts.models import ParentChild
from accounts.tests.factories import UserFactory
from diary.access import (
    diary_pupil_for_user,
    editable_event_ids,
    family_pupils,
    visible_broadcasts,
    visible_events,
    visible_notification_settings,
    visible_outgoing_emails,
    visible_paper_classes,
    visible_paper_prints,
    visible_threads,
)
from diary.choices import EmailKind, EmailStatus
from diary.models import NotificationSettings, OutgoingEmail, PaperDiaryPrint, Thread
from diary.selectors.events import EventFilter, event_rows, pupil_events_page, school_events
from diary.selectors.messages import broadcast_recipients, inbox_page
from diary.selectors.notifications import outbox, settings_for
from diary.selectors.paper import print_log
from diary.selectors.pupils import diary_header, family_children
from diary.services.events import event_cancel, event_create
from diary.services.messages import broadcast_send, thread_start
from diary.services.notifications import notification_settings_set
from diary.tests.test_paper_print import TODAY, at
from journal import services as journal_services
from journal.access import may_print_for_class, pupil_for_user

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "other_teacher",
    "classteacher",
    "pupil",
    "parent",
    "parent2",
    "foreign_admin",
]
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


@pytest.fixture(autouse=True)
def today():
    with at(TODAY):
        yield TODAY


def user_of(cast, role: str):
    return {"pupil": cast.pupil_user, "parent": cast.parent_user, "parent2": cast.parent2_user}.get(role) or getattr(
        cast, role
    )


def users(cast):
    return [(role, user_of(cast, role)) for role in ROLES]


def status(client, user, url: str, method: str = "get", data: dict | None = None) -> int:
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def foreign_teacher(cast):
    """A teacher of the other school (the foreign admin's)."""
    return UserFactory(school=cast.foreign_admin.school, role=Role.TEACHER, username="foreign_teacher")


# Messages: threads and broadcasts ----------------------------------------------------------------------------------


def test_every_thread_in_the_inbox_opens_and_no_other_does(client, cast):
    mine = thread_start(actor=cast.parent_user, recipients=[cast.teacher], subject="Контрольная", text="Добрый день!")
    other_family = thread_start(
        actor=cast.parent2_user, recipients=[cast.other_teacher], subject="Физика", text="Здравствуйте!"
    )
    broadcast = broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="both", subject="Собрание", text="Приходите."
    )
    other_school = thread_start(
        actor=cast.foreign_admin, recipients=[foreign_teacher(cast)], subject="Чужая школа", text="…"
    )
    everything = set(Thread.objects.values_list("pk", flat=True))
    for role, user in users(cast):
        page = inbox_page(user, 1)
        assert page.paginator.num_pages == 1
        listed = {entry.thread.pk for entry in page.object_list if entry.thread}
        # The sender reaches each recipient's thread through the broadcast's page.
        for entry in page.object_list:
            if entry.broadcast:
                listed |= {row.thread_id for row in broadcast_recipients(entry.broadcast)}
        assert listed == set(visible_threads(user).values_list("pk", flat=True)), role
        for pk in everything:
            expected = OK if pk in listed else NOT_FOUND
            assert status(client, user, reverse("messaging:thread", args=[pk])) == expected, (role, pk)
        for pk in everything - listed:  # nor can they write into it
            assert status(client, user, reverse("messaging:reply", args=[pk]), "post", {"text": "?"}) == NOT_FOUND
    # who sees what, spelled out: the participants only, never across families or schools
    assert mine.pk in set(visible_threads(cast.teacher).values_list("pk", flat=True))
    assert not visible_threads(cast.parent2_user).filter(pk=mine.pk).exists()
    assert not visible_threads(cast.parent_user).filter(pk=other_family.pk).exists()
    assert not visible_threads(cast.admin).filter(pk=other_school.pk).exists()
    assert visible_threads(cast.classteacher).filter(broadcast=broadcast).count() == broadcast.recipients


def test_every_broadcast_in_the_inbox_opens_for_its_sender_only(client, cast):
    own = broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Приходите."
    )
    other = broadcast_send(
        actor=cast.deputy, school_class=cast.class_b, audience="both", subject="Экскурсия", text="В пятницу."
    )
    for role, user in users(cast):
        listed = {entry.broadcast.pk for entry in inbox_page(user, 1).object_list if entry.broadcast}
        assert listed == set(visible_broadcasts(user).values_list("pk", flat=True)), role
        for broadcast in (own, other):
            expected = OK if broadcast.pk in listed else NOT_FOUND
            assert status(client, user, reverse("messaging:broadcast_detail", args=[broadcast.pk])) == expected
    assert set(visible_broadcasts(cast.classteacher)) == {own} and set(visible_broadcasts(cast.deputy)) == {other}


def test_the_broadcast_page_counts_the_recipients_who_replied(client, cast):
    broadcast = broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="both", subject="Собрание", text="Приходите."
    )
    thread = visible_threads(cast.parent_user).get(broadcast=broadcast)
    client.force_login(cast.parent_user)
    client.post(reverse("messaging:reply", args=[thread.pk]), {"text": "Придём."})
    client.force_login(cast.classteacher)
    page = client.get(reverse("messaging:broadcast_detail", args=[broadcast.pk])).content.decode()
    assert f"получателей: {broadcast.recipients}, ответили: 1" in page


# Events ------------------------------------------------------------------------------------------------------------


def test_every_event_in_the_staff_list_opens_and_others_schools_do_not(client, cast):
    class_event = event_create(
        actor=cast.classteacher, school_class=cast.class_a, title="Собрание 7 А", starts_on=dt.date(2026, 11, 26)
    )
    other_class = event_create(
        actor=cast.deputy, school_class=cast.class_b, title="Экскурсия 8 Б", starts_on=dt.date(2026, 11, 27)
    )
    school_wide = event_create(actor=cast.deputy, school_class=None, title="Концерт", starts_on=dt.date(2026, 11, 28))
    cancelled = event_cancel(
        actor=cast.deputy,
        event=event_create(actor=cast.deputy, school_class=None, title="Субботник", starts_on=TODAY),
    )
    foreign = event_create(actor=cast.foreign_admin, school_class=None, title="Чужое", starts_on=TODAY)
    everything = [class_event, other_class, school_wide, cancelled, foreign]
    for role, user in users(cast):
        list_status = status(client, user, reverse("diary:event_list"))
        events = list(school_events(user, EventFilter())) if list_status == OK else []
        assert {event.pk for event in events} == set(visible_events(user).values_list("pk", flat=True)), role
        editable = editable_event_ids(user, events, TODAY)
        rows = {row.event.pk: row for row in event_rows(events, TODAY, editable=editable)}
        for event in everything:
            got = status(client, user, reverse("diary:event_edit", args=[event.pk]))
            if event.pk not in rows:
                assert got == NOT_FOUND, (role, event.title)
            else:  # it opens: the form for those the list offers «Изменить», else 403 (seen, not theirs)
                assert got == (OK if rows[event.pk].edit_url else FORBIDDEN), (role, event.title)
    # families have no staff list and no event page; the other school sees only its own
    for role in ("pupil", "parent", "parent2"):
        assert status(client, user_of(cast, role), reverse("diary:event_list")) == FORBIDDEN
    assert set(visible_events(cast.foreign_admin)) == {foreign}


def test_a_pupils_events_page_opens_with_the_diary_and_shows_only_their_school(client, cast):
    event_create(actor=cast.classteacher, school_class=cast.class_a, title="Собрание 7 А", starts_on=TODAY)
    event_create(actor=cast.deputy, school_class=cast.class_b, title="Экскурсия 8 Б", starts_on=TODAY)
    event_create(actor=cast.deputy, school_class=None, title="Концерт", starts_on=TODAY)
    event_create(actor=cast.foreign_admin, school_class=None, title="Чужое", starts_on=TODAY)
    shown = [row.event.title for row in pupil_events_page(cast.pupil, TODAY).upcoming]
    assert shown == ["Собрание 7 А", "Концерт"]
    for role, user in users(cast):  # the page opens exactly for those who open the pupil's diary
        try:
            pupil_for_user(user, cast.pupil.pk)
        except Http404:
            expected = NOT_FOUND
        else:
            expected = OK
        assert status(client, user, reverse("diary:events", args=[cast.pupil.pk])) == expected, role


# Paper diaries -----------------------------------------------------------------------------------------------------


def _foreign_class(cast):
    year = journal_services.school_year_create(
        actor=cast.foreign_admin,
        school=cast.foreign_admin.school,
        name="2026/2027",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 5, 26),
    )
    return journal_services.class_create(actor=cast.foreign_admin, year=year, grade=5, letter="В")


def _ready_print(school_class, printed_by, day: int) -> PaperDiaryPrint:
    return PaperDiaryPrint.objects.create(
        school_class=school_class,
        date_from=dt.date(2026, 11, day),
        date_to=dt.date(2026, 11, day + 6),
        layout=PaperDiaryPrint.Layout.ONE,
        pupils=1,
        printed_by=printed_by,
        status=PaperDiaryPrint.Status.READY,
        pdf=b"%PDF-1.7 access",
        pages=1,
        size=15,
    )


def test_paper_classes_and_prints_agree_with_their_pages_and_the_class_page_link(client, cast):
    foreign_class = _foreign_class(cast)
    classes = [cast.class_a, cast.class_b, foreign_class]
    prints = [
        _ready_print(cast.class_a, cast.classteacher, 2),
        _ready_print(cast.class_b, cast.deputy, 3),
        _ready_print(foreign_class, cast.foreign_admin, 4),
    ]
    pending = PaperDiaryPrint.objects.create(
        school_class=cast.class_a,
        date_from=dt.date(2026, 11, 9),
        date_to=TODAY,
        pupils=1,
        printed_by=cast.classteacher,
        status=PaperDiaryPrint.Status.QUEUED,
    )
    for role, user in users(cast):
        printable = set(visible_paper_classes(user))
        for school_class in classes:
            # the diary's page, and the journal's class page that links to it, answer alike
            assert (school_class in printable) == may_print_for_class(user, school_class), (role, school_class)
            expected = OK if school_class in printable else NOT_FOUND
            assert status(client, user, reverse("diary:paper", args=[school_class.pk])) == expected, role
        listed = set()
        for school_class in printable:
            log = print_log(school_class, TODAY, prints=visible_paper_prints(user))
            listed |= {entry.record.pk for entry in log.entries}
        assert listed == set(visible_paper_prints(user).values_list("pk", flat=True)), role
        for record in prints:  # every ready print of the log downloads; no other does
            expected = OK if record.pk in listed else NOT_FOUND
            assert status(client, user, reverse("diary:paper_pdf", args=[record.pk])) == expected, (role, record)
        # a print still being made is in the log, and has no PDF to download yet
        assert status(client, user, reverse("diary:paper_pdf", args=[pending.pk])) == NOT_FOUND
    assert set(visible_paper_classes(cast.classteacher)) == {cast.class_a}
    assert set(visible_paper_classes(cast.foreign_admin)) == {foreign_class}


# E-mail notifications ----------------------------------------------------------------------------------------------


def _failed_email(user) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        user=user,
        kind=EmailKind.MESSAGE,
        to=f"{user.username}@example.ru",
        subject="Новое сообщение",
        body_text="…",
        send_after=timezone.now(),
        status=EmailStatus.FAILED,
    )


def test_every_failed_email_of_the_outbox_can_be_sent_again_and_no_other(client, cast):
    ours = _failed_email(cast.parent_user)
    foreign = _failed_email(foreign_teacher(cast))
    foreign.user.email = "foreign@example.ru"
    foreign.user.save()
    cast.parent_user.email = "parent@example.ru"
    cast.parent_user.save()
    everything = [ours, foreign]
    # The admins last: their «Повторить» changes the e-mail (pending again).
    for role, user in sorted(users(cast), key=lambda pair: pair[0] in ("admin", "foreign_admin")):
        list_status = status(client, user, reverse("diary:email_outbox"))
        failed = outbox(visible_outgoing_emails(user), timezone.now()).failed if list_status == OK else []
        listed = {row.email.pk for row in failed}
        assert list_status == (OK if user.is_management else FORBIDDEN), role
        assert listed == set(visible_outgoing_emails(user).values_list("pk", flat=True)), role
        for email in everything:
            with TestCase.captureOnCommitCallbacks():  # the admin's retry queues the e-mail: not sent here
                got = status(client, user, reverse("diary:email_retry", args=[email.pk]), "post")
            if email.pk not in listed:
                assert got == NOT_FOUND, (role, email.user)
            else:  # the admin sends it again; the director and the deputy read the outbox only
                assert got == (302 if role in ("admin", "foreign_admin") else FORBIDDEN), (role, email.user)
    assert OutgoingEmail.objects.get(pk=ours.pk).status == EmailStatus.PENDING
    assert OutgoingEmail.objects.get(pk=foreign.pk).status == EmailStatus.PENDING


def test_a_manager_without_a_school_sees_no_outbox(client, cast):
    # Was: the outbox of a school-less director listed every school's e-mails, while «Повторить» on any of them was
    # 404. Only the platform operator (a superuser without a school) sees them all.
    ours = _failed_email(cast.parent_user)
    stray = UserFactory(school=None, role=Role.DIRECTOR, username="stray_director")
    operator = UserFactory(school=None, role="", is_superuser=True, is_staff=True, username="operator")
    assert not visible_outgoing_emails(stray).exists()
    assert list(visible_outgoing_emails(operator)) == [ours]
    client.force_login(stray)
    assert "parent@example.ru" not in client.get(reverse("diary:email_outbox")).content.decode()
    assert client.post(reverse("diary:email_retry", args=[ours.pk])).status_code == NOT_FOUND


def test_each_user_reads_and_changes_only_their_own_notification_settings(client, cast):
    for _role, user in users(cast):
        notification_settings_set(
            actor=user,
            user=user,
            email_marks=user == cast.parent_user,
            email_absences=False,
            email_messages=True,
            weekly_digest=False,
            quiet_from=None,
            quiet_to=None,
        )
    assert NotificationSettings.objects.count() == len(ROLES)
    for role, user in users(cast):
        assert list(visible_notification_settings(user).values_list("user_id", flat=True)) == [user.pk], role
        assert settings_for(user).email_marks == (user == cast.parent_user), role
        assert status(client, user, reverse("diary:notifications")) == OK


# Pupils: the family's children -------------------------------------------------------------------------------------


def test_the_child_switcher_and_the_diary_home_offer_exactly_the_diaries_that_open(client, cast):
    second = second_child(cast)
    others = [cast.pupil, cast.other_pupil, second]
    for role, user in users(cast):
        children = list(family_children(user))  # family_pupils, by name
        switcher = diary_header(user, cast.pupil, TODAY).children if user.role == Role.PARENT else children
        assert {child.pk for child in switcher} == {child.pk for child in children}, role
        for pupil in others:
            week = status(client, user, reverse("diary:week", args=[pupil.pk]))
            if pupil in children:
                assert week == OK, (role, pupil)
            elif user.role in (Role.PUPIL, Role.PARENT):  # another family's child
                assert week == NOT_FOUND, (role, pupil)
        client.force_login(user)
        home = client.get(reverse("diary:home"))
        if children:
            assert home.status_code == 302 and home.url == reverse("diary:week", args=[children[0].pk]), role
        else:
            assert home.status_code == NOT_FOUND, role
    assert set(family_pupils(cast.parent_user)) == {cast.pupil, second}
    assert set(family_pupils(cast.parent2_user)) == {cast.other_pupil}
    assert set(family_pupils(cast.pupil_user)) == {cast.pupil}


def second_child(cast):
    """A second child of ``parent``, in 8 «Б», linked the real way (the service grants the diary)."""
    pupil = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="sister", last_name="Сестра", first_name="Анна"
    )
    journal_services.enrollment_create(actor=cast.admin, pupil=pupil, school_class=cast.class_b, date_from=TODAY)
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=pupil, kind=ParentKind.MOTHER)
    return pupil


def test_a_link_without_the_diary_permission_is_offered_nowhere(client, cast):
    # Was: the switcher, the diary's home and the messages' «about which child» read the bare parent link, so a link
    # written past the service (no view_pupil_diary) listed a child whose diary answered 404.
    ParentChild.objects.create(parent=cast.parent, pupil=cast.other_pupil, kind="father")
    assert list(family_pupils(cast.parent_user)) == [cast.pupil]
    assert diary_header(cast.parent_user, cast.pupil, TODAY).children == [cast.pupil]
    client.force_login(cast.parent_user)
    assert client.get(reverse("diary:week", args=[cast.other_pupil.pk])).status_code == NOT_FOUND
    compose = client.get(reverse("messaging:compose")).content.decode()
    assert f"?pupil={cast.other_pupil.pk}" not in compose and f"О ребёнке: {cast.pupil.user.full_name}" in compose


def test_anonymous_and_deactivated_users_see_nothing(cast):
    # A service or a task may be handed a user who is not signed in (or was switched off since): nothing is visible.
    thread_start(actor=cast.parent_user, recipients=[cast.teacher], subject="Контрольная", text="Добрый день!")
    _ready_print(cast.class_a, cast.classteacher, 2)
    _failed_email(cast.parent_user)
    cast.admin.is_active = False
    kinds = (
        family_pupils,
        visible_threads,
        visible_broadcasts,
        visible_events,
        visible_paper_classes,
        visible_paper_prints,
        visible_outgoing_emails,
        visible_notification_settings,
    )
    for user in (AnonymousUser(), cast.admin):
        for visible in kinds:
            assert not visible(user).exists(), (user, visible.__name__)


# The child switcher's plain query against the queryset it stands for --------------------------------------------


def test_parent_children_is_family_children_for_every_kind_of_user(cast, django_assert_num_queries):
    """``parent_children`` (one plain query for a parent) gives the same pupils, in the same order, with the same
    users loaded, as ``family_children`` (the queryset): for parents with one or two children, a link without the
    permission and the permission without a link, an inactive parent, another school's parent, and everyone else."""
    from accounts.models import PupilUserObjectPermission
    from conftest import build_foreign_school
    from diary.selectors.pupils import parent_children

    second = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="two_children", last_name="Я", first_name="Анна"
    )
    for child in (cast.pupil, cast.other_pupil):
        account_services.parent_link(actor=cast.admin, parent=second, pupil=child, kind=ParentKind.MOTHER)
    no_permission = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="no_permission", last_name="Б", first_name="Б"
    )
    account_services.parent_link(actor=cast.admin, parent=no_permission, pupil=cast.pupil, kind=ParentKind.FATHER)
    PupilUserObjectPermission.objects.filter(user=no_permission.user).delete()
    no_link = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="no_link", last_name="В", first_name="В"
    )
    account_services.parent_link(actor=cast.admin, parent=no_link, pupil=cast.pupil, kind=ParentKind.FATHER)
    ParentChild.objects.filter(parent=no_link).delete()
    inactive = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="inactive", last_name="Г", first_name="Г"
    )
    account_services.parent_link(actor=cast.admin, parent=inactive, pupil=cast.pupil, kind=ParentKind.FATHER)
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    foreign = build_foreign_school(cast)
    users = [
        cast.parent_user,
        cast.parent2_user,
        second.user,
        no_permission.user,
        no_link.user,
        inactive.user,
        foreign.parent_user,
        foreign.pupil_user,
        cast.pupil_user,
        cast.teacher,
        cast.admin,
        cast.foreign_admin,
        AnonymousUser(),
    ]
    answers = {}
    for user in users:
        expected = list(family_children(user))
        if getattr(user, "role", None) == Role.PARENT and user.is_active:
            with django_assert_num_queries(1):  # the pupils with their users: reading them below costs nothing
                got = parent_children(user)
        else:
            got = parent_children(user)
        assert [pupil.pk for pupil in got] == [pupil.pk for pupil in expected], user
        for mine, theirs in zip(got, expected, strict=True):
            assert {f.attname: getattr(mine, f.attname) for f in mine._meta.concrete_fields} == {
                f.attname: getattr(theirs, f.attname) for f in theirs._meta.concrete_fields
            }
            assert {f.attname: getattr(mine.user, f.attname) for f in mine.user._meta.concrete_fields} == {
                f.attname: getattr(theirs.user, f.attname) for f in theirs.user._meta.concrete_fields
            }
        answers[getattr(user, "username", "") or "anonymous"] = [pupil.pk for pupil in got]
    assert answers["parent"] == [cast.pupil.pk] and len(answers["f_parent"]) == 1
    assert len(answers["two_children"]) == 2
    assert answers["no_permission"] == answers["no_link"] == answers["inactive"] == answers["teacher"] == []


def test_diary_pupil_for_user_is_pupil_for_user_for_every_kind_of_user(cast, django_assert_num_queries):
    """``diary_pupil_for_user`` (one plain query) opens exactly the pupils ``journal.access.pupil_for_user`` opens,
    with the same pupil, user and school loaded, and 404s the same: every member of the school and of another,
    a class teacher (their class's pupils, also one who left it), an inactive parent, the platform operator,
    the anonymous, and ids that do not exist or are no numbers."""
    from conftest import build_foreign_school

    foreign = build_foreign_school(cast)
    former = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="former", last_name="Б", first_name="Ушёл"
    )
    journal_services.enrollment_create(
        actor=cast.admin, pupil=former, school_class=cast.class_a, date_from=cast.year.start_date
    )
    Enrollment = former.enrollments.model
    Enrollment.objects.filter(pupil=former).update(date_to=cast.year.start_date + dt.timedelta(days=30))
    inactive = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="inactive_parent", last_name="Г", first_name="Г"
    )
    account_services.parent_link(actor=cast.admin, parent=inactive, pupil=cast.pupil, kind=ParentKind.FATHER)
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    operator = UserFactory(school=None, username="operator", role=Role.ADMIN, is_staff=True, is_superuser=True)
    readers = [user for _role, user in users(cast)]
    readers += [foreign.parent_user, foreign.pupil_user, foreign.classteacher, cast.foreign_admin]
    readers += [inactive.user, operator, AnonymousUser()]
    pupils = [cast.pupil, cast.other_pupil, former, foreign.pupil_user.pupil]
    ids = [pupil.pk for pupil in pupils] + [max(pupil.pk for pupil in pupils) + 1, "x", "", None, 2**70]
    opened = set()
    for reader in readers:
        for pk in ids:
            try:
                expected = pupil_for_user(reader, pk)
            except (Http404, ValueError, TypeError, OverflowError):
                expected = None
            if expected is None:
                with pytest.raises(Http404):
                    diary_pupil_for_user(reader, pk)
                continue
            with django_assert_num_queries(1):  # the pupil, the user and the school: reading them costs nothing more
                got = diary_pupil_for_user(reader, pk)
                assert (got.user.username, got.user.school.pk) == (expected.user.username, expected.user.school.pk)
            for mine, theirs in ((got, expected), (got.user, expected.user), (got.user.school, expected.user.school)):
                assert {f.attname: getattr(mine, f.attname) for f in mine._meta.concrete_fields} == {
                    f.attname: getattr(theirs, f.attname) for f in theirs._meta.concrete_fields
                }
            opened.add((getattr(reader, "username", ""), pk))
    assert ("parent", cast.pupil.pk) in opened and ("parent", cast.other_pupil.pk) not in opened
    assert ("classteacher", former.pk) in opened and ("operator", foreign.pupil_user.pupil.pk) in opened
    assert not any(name in ("inactive_parent", "") for name, _pk in opened)
