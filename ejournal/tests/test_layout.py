"""The floor under every page (issue 14): base.html's menu bar rendered once per kind of user with the request's
parts filled in (ejournal.context_processors.Navbar), its fixed fragments (ejournal.templatetags.layout), the
Content-Security-Policy built once (ejournal.middleware.CSPMiddleware) and the user read once
(accounts.middleware.SchoolTimezoneMiddleware). What a user sees is the same as the template rendered every time."""

import re

from csp.utils import build_policy
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.middleware import SchoolTimezoneMiddleware
from diary.models import Thread, ThreadParticipant

CURRENT = re.compile(r'<a class="(nav-link|dropdown-item) active" href="([^"]+)" aria-current="page">')


def set_unread(cast, user, count: int) -> None:
    thread = Thread.objects.create(
        school=cast.school, subject="Тема", created_by=cast.teacher, last_message_at=timezone.now()
    )
    ThreadParticipant.objects.create(thread=thread, user=user, unread=count)


def test_the_bar_marks_the_page_shown_and_only_it(client, cast):
    client.force_login(cast.classteacher)
    year = reverse("journal:year_detail")
    assert CURRENT.findall(client.get(year).content.decode()) == [("nav-link", year)]
    absences = reverse("journal:absences", args=[cast.class_a.pk])
    assert CURRENT.findall(client.get(absences).content.decode()) == [("dropdown-item", absences)]
    page = client.get(reverse("accounts:profile")).content.decode()  # in the user's menu, which marks nothing
    assert CURRENT.findall(page) == [] and "aria-current" not in page


def test_the_bar_shows_each_users_own_name_escaped(client, cast):
    cast.teacher.last_name = "<b>Учитель</b>"
    cast.teacher.save()
    for user, name in ((cast.teacher, "&lt;b&gt;Учитель&lt;/b&gt; А. П."), (cast.other_teacher, "Other_teacher А. П.")):
        client.force_login(user)  # the same kind of user: the same bar, another name
        page = client.get(reverse("accounts:profile")).content.decode()
        assert f'<i class="bi bi-person-circle" aria-hidden="true"></i> {name} <span' in page
        assert "<b>Учитель" not in page


def test_the_unread_badges_follow_the_count(client, cast):
    client.force_login(cast.parent_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "nav-unread" not in page and "text-bg-warning" not in page
    set_unread(cast, cast.parent_user, 1)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'aria-label="Сообщения: 1 непрочитанное"' in page
    assert '<span class="badge rounded-pill text-bg-warning">1<span class="visually-hidden"> непрочитанных' in page
    set_unread(cast, cast.parent_user, 4)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'aria-label="Сообщения: 5 непрочитанных"' in page and ">5</span></a>" in page


def test_the_logout_form_carries_a_working_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.teacher)
    page = client.get(reverse("accounts:profile")).content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)"><input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([^"]+)">',
        page,
    )
    assert form and form.group(1) == reverse("accounts:logout")
    assert client.post(form.group(1), {"csrfmiddlewaretoken": form.group(2)}).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out: to the login page


def test_the_operator_gets_the_administration_link(client, cast, django_user_model):
    operator = django_user_model.objects.create_superuser(username="operator", password="x", email="o@example.com")
    admin_link = f'<a class="dropdown-item" href="{reverse("admin:index")}">'
    client.force_login(operator)
    assert admin_link in client.get(reverse("accounts:profile")).content.decode()
    client.force_login(cast.admin)
    assert admin_link not in client.get(reverse("accounts:profile")).content.decode()


def test_no_bar_for_a_visitor_and_the_fixed_fragments_for_all(client, cast):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "<nav" not in page and 'href="#main"' in page
    assert '<link rel="stylesheet" href="/static/css/ejournal.css">' in page
    assert 'data-no-results="Ничего не найдено"' in page and '<script src="/static/js/actions.js"></script>' in page


def test_a_fragment_pays_nothing_for_the_bar(rf, cast):
    # The context processor runs for every template rendered with the request; the bar is filled in (the user's
    # name, a CSRF token) only where base.html shows it.
    request = rf.get("/")
    request.user, request.session = cast.teacher, SessionStore()
    request._messages = FallbackStorage(request)
    assert render_to_string("includes/messages.html", {}, request).strip() == ""
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META
    page = render_to_string("accounts/profile.html", {"profile_user": cast.teacher}, request)
    assert "csrfmiddlewaretoken" in page and request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_the_policy_is_django_csps_and_follows_the_settings(client, cast):
    response = client.get(reverse("accounts:login"))
    assert response["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in response
    directives = {"default-src": ["'self'"], "img-src": ["'self'", "https://example.org"]}
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": directives}):
        response = client.get(reverse("accounts:login"))
        policy = sorted(part.strip() for part in response["Content-Security-Policy"].split(";"))
        assert policy == ["default-src 'self'", "img-src 'self' https://example.org"]  # in django-csp's set order
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert client.get(reverse("accounts:login"))["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert client.get(reverse("accounts:login"))["Content-Security-Policy"] == build_policy()


def test_the_request_carries_the_user_itself(cast):
    seen = []
    middleware = SchoolTimezoneMiddleware(lambda request: seen.append(request.user) or "response")
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: cast.teacher)
    assert middleware(request) == "response" and seen == [cast.teacher] and type(seen[0]) is type(cast.teacher)
    request.user = SimpleLazyObject(AnonymousUser)
    middleware(request)
    assert type(seen[1]) is AnonymousUser
