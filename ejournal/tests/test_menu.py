"""The menu (ejournal.context_processors.navigation): one query for the led class and the unread badge, and items
built once per kind of user that still follow a change of the led class at once."""

from django.urls import reverse

from diary.models import ThreadParticipant
from diary.selectors.menu import menu_facts
from diary.selectors.messages import unread_total
from journal import services
from journal.selectors import led_class_id


def test_menu_facts_answer_as_the_two_selectors_do(cast, django_assert_num_queries):
    for user in (cast.teacher, cast.classteacher, cast.deputy, cast.parent_user):
        with django_assert_num_queries(1):
            led, unread = menu_facts(user, leads_class=True)
        assert (led, unread) == (led_class_id(user), unread_total(user))
    with django_assert_num_queries(1):
        assert menu_facts(cast.classteacher, leads_class=False) == (None, 0)


def test_a_new_class_teacher_gets_the_menu_entry_at_once(client, cast):
    # The items are built once per (role, led class, …) and kept: the change is a new key, nothing to invalidate.
    class_url = reverse("journal:class_detail", args=[cast.class_a.pk])
    client.force_login(cast.classteacher)
    assert class_url in client.get(reverse("accounts:profile")).content.decode()
    services.class_teacher_set(actor=cast.admin, school_class=cast.class_a, teacher=cast.teacher)
    assert class_url not in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(cast.teacher)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Мой класс" in page and class_url in page


def test_the_badge_counts_every_thread_unread(client, cast):
    from django.utils import timezone

    from diary.models import Thread

    client.force_login(cast.parent_user)
    assert client.get(reverse("accounts:profile")).context["nav_unread"] == 0
    for n in (2, 3):
        thread = Thread.objects.create(
            school=cast.school, subject=f"Тема {n}", created_by=cast.teacher, last_message_at=timezone.now()
        )
        ThreadParticipant.objects.create(thread=thread, user=cast.parent_user, unread=n)
    assert client.get(reverse("accounts:profile")).context["nav_unread"] == 5
