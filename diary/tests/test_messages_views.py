"""The messages pages: inbox, compose, thread and reply, class broadcast (diary.views.messages)."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import ParentKind
from accounts.tests.factories import TEST_PASSWORD
from diary.models import Broadcast, Message, Thread, ThreadParticipant
from diary.services import messages as services
from journal import services as journal_services

pytestmark = pytest.mark.django_db

INBOX, COMPOSE, BROADCAST = reverse("messaging:inbox"), reverse("messaging:compose"), reverse("messaging:broadcast")


def thread_url(thread) -> str:
    return reverse("messaging:thread", args=[thread.pk])


def reply_url(thread) -> str:
    return reverse("messaging:reply", args=[thread.pk])


def start(actor, *recipients, subject="Вопрос", text="Добрый день!", pupil=None):
    return services.thread_start(actor=actor, recipients=recipients, subject=subject, text=text, pupil=pupil)


def login(client, user):
    client.force_login(user)
    return client


# The inbox ----------------------------------------------------------------------------------------------------------


def test_the_inbox_lists_threads_newest_first_with_unread_counts(client, cast):
    first = start(cast.parent_user, cast.teacher, subject="Контрольная работа")
    second = start(cast.classteacher, cast.parent_user, subject="Экскурсия", text="В субботу едем в музей")
    services.message_reply(actor=cast.teacher, thread=first, text="Можно в четверг")
    response = login(client, cast.parent_user).get(INBOX)
    assert response.status_code == 200
    page = response.context["entries"]
    assert [entry.thread for entry in page] == [first, second]
    assert [entry.unread for entry in page] == [1, 1]
    assert response.context["unread"] == 2
    html = response.content.decode()
    assert "Контрольная работа" in html and "Можно в четверг" in html and "Экскурсия" in html
    assert "Teacher А. П." in html  # the other participant


def test_the_inbox_shows_a_broadcast_once_to_its_sender(client, cast):
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="both", subject="Собрание", text="Ждём вас"
    )
    thread = Thread.objects.get(broadcast=broadcast, participants__user=cast.parent_user)
    services.message_reply(actor=cast.parent_user, thread=thread, text="Приду")
    response = login(client, cast.classteacher).get(INBOX)
    entries = response.context["entries"]
    assert len(entries) == 1
    assert entries[0].broadcast == broadcast and entries[0].unread == 1 and entries[0].replied == 1
    assert "Получателей: 2, ответили: 1" in response.content.decode()
    # each recipient sees their own thread
    parent_entries = login(client, cast.parent_user).get(INBOX).context["entries"]
    assert [entry.thread for entry in parent_entries] == [thread]


def test_the_inbox_query_count_does_not_grow_with_threads_and_messages(client, cast, django_assert_num_queries):
    def fill(count: int) -> None:
        for number in range(count):
            thread = start(cast.parent_user, cast.teacher, cast.classteacher, subject=f"Тема {number}")
            services.message_reply(actor=cast.teacher, thread=thread, text="Ответ")
        services.broadcast_send(
            actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Ждём"
        )

    client = login(client, cast.classteacher)
    fill(2)
    # session, user+school, the entries' count (threads and broadcasts, the paginator), the page of entries, the page's
    # threads' other participants, the threads (last message, pupil, broadcast), the broadcasts (unread, replied,
    # last), the unread total, current year, classes to broadcast to, menu: led class and unread (one query) (the inbox's total read
    # a second time)
    with django_assert_num_queries(11) as few:
        client.get(INBOX)
    fill(30)
    with django_assert_num_queries(11) as many:
        response = client.get(INBOX)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["entries"]) == 20  # a page
    assert response.context["page"].paginator.count == 32 + 2  # 32 threads and 2 broadcasts, each once
    assert len(client.get(INBOX + "?page=2").context["entries"]) == 14


def test_the_inbox_needs_a_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# Compose ------------------------------------------------------------------------------------------------------------


def recipient_ids(response) -> set[int]:
    return {option.user_id for group in response.context["groups"] for option in group.options}


def test_a_parent_chooses_among_the_childs_teachers_class_teacher_and_administration(client, cast):
    response = login(client, cast.parent_user).get(COMPOSE)
    assert response.status_code == 200
    groups = {group.title: [option.name for option in group.options] for group in response.context["groups"]}
    assert list(groups) == ["Классный руководитель", "Учителя", "Администрация школы"]
    assert recipient_ids(response) == {
        u.pk for u in (cast.teacher, cast.classteacher, cast.admin, cast.director, cast.deputy)
    }
    teachers = response.context["groups"][1].options
    assert teachers[0].note == "Математика"
    assert cast.other_teacher.full_name not in response.content.decode()


def test_a_parent_of_two_children_switches_the_child(client, cast):
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER)
    client = login(client, cast.parent_user)
    assert cast.other_teacher.pk not in recipient_ids(client.get(COMPOSE + f"?pupil={cast.pupil.pk}"))
    response = client.get(COMPOSE + f"?pupil={cast.other_pupil.pk}")
    assert cast.other_teacher.pk in recipient_ids(response) and cast.teacher.pk not in recipient_ids(response)
    # another family's child in the URL is ignored (the first child is shown)
    stranger, _user = another_family(cast)
    assert client.get(COMPOSE + f"?pupil={stranger.pk}").context["pupil"] in (cast.pupil, cast.other_pupil)


def another_family(cast):
    pupil = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username="stranger",
        last_name="Чужой",
        first_name="Олег",
        date_of_birth=dt.date(2013, 1, 1),
        sex="m",
        password=TEST_PASSWORD,
    )
    journal_services.enrollment_create(
        actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
    )
    parent = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="stranger_parent", last_name="Чужая", first_name="Ольга"
    )
    account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)
    return pupil, parent.user


def test_a_parent_sends_a_message_to_the_childs_teacher(client, cast, django_capture_on_commit_callbacks):
    client = login(client, cast.parent_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            COMPOSE, {"to": [cast.teacher.pk], "subject": "Контрольная", "text": "Можно переписать?"}
        )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == thread_url(thread)
    assert thread.pupil == cast.pupil and thread.messages.get().text == "Можно переписать?"
    assert len(callbacks) == 1


def test_a_tampered_recipient_is_refused_and_nothing_is_sent(client, cast):
    client = login(client, cast.parent_user)
    for stranger in (cast.other_teacher, cast.parent2_user, cast.foreign_admin):
        response = client.post(COMPOSE, {"to": [cast.teacher.pk, stranger.pk], "subject": "Тема", "text": "Текст"})
        assert response.status_code == 400
        assert "Этому адресату вы писать не можете." in response.content.decode()
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_an_empty_message_gets_russian_errors(client, cast):
    response = login(client, cast.parent_user).post(COMPOSE, {"subject": "", "text": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Выберите хотя бы одного получателя." in html and "Обязательное поле." in html
    assert not Thread.objects.exists()


def test_staff_search_their_people_by_name_and_by_class(client, cast):
    client = login(client, cast.teacher)
    default = client.get(COMPOSE)
    assert {cast.other_teacher.pk, cast.classteacher.pk, cast.director.pk} <= recipient_ids(default)
    assert cast.parent_user.pk not in recipient_ids(default)  # the staff are listed first
    found = client.get(COMPOSE + "?q=родитель")  # «Родитель» typed in lower case also matches on SQLite
    assert recipient_ids(found) == {cast.parent_user.pk}  # not parent2: 8 «Б» is not their class
    by_class = client.get(COMPOSE + f"?school_class={cast.class_a.pk}")
    assert recipient_ids(by_class) == {cast.parent_user.pk, cast.pupil_user.pk}
    assert [c.pk for c in by_class.context["form"].fields["school_class"].queryset] == [cast.class_a.pk]
    # a class they do not teach lists nobody
    assert recipient_ids(client.get(COMPOSE + f"?school_class={cast.class_b.pk}")) == {
        cast.other_teacher.pk,
        cast.classteacher.pk,
        cast.director.pk,
        cast.deputy.pk,
        cast.admin.pk,
    }


def test_the_search_button_keeps_what_was_typed_and_ticked_and_sends_nothing(client, cast):
    client = login(client, cast.teacher)
    response = client.post(
        COMPOSE, {"find": "1", "q": "Родитель", "to": [cast.other_teacher.pk], "subject": "Тема", "text": "Текст"}
    )
    assert response.status_code == 200 and not Thread.objects.exists()
    assert response.context["groups"][0].title == "Выбраны"
    assert recipient_ids(response) == {cast.other_teacher.pk, cast.parent_user.pk}
    assert response.context["form"]["subject"].value() == "Тема"


def test_compose_preselects_a_recipient(client, cast):
    response = login(client, cast.parent_user).get(COMPOSE + f"?to={cast.teacher.pk}")
    assert response.context["selected"] == {cast.teacher.pk}
    assert f'value="{cast.teacher.pk}" id="to-{cast.teacher.pk}" checked' in response.content.decode()


def test_compose_refuses_other_methods(client, cast):
    assert login(client, cast.parent_user).put(COMPOSE).status_code == 405


# A thread -----------------------------------------------------------------------------------------------------------


def test_opening_a_thread_reads_it(client, cast):
    thread = start(cast.parent_user, cast.teacher, text="Первое")
    services.message_reply(actor=cast.parent_user, thread=thread, text="Второе")
    client = login(client, cast.teacher)
    response = client.get(thread_url(thread))
    assert response.status_code == 200
    assert [post.text for post in response.context["posts"]] == ["Первое", "Второе"]
    participant = ThreadParticipant.objects.get(thread=thread, user=cast.teacher)
    assert participant.unread == 0 and participant.last_read_at is not None
    assert response.context["form"] is not None


@pytest.mark.parametrize("role", ["classteacher", "admin", "director", "parent2_user", "pupil_user", "foreign_admin"])
def test_only_participants_reach_a_thread(client, cast, role):
    thread = start(cast.parent_user, cast.teacher)
    client = login(client, getattr(cast, role))
    assert client.get(thread_url(thread)).status_code == 404
    assert client.post(reply_url(thread), {"text": "Здравствуйте"}).status_code == 404
    assert thread.messages.count() == 1


def test_a_reply_is_posted_and_redirects_to_the_thread(client, cast, django_capture_on_commit_callbacks):
    thread = start(cast.parent_user, cast.teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login(client, cast.teacher).post(reply_url(thread), {"text": "Здравствуйте!"})
    assert response.status_code == 302 and response.url == thread_url(thread) + "#last"
    assert thread.messages.last().text == "Здравствуйте!" and len(callbacks) == 1
    assert ThreadParticipant.objects.get(thread=thread, user=cast.parent_user).unread == 1


def test_an_empty_reply_is_refused(client, cast):
    thread = start(cast.parent_user, cast.teacher)
    response = login(client, cast.teacher).post(reply_url(thread), {"text": "  "})
    assert response.status_code == 400 and "Обязательное поле." in response.content.decode()
    assert thread.messages.count() == 1


def test_reply_is_post_only(client, cast):
    thread = start(cast.parent_user, cast.teacher)
    assert login(client, cast.teacher).get(reply_url(thread)).status_code == 405


def test_a_thread_whose_people_are_no_longer_reachable_is_read_only(client, cast):
    thread = start(cast.parent_user, cast.teacher)
    journal_services.assignment_teacher_change(actor=cast.admin, assignment=cast.math_a, teacher=cast.other_teacher)
    client = login(client, cast.parent_user)
    response = client.get(thread_url(thread))
    assert response.status_code == 200 and response.context["form"] is None
    assert "начните новую переписку" in response.content.decode()
    response = client.post(reply_url(thread), {"text": "Ещё вопрос"})
    assert response.status_code == 400 and thread.messages.count() == 1


def test_a_thread_page_has_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    thread = start(cast.parent_user, cast.teacher, cast.classteacher)
    for number in range(30):
        services.message_reply(
            actor=cast.teacher if number % 2 else cast.parent_user, thread=thread, text=f"№ {number}"
        )
    client = login(client, cast.classteacher)
    # session, user+school, the thread (visibility, with pupil, broadcast, the user's unread in one), UPDATE: marked
    # read, current year, may reply, participants, messages (with senders), menu: led class and unread (one query)
    with django_assert_num_queries(9):
        assert client.get(thread_url(thread)).status_code == 200


# Broadcasts ---------------------------------------------------------------------------------------------------------


def test_the_class_teacher_broadcasts_to_the_parents(client, cast, django_capture_on_commit_callbacks):
    client = login(client, cast.classteacher)
    form = client.get(BROADCAST).context["form"]
    assert [c.pk for c in form.fields["school_class"].queryset] == [cast.class_a.pk]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            BROADCAST,
            {"school_class": cast.class_a.pk, "audience": "parents", "subject": "Собрание", "text": "В 18:30"},
        )
    broadcast = Broadcast.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("messaging:broadcast_detail", args=[broadcast.pk])
    assert broadcast.recipients == 1 and len(callbacks) == 1
    detail = client.get(response.url)
    assert [row.name for row in detail.context["recipients"]] == [cast.parent_user.full_name]
    assert detail.context["recipients"][0].pupil == cast.pupil.user.full_name


def test_a_class_teacher_cannot_broadcast_to_another_class(client, cast):
    response = login(client, cast.classteacher).post(
        BROADCAST, {"school_class": cast.class_b.pk, "audience": "parents", "subject": "Тема", "text": "Текст"}
    )
    assert response.status_code == 400 and not Broadcast.objects.exists()


def test_the_deputy_broadcasts_to_any_class(client, cast):
    client = login(client, cast.deputy)
    assert {c.pk for c in client.get(BROADCAST).context["form"].fields["school_class"].queryset} == {
        cast.class_a.pk,
        cast.class_b.pk,
    }
    response = client.post(
        BROADCAST, {"school_class": cast.class_b.pk, "audience": "both", "subject": "ВПР", "text": "График"}
    )
    assert response.status_code == 302 and Broadcast.objects.get().recipients == 2


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "director", "parent_user", "pupil_user"])
def test_others_may_not_broadcast(client, cast, role):
    client = login(client, getattr(cast, role))
    assert client.get(BROADCAST).status_code == 403
    response = client.post(
        BROADCAST, {"school_class": cast.class_a.pk, "audience": "parents", "subject": "Тема", "text": "Текст"}
    )
    assert response.status_code == 403 and not Broadcast.objects.exists()


def test_a_broadcast_with_bad_input_is_refused(client, cast):
    response = login(client, cast.classteacher).post(
        BROADCAST, {"school_class": cast.class_a.pk, "audience": "everyone", "subject": "", "text": ""}
    )
    assert response.status_code == 400 and not Broadcast.objects.exists()


def test_only_the_sender_sees_a_broadcast(client, cast):
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="parents", subject="Собрание", text="Ждём"
    )
    url = reverse("messaging:broadcast_detail", args=[broadcast.pk])
    for role in ("deputy", "admin", "teacher", "parent_user", "foreign_admin"):
        assert login(client, getattr(cast, role)).get(url).status_code == 404
    assert login(client, cast.classteacher).get(url).status_code == 200


def test_the_broadcast_page_has_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    for number in range(10):
        another = account_services.pupil_create(
            actor=cast.admin,
            school=cast.school,
            username=f"p{number}",
            last_name="Ученик",
            first_name=f"Имя{number}",
            date_of_birth=dt.date(2013, 1, 1),
            sex="m",
            password=TEST_PASSWORD,
        )
        journal_services.enrollment_create(
            actor=cast.admin, pupil=another, school_class=cast.class_a, date_from=cast.year.start_date
        )
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="both", subject="Собрание", text="Ждём"
    )
    client = login(client, cast.classteacher)
    # session, user+school, the broadcast (the sender's, with class), its recipients (threads with replies and read
    # state), menu: led class and unread (one query)
    with django_assert_num_queries(5):
        response = client.get(reverse("messaging:broadcast_detail", args=[broadcast.pk]))
    assert len(response.context["recipients"]) == 12


def test_the_broadcast_page_labels_each_recipients_role_and_shows_who_read_it(client, cast):
    """To parents and pupils: the parent as «родитель: <child>», the pupil as «учащийся» (not «ребёнок» of
    themselves), in groups by role; each with «прочитано <when>» once they opened the thread, or «не прочитано»."""
    broadcast = services.broadcast_send(
        actor=cast.classteacher, school_class=cast.class_a, audience="both", subject="Собрание", text="Приходите."
    )
    parent_thread = Thread.objects.get(broadcast=broadcast, participants__user=cast.parent_user)
    login(client, cast.parent_user).get(thread_url(parent_thread))  # opening the thread reads it
    response = login(client, cast.classteacher).get(reverse("messaging:broadcast_detail", args=[broadcast.pk]))
    page = response.content.decode()
    assert "ребёнок" not in page
    assert "Прочитали: 1 из 2." in page
    parents, pupils = page[page.index(">Родители ") :], page[page.index(">Учащиеся ") :]
    parents = parents[: parents.index(">Учащиеся ")]
    assert "(прочитали 1 из 1)" in parents and "(прочитали 0 из 1)" in pupils
    assert cast.parent_user.full_name in parents and f"родитель: {cast.pupil.user.full_name}" in parents
    assert "прочитано " in parents and "не прочитано" not in parents
    assert cast.pupil.user.full_name in pupils and "учащийся" in pupils and "не прочитано" in pupils
    rows = {row.name: row for row in response.context["recipients"]}
    assert rows[cast.parent_user.full_name].read_at is not None and rows[cast.pupil.user.full_name].read_at is None


def test_on_a_small_screen_the_unread_count_stands_beside_the_menu_button(client, cast):
    """The menu collapses on a phone, «Сообщения» with it: a link beside the toggler carries the count, named in
    words for a screen reader (the browser test checks where it stands)."""
    client = login(client, cast.parent_user)
    assert "nav-unread" not in client.get(INBOX).content.decode()  # nothing unread: no badge
    start(cast.teacher, cast.parent_user, pupil=cast.pupil)
    page = client.get(reverse("home")).content.decode()
    assert 'class="nav-unread d-lg-none"' in page and 'aria-label="Сообщения: 1 непрочитанное"' in page
    assert page.index("nav-unread") < page.index("navbar-toggler")  # outside the collapsed menu
    start(cast.teacher, cast.parent_user, subject="Ещё", pupil=cast.pupil)
    start(cast.classteacher, cast.parent_user, subject="И ещё", pupil=cast.pupil)
    assert 'aria-label="Сообщения: 3 непрочитанных"' in client.get(reverse("home")).content.decode()
