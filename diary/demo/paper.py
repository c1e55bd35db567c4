"""The demo school's consents, forms of information and paper diaries (``seed_paper``, called by ``seed_demo``).

Most parents signed the personal-data consent in the first days of September and chose the electronic diary; a
few families chose paper printouts (three of them in 7 «А», the demo class teacher's class), a few have not
returned the consent yet. 7 «А» has its printout log: every two weeks since the second half of September, done
but without their PDFs (making them would slow the seed down; the page offers to print them again).
Written in bulk with history rows (as the rest of the demo), not through the card service one parent at a time.
"""

import datetime as dt
import random

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.choices import InfoForm
from accounts.models import ParentChild, ParentProfile, User
from journal.models import Enrollment, SchoolClass, SchoolYear

from ..models import PaperDiaryPrint

SEED = 20260905
DEMO_CLASS = (7, "А")
DEMO_CLASS_PAPER_FAMILIES = 3
PAPER_SHARE = 0.03  # families elsewhere who chose paper
NO_CONSENT_SHARE = 0.06  # parents who have not returned the signed consent yet
FIXED_PARENTS = {"parent", "parent2"}  # the demo logins use the electronic diary
HISTORY_REASON = "Демонстрационные данные"
PRINT_EVERY = dt.timedelta(days=14)


def _september_day(rng: random.Random, year: SchoolYear, today: dt.date, last: int = 15) -> dt.date:
    """A weekday of the first half of September (the parents' meeting weeks), never after today."""
    start = year.start_date
    days = [start + dt.timedelta(days=n) for n in range(last)]
    day = rng.choice([d for d in days if d.weekday() < 5] or days)
    return min(day, today)


def seed_paper(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Consents and forms of information for the parents of ``year``'s pupils, and 7 «А»'s print log."""
    rng = random.Random(SEED)
    classes = {(c.grade, c.letter): c for c in SchoolClass.objects.filter(year=year)}
    demo_class = classes.get(DEMO_CLASS)
    class_of = dict(
        Enrollment.objects.filter(school_class__year=year)
        .order_by("pupil_id", "-date_from")
        .values_list("pupil_id", "school_class_id")
    )
    links = list(
        ParentChild.objects.filter(pupil_id__in=class_of)
        .select_related("parent__user")
        .order_by("pupil_id", "kind", "parent_id")
    )
    families: dict[int, list[ParentProfile]] = {}
    for link in links:
        families.setdefault(link.pupil_id, []).append(link.parent)

    def eligible(pupil_id: int) -> bool:
        return not any(parent.user.username in FIXED_PARENTS for parent in families[pupil_id])

    demo_pupils = [pk for pk in families if demo_class and class_of[pk] == demo_class.pk and eligible(pk)]
    paper_pupils = set(rng.sample(demo_pupils, min(DEMO_CLASS_PAPER_FAMILIES, len(demo_pupils))))
    paper_pupils |= {pk for pk in families if eligible(pk) and pk not in paper_pupils and rng.random() < PAPER_SHARE}

    changed: dict[int, ParentProfile] = {}
    paper_parents = 0
    for pupil_id, parents in families.items():
        for index, parent in enumerate(parents):
            if parent.pk in changed:  # a parent of two children at the school: one choice
                continue
            if (
                parent.user.username not in FIXED_PARENTS
                and pupil_id not in paper_pupils
                and rng.random() < NO_CONSENT_SHARE
            ):
                continue
            day = _september_day(rng, year, today)
            parent.consent_given_on = day
            # In a paper family the first parent (mother, or the only one) chose paper; the other reads online.
            if pupil_id in paper_pupils and index == 0:
                parent.info_form = InfoForm.PAPER
                paper_parents += 1
            else:
                parent.info_form = InfoForm.ELECTRONIC
            parent.info_form_chosen_on = day
            changed[parent.pk] = parent
    bulk_update_with_history(
        list(changed.values()),
        ParentProfile,
        ["consent_given_on", "info_form", "info_form_chosen_on"],
        batch_size=500,
        default_user=actor,
        default_change_reason=HISTORY_REASON,
    )

    # A paper parent's other children are printed too: count from the database.
    printed = set(
        ParentChild.objects.filter(pupil_id__in=class_of, parent__info_form=InfoForm.PAPER).values_list(
            "pupil_id", flat=True
        )
    )
    paper_in_class = sum(1 for pk in printed if demo_class and class_of[pk] == demo_class.pk)
    prints = 0
    if demo_class is not None and demo_class.class_teacher_id and paper_in_class:
        printed_on = year.start_date + dt.timedelta(days=16)
        while printed_on <= today - dt.timedelta(days=3) and printed_on <= year.end_date:
            record = PaperDiaryPrint.objects.create(
                school_class=demo_class,
                date_from=max(printed_on - PRINT_EVERY + dt.timedelta(days=1), year.start_date),
                date_to=printed_on,
                layout=PaperDiaryPrint.Layout.ONE,
                pupils=paper_in_class,
                printed_by_id=demo_class.class_teacher_id,
                status=PaperDiaryPrint.Status.READY,  # printed long ago: no PDF kept, the page offers to print again
            )
            moment = dt.datetime.combine(printed_on, dt.time(15, 20), tzinfo=timezone.get_current_timezone())
            PaperDiaryPrint.objects.filter(pk=record.pk).update(  # auto_now_add: set afterwards
                printed_at=moment, finished_at=moment + dt.timedelta(seconds=5)
            )
            printed_on += PRINT_EVERY
            prints += 1
    return {
        "consents": len(changed),
        "paper_parents": paper_parents,
        "paper_pupils": len(printed),
        "paper_pupils_demo_class": paper_in_class,
        "prints": prints,
    }
