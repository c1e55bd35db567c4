"""The audit settings page (/reports/audit/settings/): the school's deadlines and thresholds of the journal's control."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from journal.models import Lesson, Mark
from reports.access import report_scope
from reports.models import AuditSettings
from reports.selectors.audit.base import AuditContext, run_audit
from reports.services.settings import AUDIT_SETTINGS_FIELDS

pytestmark = pytest.mark.django_db

URL = "/reports/audit/settings/"
DEFAULTS = {name: AuditSettings._meta.get_field(name).default for name in AUDIT_SETTINGS_FIELDS}


def test_the_url_is_named():
    assert reverse("reports:audit-settings") == URL


def test_the_deputy_edits_and_the_change_is_signed(client, cast):
    client.force_login(cast.deputy)
    page = client.get(URL)
    assert page.status_code == 200 and "действуют значения по умолчанию" in page.content.decode()
    response = client.post(URL, {**DEFAULTS, "max_gap_days": "28", "record_grace_days": "1"})
    assert response.status_code == 302 and response["Location"] == URL
    saved = AuditSettings.objects.get(school=cast.school)
    assert (saved.max_gap_days, saved.record_grace_days, saved.essay_days) == (28, 1, 7)
    assert saved.updated_by == cast.deputy
    shown = client.get(URL).content.decode()
    assert "Последнее изменение" in shown and cast.deputy.short_name in shown


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("max_gap_days", "3", "Не меньше 7."),
        ("max_gap_days", "91", "меньше либо равно 90"),
        ("homework_minutes", "abc", "Введите целое число."),
        ("plan_behind_lessons", "", "Укажите значение."),
        ("record_grace_days", "-1", "Не меньше 0."),
    ],
)
def test_a_bad_value_is_refused_in_russian_and_nothing_changes(client, cast, field, value, message):
    client.force_login(cast.admin)
    assert client.post(URL, {**DEFAULTS, "max_gap_days": "30"}).status_code == 302
    response = client.post(URL, {**DEFAULTS, "max_gap_days": "30", "essay_days": "10", field: value})
    assert response.status_code == 200
    assert message in response.content.decode(), response.context["form"].errors
    saved = AuditSettings.objects.get(school=cast.school)
    assert (saved.max_gap_days, saved.essay_days) == (30, 7)


def test_the_director_reads_only(client, cast):
    client.force_login(cast.director)
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"].fields["max_gap_days"].disabled
    assert client.post(URL, {**DEFAULTS, "max_gap_days": "30"}).status_code == 403
    assert not AuditSettings.objects.filter(school=cast.school).exists()


@pytest.mark.parametrize("who", ["teacher", "classteacher", "pupil_user", "parent_user"])
def test_teachers_pupils_and_parents_get_404(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {**DEFAULTS, "max_gap_days": "30"}).status_code == 404
    assert not AuditSettings.objects.exists()


def test_another_schools_admin_changes_only_their_own(client, cast):
    client.force_login(cast.foreign_admin)
    assert client.post(URL, {**DEFAULTS, "max_gap_days": "30"}).status_code == 302
    assert not AuditSettings.objects.filter(school=cast.school).exists()
    assert AuditSettings.objects.get(school=cast.foreign_admin.school).max_gap_days == 30


def test_anonymous_goes_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_links_from_the_control_page_and_the_report_settings(client, cast):
    client.force_login(cast.deputy)
    assert URL in client.get(reverse("reports:settings")).content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        assert URL in client.get(reverse("reports:audit")).content.decode()
        client.force_login(cast.classteacher)  # sees the control page of their class, not the settings
        assert URL not in client.get(reverse("reports:audit")).content.decode()


def test_the_audit_uses_the_saved_value(client, cast):
    """A pupil with marks 24 days apart: a gap over the default 21 days; not with 28 set on the page."""
    with time_machine.travel(dt.datetime(2026, 12, 18, 9, 0, tzinfo=dt.UTC), tick=False):
        days = [dt.date(2026, 11, 2), dt.date(2026, 11, 26), dt.date(2026, 12, 17)]
        for day in days:
            lesson = Lesson.objects.create(assignment=cast.math_a, date=day, number=1, topic="Тема")
            Mark.objects.create(lesson=lesson, pupil=cast.pupil, value="5", updated_by=cast.teacher)

        def gaps() -> list[str]:
            context = AuditContext(
                scope=report_scope(cast.deputy), start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 18)
            )
            result = run_audit(context, only={"mark_gap"})
            return [f.text for f in result.findings if f.pupil_id == cast.pupil.pk]

        assert len(gaps()) == 1
        client.force_login(cast.deputy)
        assert client.post(URL, {**DEFAULTS, "max_gap_days": "28"}).status_code == 302
        assert gaps() == []
