"""The demo's consents, paper families and 7 «А»'s print log (diary.demo.paper.seed_paper)."""

import datetime as dt

from django.urls import reverse

from accounts.choices import InfoForm
from accounts.models import ParentChild, ParentProfile
from diary.demo.paper import seed_paper
from diary.models import PaperDiaryPrint
from diary.tests.test_paper_print import TODAY, at, family


def test_seed_paper_marks_a_few_paper_families_in_7a_and_logs_printouts(client, cast):
    for n in range(6):
        family(cast, cast.class_a, n, f"Демова{n}", None)
    result = seed_paper(year=cast.year, today=TODAY, actor=cast.admin)
    assert result["paper_pupils_demo_class"] == 3 and result["paper_parents"] >= 3
    paper = ParentProfile.objects.filter(info_form=InfoForm.PAPER)
    assert paper.count() == result["paper_parents"]
    # the demo logins keep the electronic diary; every choice is dated in September and kept in history
    for profile in (cast.parent, cast.parent2_user.parent):
        profile.refresh_from_db()
        assert profile.info_form == InfoForm.ELECTRONIC and profile.consent_given_on is not None
    for profile in paper:
        assert dt.date(2026, 9, 1) <= profile.info_form_chosen_on <= dt.date(2026, 9, 15)
        assert profile.consent_given_on == profile.info_form_chosen_on
        assert profile.history.latest("history_id").history_user == cast.admin
    assert ParentChild.objects.filter(parent__in=paper, pupil__enrollments__school_class=cast.class_a).count() == 3
    # printed every two weeks from 17.09 by the class teacher, the last one not after three days ago
    prints = list(PaperDiaryPrint.objects.order_by("date_to"))
    assert len(prints) == result["prints"] == 5
    assert [p.date_to for p in prints] == [dt.date(2026, 9, 17) + dt.timedelta(days=14 * n) for n in range(5)]
    assert {p.printed_by for p in prints} == {cast.classteacher} and {p.pupils for p in prints} == {3}
    # done long ago: ready, in the default layout, without a PDF kept (the seed stays fast)
    assert {(p.status, p.layout, p.pdf) for p in prints} == {(PaperDiaryPrint.Status.READY, "one", None)}
    assert all(p.printed_at < p.finished_at for p in prints)
    client.force_login(cast.classteacher)
    with at(TODAY):
        page = client.get(reverse("diary:paper", args=[cast.class_a.pk])).content.decode()
    assert "Распечатка для 3 учащихся" in page and "Последняя распечатка — 12.11.2026 (8 дн. назад)" in page
    assert page.count("PDF не сохранён") == 5 and page.count("Распечатать снова") == 5 and "hx-trigger" not in page


def test_seed_paper_without_a_7a_class_or_pupils_does_nothing_wrong(cast):
    result = seed_paper(year=cast.year, today=dt.date(2026, 9, 1), actor=cast.admin)
    assert result == {
        "consents": 2,
        "paper_parents": 0,
        "paper_pupils": 0,
        "paper_pupils_demo_class": 0,
        "prints": 0,
    }
