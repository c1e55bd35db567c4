"""Reads for the people pages: import previews and results, credential lists, personal cards.

Each returns what its page shows in a fixed number of queries, whatever the size of the class or file.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES, InfoForm
from accounts.models import ParentChild, ParentProfile, PupilProfile, School, User
from accounts.selectors import pupil_parents
from journal.choices import ImportKind
from journal.models import Enrollment, ImportJob, SchoolClass, StudyPeriod, TeachingAssignment
from journal.selectors.structure import current_period, pupil_enrollment, pupil_subjects

DATE_FORMAT = "%d.%m.%Y"


# --- imports ----------------------------------------------------------------------------------


def recent_imports(school: School, limit: int = 10) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(school=school).select_related("created_by").defer("rows")[:limit]


@dataclass
class PreviewRow:
    line: int
    values: dict
    preview: dict
    notes: list[str]
    errors: list[str]


@dataclass
class ImportPreview:
    job: ImportJob
    rows: list[PreviewRow]
    total: int
    with_problems: int
    problems: int


def import_preview(job: ImportJob, only_problems: bool = False) -> ImportPreview:
    errors: dict[int, list[str]] = defaultdict(list)
    for error in job.errors:
        errors[error["line"]].append(error["message"])
    rows = [
        PreviewRow(
            line=row["line"],
            values=row["values"],
            preview=row.get("preview") or {},
            notes=row.get("notes") or [],
            errors=errors.get(row["line"], []),
        )
        for row in job.rows
    ]
    with_problems = sum(1 for row in rows if row.errors)
    if only_problems:
        rows = [row for row in rows if row.errors]
    return ImportPreview(job=job, rows=rows, total=len(job.rows), with_problems=with_problems, problems=len(job.errors))


@dataclass
class ImportSummary:
    job: ImportJob
    users: int = 0
    parents_created: int = 0
    parents_linked: int = 0
    classes: list[SchoolClass] = field(default_factory=list)


def import_summary(job: ImportJob) -> ImportSummary:
    results = [row.get("result") or {} for row in job.rows]
    summary = ImportSummary(job=job, users=sum(1 for result in results if result.get("user_id")))
    if job.kind == ImportKind.PUPILS:
        summary.parents_created = sum(len(result.get("parents_created", [])) for result in results)
        summary.parents_linked = sum(len(result.get("parents_linked", [])) for result in results)
        class_ids = {result["class_id"] for result in results if result.get("class_id")}
        summary.classes = list(SchoolClass.objects.filter(pk__in=class_ids).order_by("grade", "letter"))
    return summary


# --- credentials ------------------------------------------------------------------------------


@dataclass
class CredentialRow:
    """A person on a credentials page: what the slip says about them and where their login stands."""

    user: User
    label: str
    status: str  # none | issued | used | password
    status_text: str


def credential_status(user: User) -> tuple[str, str]:
    code = getattr(user, "activation_code", None)
    if code is not None and code.used_at is not None and user.has_usable_password():
        return "used", _("вход настроен %(date)s") % {"date": timezone.localtime(code.used_at).strftime(DATE_FORMAT)}
    if code is not None and code.used_at is None:
        return "issued", _("код выдан %(date)s, не использован") % {
            "date": timezone.localtime(code.issued_at).strftime(DATE_FORMAT)
        }
    if user.has_usable_password():
        return "password", _("пароль задан")
    return "none", _("кода нет")


def _row(user: User, label: str) -> CredentialRow:
    status, text = credential_status(user)
    return CredentialRow(user=user, label=label, status=status, status_text=text)


def staff_credential_rows(school: School) -> list[CredentialRow]:
    users = (
        User.objects.filter(school=school, role__in=STAFF_ROLES, is_active=True)
        .select_related("activation_code")
        .order_by("last_name", "first_name", "middle_name")
    )
    return [_row(user, str(user.get_role_display())) for user in users]


def roll_from(on_date: dt.date) -> Q:
    """Enrolments current on a date or starting later (pupils who arrive next week already get a card and a code)."""
    return Q(date_to__isnull=True) | Q(date_to__gte=on_date)


def class_enrollments(school_class: SchoolClass, on_date: dt.date) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(roll_from(on_date), school_class=school_class)
        .select_related("pupil__user__activation_code")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "date_from")
    )


def class_on_date(school_class: SchoolClass) -> dt.date:
    year = school_class.year
    return min(max(timezone.localdate(), year.start_date), year.end_date)


@dataclass
class ClassCredentials:
    pupils: list[CredentialRow]
    parents: list[CredentialRow]
    families: dict[int, list[int]]  # pupil's user id -> their parents' user ids

    def family_order(self) -> list[CredentialRow]:
        """Each pupil followed by their parents, so the slips of a family are cut out side by side."""
        parents = {row.user.pk: row for row in self.parents}
        ordered: list[CredentialRow] = []
        placed: set[int] = set()
        for row in self.pupils:
            ordered.append(row)
            for parent_id in self.families.get(row.user.pk, []):
                if parent_id not in placed:
                    placed.add(parent_id)
                    ordered.append(parents[parent_id])
        return ordered + [row for row in self.parents if row.user.pk not in placed]


def class_credential_rows(school_class: SchoolClass) -> ClassCredentials:
    """The class's pupils, and their parents (each parent once, with the children in this class): two queries."""
    pupils: dict[int, PupilProfile] = {}
    for enrollment in class_enrollments(school_class, class_on_date(school_class)):
        pupils.setdefault(enrollment.pupil_id, enrollment.pupil)
    label = _("учащийся, %(cls)s класс") % {"cls": school_class}
    pupil_rows = [_row(pupil.user, label) for pupil in pupils.values()]
    links = (
        ParentChild.objects.filter(pupil_id__in=pupils)
        .select_related("parent__user__activation_code")
        .order_by("parent__user__last_name", "parent__user__first_name")
    )
    children: dict[int, list[str]] = defaultdict(list)
    parents: dict[int, User] = {}
    families: dict[int, list[int]] = defaultdict(list)
    for link in links:
        pupil_user = pupils[link.pupil_id].user
        parents[link.parent.user_id] = link.parent.user
        children[link.parent.user_id].append(pupil_user.short_name)
        families[pupil_user.pk].append(link.parent.user_id)
    parent_rows = [
        _row(user, _("родитель: %(children)s (%(cls)s)") % {"children": ", ".join(children[pk]), "cls": school_class})
        for pk, user in parents.items()
    ]
    return ClassCredentials(pupils=pupil_rows, parents=parent_rows, families=dict(families))


# --- personal cards ---------------------------------------------------------------------------


@dataclass
class CardRow:
    """A line of the class's list of cards."""

    pupil: PupilProfile
    links: list[ParentChild]
    phones: list[str]
    consent: bool
    info_forms: list[str]


def info_form_text(parent: ParentProfile) -> str:
    if parent.info_form_chosen_on is None:
        return _("не выбрана")
    label = _("электронная") if parent.info_form == InfoForm.ELECTRONIC else _("бумажная")
    return f"{label} ({parent.info_form_chosen_on:%d.%m.%Y})"


def class_card_rows(school_class: SchoolClass) -> list[CardRow]:
    """Pupils of the class with their parents' contacts, consent and form of information: two queries."""
    links = ParentChild.objects.select_related("parent__user").order_by("parent__user__last_name")
    pupils: dict[int, PupilProfile] = {}
    for enrollment in class_enrollments(school_class, class_on_date(school_class)):
        pupils.setdefault(enrollment.pupil_id, enrollment.pupil)
    rows = []
    by_pupil: dict[int, list[ParentChild]] = defaultdict(list)
    for link in links.filter(pupil_id__in=pupils):
        by_pupil[link.pupil_id].append(link)
    for pupil in pupils.values():
        pupil_links = by_pupil.get(pupil.pk, [])
        rows.append(
            CardRow(
                pupil=pupil,
                links=pupil_links,
                phones=[link.parent.user.phone for link in pupil_links if link.parent.user.phone],
                consent=bool(pupil_links) and all(link.parent.consent_given_on for link in pupil_links),
                info_forms=[info_form_text(link.parent) for link in pupil_links],
            )
        )
    return rows


@dataclass
class PupilCardDetail:
    pupil: PupilProfile
    enrollments: list[Enrollment]
    links: list[ParentChild]


def pupil_card_detail(pupil: PupilProfile) -> PupilCardDetail:
    enrollments = list(
        Enrollment.objects.filter(pupil=pupil).select_related("school_class__year").order_by("-date_from")
    )
    links = list(
        ParentChild.objects.filter(pupil=pupil)
        .select_related("parent__user")
        .prefetch_related(
            Prefetch(
                "parent__children", queryset=PupilProfile.objects.select_related("user").order_by("user__last_name")
            )
        )
        .order_by("parent__user__last_name")
    )
    return PupilCardDetail(pupil=pupil, enrollments=enrollments, links=links)


# --- the pupil's card in the diary -------------------------------------------------------------------------


@dataclass
class PupilCard:
    pupil: PupilProfile
    enrollment: Enrollment | None
    period: StudyPeriod | None
    subjects: list[TeachingAssignment]
    parents: list[ParentChild]


def pupil_card(pupil: PupilProfile, on_date: dt.date) -> PupilCard:
    """The pupil, their class and class teacher, the current period, subjects with teachers, and parents."""
    enrollment = pupil_enrollment(pupil, on_date)
    subjects: list[TeachingAssignment] = []
    period = None
    if enrollment is not None:
        school_class = enrollment.school_class
        subjects = pupil_subjects(pupil, school_class)
        period = current_period(school_class.year, school_class.grade, on_date)
    parents = list(pupil_parents(pupil))
    return PupilCard(pupil=pupil, enrollment=enrollment, period=period, subjects=subjects, parents=parents)
