"""Reads on messages: who may write to whom (the one rule), the inbox, a thread, a broadcast, the unread badge.

``allowed_recipients`` is the rule; the compose form offers its people and the services refuse anyone else.
Which threads and broadcasts a user sees is ``diary.access.visible_threads`` and ``visible_broadcasts``: the inbox
lists them, and the thread and broadcast pages take their object from them (``diary.access.thread_for_user``).
``unread_total`` is public: the navigation shows it as the badge of «Сообщения» (one query).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.choices import MANAGEMENT_ROLES, STAFF_ROLES, Role
from accounts.models import ParentChild, PupilProfile, User
from journal.lock import school_today
from journal.models import Enrollment, SchoolClass, SchoolClassUserObjectPermission, SchoolYear, TeachingAssignment
from journal.selectors import current_year

from ..access import family_pupils, led_class_ids, visible_broadcasts, visible_threads
from ..models import Broadcast, Message, Thread, ThreadParticipant

THREADS_PER_PAGE = 20
SEARCH_LIMIT = 50


# Who may write to whom ------------------------------------------------------------------------------------------


def is_family(user: User) -> bool:
    return user.role in (Role.PUPIL, Role.PARENT)


def _today(user: User, today: dt.date | None) -> dt.date:
    return today or school_today(user.school)


def _on_roll(today: dt.date) -> Q:
    """Enrolments not ended by today (a class of a year that starts later counts: August, before 1 September)."""
    return Q(date_to__isnull=True) | Q(date_to__gte=today)


def allowed_recipients(
    user: User, *, pupil: PupilProfile | None = None, today: dt.date | None = None
) -> QuerySet[User]:
    """Everyone ``user`` may write to, as a queryset of active users of the user's school (never across schools).

    - A parent or a pupil: the teachers of the child's current-year teaching assignments for the whole class and
      for the child's subgroups, the child's class teacher, the administration (director, deputy, admin); with
      ``pupil`` (one of their children), only for that child. Never other parents, pupils or unrelated teachers.
    - A teacher: any staff member of the school, and the pupils and parents of the classes they teach or lead in
      the current year.
    - The administration: anyone of the school.
    """
    if not user.is_authenticated or not user.is_active or user.school_id is None:
        return User.objects.none()
    people = User.objects.filter(school_id=user.school_id, is_active=True).exclude(pk=user.pk)
    if user.role in MANAGEMENT_ROLES:
        return people
    today = _today(user, today)
    year = current_year(user.school, today)
    if is_family(user):
        children = family_pupils(user)
        if pupil is not None:
            children = children.filter(pk=pupil.pk)
        return people.filter(_family_contacts(year, children, today))
    if user.role in STAFF_ROLES:
        return people.filter(Q(role__in=STAFF_ROLES) | _families_of_staff(user, year, today))
    return User.objects.none()


def _family_contacts(year: SchoolYear | None, children: QuerySet[PupilProfile], today: dt.date) -> Q:
    administration = Q(role__in=MANAGEMENT_ROLES)
    if year is None:
        return administration
    class_ids = Enrollment.objects.filter(_on_roll(today), pupil__in=children, school_class__year=year).values(
        "school_class_id"
    )
    teacher_ids = (
        TeachingAssignment.objects.filter(year=year, school_class_id__in=class_ids)
        .filter(Q(subgroup__isnull=True) | Q(subgroup__pupils__in=children))
        .values("teacher_id")
    )
    class_teacher_ids = _class_teacher_ids(class_ids)
    return administration | (Q(role__in=STAFF_ROLES) & (Q(pk__in=teacher_ids) | Q(pk__in=class_teacher_ids)))


def _class_teacher_ids(class_ids) -> QuerySet:
    """The class teachers of the classes (the ``manage_class`` permission): a subquery."""
    return SchoolClassUserObjectPermission.objects.filter(
        content_object_id__in=class_ids, permission__codename="manage_class"
    ).values("user_id")


def staff_class_ids(user: User, year: SchoolYear | None) -> QuerySet:
    """The classes of the year a teacher teaches (any assignment) or leads: a subquery."""
    if year is None:
        return SchoolClass.objects.none().values("pk")
    return SchoolClass.objects.filter(
        Q(pk__in=TeachingAssignment.objects.filter(year=year, teacher_id=user.pk).values("school_class_id"))
        | Q(pk__in=led_class_ids(user)),
        year=year,
    ).values("pk")


def _families_of_staff(user: User, year: SchoolYear | None, today: dt.date) -> Q:
    if year is None:
        return Q(pk__in=[])
    pupil_ids = Enrollment.objects.filter(_on_roll(today), school_class_id__in=staff_class_ids(user, year)).values(
        "pupil_id"
    )
    return Q(pk__in=PupilProfile.objects.filter(pk__in=pupil_ids).values("user_id")) | Q(
        pk__in=ParentChild.objects.filter(pupil_id__in=pupil_ids).values("parent__user_id")
    )


def may_write_to(user: User, recipient_ids: set[int], *, pupil: PupilProfile | None = None) -> set[int]:
    """Those of ``recipient_ids`` the user may not write to (empty when all are allowed): one query."""
    allowed = set(allowed_recipients(user, pupil=pupil).filter(pk__in=recipient_ids).values_list("pk", flat=True))
    return set(recipient_ids) - allowed


def reply_allowed(user: User, thread: Thread) -> bool:
    """A participant replies (to everyone in the thread) while they may still write to at least one of the others.

    When nobody left in the thread is someone they may write to (the child's teacher changed, the child left),
    the thread stays readable but takes no more replies. One query: the thread among those the user sees
    (``visible_threads``) with another participant among those they may write to.
    """
    return (
        visible_threads(user)
        .filter(pk=thread.pk)
        .filter(participants__user__in=allowed_recipients(user))  # a second join: another participant
        .exists()
    )


# The compose page ----------------------------------------------------------------------------------------------


def staff_classes(user: User) -> QuerySet[SchoolClass]:
    """The current year's classes whose pupils and parents a staff member may list: all for the administration,
    those taught or led for a teacher."""
    if user.school_id is None or not user.is_staff_member:
        return SchoolClass.objects.none()
    year = current_year(user.school, _today(user, None))
    classes = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
    if user.role in MANAGEMENT_ROLES:
        return classes
    return classes.filter(pk__in=staff_class_ids(user, year))


@dataclass
class RecipientOption:
    user_id: int
    name: str
    note: str = ""


@dataclass
class RecipientGroup:
    title: str
    options: list[RecipientOption] = field(default_factory=list)


def family_recipient_groups(user: User, pupil: PupilProfile | None) -> list[RecipientGroup]:
    """For a parent or a pupil writing about ``pupil``: the class teacher, the teachers with their subjects, the
    administration (three queries)."""
    today = _today(user, None)
    people = list(allowed_recipients(user, pupil=pupil, today=today).order_by("last_name", "first_name"))
    if not people:
        return []
    year = current_year(user.school, today)
    children = family_pupils(user) if pupil is None else family_pupils(user).filter(pk=pupil.pk)
    class_ids = Enrollment.objects.filter(_on_roll(today), pupil__in=children, school_class__year=year).values(
        "school_class_id"
    )
    subjects: dict[int, list[str]] = defaultdict(list)
    assignments = (
        TeachingAssignment.objects.filter(year=year, school_class_id__in=class_ids)
        .filter(Q(subgroup__isnull=True) | Q(subgroup__pupils__in=children))
        .select_related("subject")
        .order_by("subject__order", "subject__name")
    )
    for assignment in assignments:
        if assignment.subject.name not in subjects[assignment.teacher_id]:
            subjects[assignment.teacher_id].append(assignment.subject.name)
    class_teachers = set(_class_teacher_ids(class_ids).values_list("user_id", flat=True))
    leaders, teachers, administration = (
        RecipientGroup(_("Классный руководитель")),
        RecipientGroup(_("Учителя")),
        RecipientGroup(_("Администрация школы")),
    )
    for person in people:
        note = ", ".join(subjects.get(person.pk, []))
        if person.pk in class_teachers:
            leaders.options.append(RecipientOption(person.pk, person.full_name, note))
        elif person.pk in subjects:
            teachers.options.append(RecipientOption(person.pk, person.full_name, note))
        else:
            administration.options.append(RecipientOption(person.pk, person.full_name, person.get_role_display()))
    teachers.options.sort(key=lambda option: (option.note, option.name))
    return [group for group in (leaders, teachers, administration) if group.options]


def _search_q(text: str) -> Q:
    """Name search that also works on SQLite, whose LIKE folds only ASCII case: try the word as typed, in lower
    case and capitalised."""
    q = Q()
    for word in text.split()[:3]:
        variants = {word, word.lower(), word.capitalize()}
        word_q = Q()
        for variant in variants:
            word_q |= Q(last_name__icontains=variant) | Q(first_name__icontains=variant) | Q(username=variant)
        q &= word_q
    return q


def staff_recipient_groups(
    user: User, *, query: str = "", school_class: SchoolClass | None = None, selected: set[int] | None = None
) -> list[RecipientGroup]:
    """For staff: the people matching ``query`` (up to 50), or the pupils and parents of ``school_class``, or
    the school's staff; always with the already selected people first. A fixed number of queries."""
    allowed = allowed_recipients(user)
    groups: list[RecipientGroup] = []
    shown: set[int] = set()
    if selected:
        chosen = list(allowed.filter(pk__in=selected).order_by("last_name", "first_name"))
        groups.append(RecipientGroup(_("Выбраны"), _options(chosen)))
        shown = {person.pk for person in chosen}
    if query.strip():
        found = [
            person
            for person in allowed.filter(_search_q(query)).order_by("last_name", "first_name")[:SEARCH_LIMIT]
            if person.pk not in shown
        ]
        groups.append(RecipientGroup(_("Найдены"), _options(found)))
    elif school_class is not None:
        today = _today(user, None)
        pupil_ids = Enrollment.objects.filter(_on_roll(today), school_class=school_class).values("pupil_id")
        pupils = allowed.filter(pupil__in=pupil_ids).order_by("last_name", "first_name")
        parents = allowed.filter(parent__children__in=pupil_ids).distinct().order_by("last_name", "first_name")
        label = str(school_class)
        groups.append(RecipientGroup(_("Родители, %(c)s") % {"c": label}, _options(parents, shown)))
        groups.append(RecipientGroup(_("Учащиеся, %(c)s") % {"c": label}, _options(pupils, shown)))
    else:
        staff = allowed.filter(role__in=STAFF_ROLES).order_by("last_name", "first_name")
        groups.append(RecipientGroup(_("Сотрудники школы"), _options(staff, shown)))
    return [group for group in groups if group.options]


def _options(people, skip: set[int] = frozenset()) -> list[RecipientOption]:
    """Options with a note: the role for staff, the class for pupils, the children for parents (two queries)."""
    people = [person for person in people if person.pk not in skip]
    pupil_users = [person.pk for person in people if person.role == Role.PUPIL]
    parent_users = [person.pk for person in people if person.role == Role.PARENT]
    classes: dict[int, str] = {}
    if pupil_users:
        for user_id, grade, letter in (
            Enrollment.objects.filter(pupil__user_id__in=pupil_users, date_to__isnull=True)
            .order_by("date_from")
            .values_list("pupil__user_id", "school_class__grade", "school_class__letter")
        ):
            classes[user_id] = f"{grade} «{letter}»"
    children: dict[int, list[str]] = defaultdict(list)
    if parent_users:
        for user_id, first_name, last_name in (
            ParentChild.objects.filter(parent__user_id__in=parent_users)
            .order_by("pupil__user__first_name")
            .values_list("parent__user_id", "pupil__user__first_name", "pupil__user__last_name")
        ):
            children[user_id].append(f"{first_name} {last_name}")
    options = []
    for person in people:
        if person.role == Role.PUPIL:
            note = _("учащийся %(c)s") % {"c": classes.get(person.pk, "")}
        elif person.role == Role.PARENT:
            note = _("родитель: %(c)s") % {"c": ", ".join(children.get(person.pk, []))}
        else:
            note = person.get_role_display()
        options.append(RecipientOption(person.pk, person.full_name, note.strip()))
    return options


# The inbox -----------------------------------------------------------------------------------------------------


@dataclass
class InboxEntry:
    """A thread, or (for its sender) a class broadcast shown once with its recipients and replies."""

    at: dt.datetime
    thread: Thread | None = None
    broadcast: Broadcast | None = None
    unread: int = 0
    others: list[str] = field(default_factory=list)  # the other participants' short names
    last_text: str = ""
    last_sender_id: int | None = None
    replied: int = 0  # a broadcast: how many recipients answered


def unread_total(user: User) -> int:
    """Unread messages of all the user's threads (one query; the navigation badge)."""
    if not user.is_authenticated:
        return 0
    total = ThreadParticipant.objects.filter(user_id=user.pk, unread__gt=0).aggregate(total=Sum("unread"))["total"]
    return total or 0


def _inbox_rows(user: User):
    """(kind, id, at) of the user's inbox entries, newest first: the threads they see, except their own broadcast
    threads, which appear once per broadcast (the broadcasts they see)."""
    threads = (
        visible_threads(user)
        .exclude(broadcast__isnull=False, created_by_id=user.pk)
        .annotate(kind=Value(1, output_field=IntegerField()), ref=F("pk"), at=F("last_message_at"))
        .values_list("kind", "ref", "at")
        .order_by()
    )
    latest = Thread.objects.filter(broadcast=OuterRef("pk")).order_by("-last_message_at").values("last_message_at")
    broadcasts = (
        visible_broadcasts(user)
        .annotate(
            kind=Value(2, output_field=IntegerField()),
            ref=F("pk"),
            at=Coalesce(Subquery(latest[:1]), F("created_at")),
        )
        .values_list("kind", "ref", "at")
        .order_by()
    )
    return threads.union(broadcasts, all=True).order_by("-at", "-ref")


def inbox_page(user: User, page_number: str | int | None) -> Page:
    """A page of the inbox (20 entries): five queries whatever the number of threads and messages."""
    page = Paginator(_inbox_rows(user), THREADS_PER_PAGE).get_page(page_number)
    thread_ids = [ref for kind, ref, _at in page.object_list if kind == 1]
    broadcast_ids = [ref for kind, ref, _at in page.object_list if kind == 2]
    entries_by_key: dict[tuple[int, int], InboxEntry] = {}
    if thread_ids:
        last = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk")
        threads = (
            visible_threads(user)
            .filter(pk__in=thread_ids)
            .select_related("pupil__user", "broadcast")
            .annotate(
                user_unread=F("participants__unread"),
                last_text=Subquery(last.values("text")[:1]),
                last_sender=Subquery(last.values("sender_id")[:1]),
            )
        )
        others: dict[int, list[str]] = defaultdict(list)
        for participant in (
            ThreadParticipant.objects.filter(thread_id__in=thread_ids)
            .exclude(user_id=user.pk)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        ):
            others[participant.thread_id].append(participant.user.short_name)
        for thread in threads:
            entries_by_key[(1, thread.pk)] = InboxEntry(
                at=thread.last_message_at,
                thread=thread,
                unread=thread.user_unread,
                others=others.get(thread.pk, []),
                last_text=thread.last_text or "",
                last_sender_id=thread.last_sender,
            )
    if broadcast_ids:
        for broadcast in _broadcasts_with_counts(user).filter(pk__in=broadcast_ids):
            entries_by_key[(2, broadcast.pk)] = InboxEntry(
                at=broadcast.last_at or broadcast.created_at,
                broadcast=broadcast,
                unread=broadcast.unread,
                replied=broadcast.replied,
                last_text=broadcast.text,
                last_sender_id=user.pk,
            )
    page.object_list = [
        entries_by_key[(kind, ref)] for kind, ref, _at in page.object_list if (kind, ref) in entries_by_key
    ]
    return page


def _broadcasts_with_counts(sender: User) -> QuerySet[Broadcast]:
    """The sender's broadcasts (``visible_broadcasts``) with their unread replies, the number of recipients who
    replied, the last activity."""
    unread = (
        ThreadParticipant.objects.filter(thread__broadcast=OuterRef("pk"), user_id=sender.pk)
        .values("thread__broadcast")
        .annotate(total=Sum("unread"))
        .values("total")
    )
    replied = (
        Message.objects.filter(thread__broadcast=OuterRef("pk"))
        .exclude(sender_id=sender.pk)
        .values("thread__broadcast")
        .annotate(total=Count("thread", distinct=True))
        .values("total")
    )
    latest = Thread.objects.filter(broadcast=OuterRef("pk")).order_by("-last_message_at").values("last_message_at")
    return (
        visible_broadcasts(sender)
        .select_related("school_class")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            replied=Coalesce(Subquery(replied, output_field=IntegerField()), 0),
            last_at=Subquery(latest[:1]),
        )
    )


# A thread and a broadcast ---------------------------------------------------------------------------------------


def thread_participants(thread: Thread) -> list[ThreadParticipant]:
    return list(
        ThreadParticipant.objects.filter(thread=thread)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def thread_messages(thread: Thread) -> list[Message]:
    return list(Message.objects.filter(thread=thread).select_related("sender").order_by("created_at", "pk"))


@dataclass
class BroadcastRecipient:
    """A recipient of a broadcast as its sender sees them: who, in which role, whether they read it, their replies."""

    thread_id: int
    name: str
    pupil: str  # the pupil the thread is about: the recipient themself, or the parent's child
    is_pupil: bool  # the recipient is the pupil (else a parent of ``pupil``)
    replies: int
    unread: int  # replies the sender has not read yet
    read_at: dt.datetime | None  # when the recipient last opened the thread; None: not read yet
    last_message_at: dt.datetime

    @property
    def role_label(self) -> str:
        return _("учащийся") if self.is_pupil else _("родитель: %(child)s") % {"child": self.pupil}


@dataclass
class BroadcastGroup:
    """The broadcast's parents or its pupils, in the order of the class list, with how many read it."""

    title: str
    rows: list[BroadcastRecipient]

    @property
    def read(self) -> int:
        return sum(1 for row in self.rows if row.read_at is not None)


def broadcast_recipients(broadcast: Broadcast) -> list[BroadcastRecipient]:
    """Each recipient's private thread with its replies, the sender's unread count and the recipient's read state
    (one query), parents first (by child, then name), then pupils (by name)."""
    sender_id = broadcast.sender_id
    replies = (
        Message.objects.filter(thread=OuterRef("thread_id"))
        .exclude(sender_id=sender_id)
        .values("thread")
        .annotate(total=Count("pk"))
        .values("total")
    )
    unread = ThreadParticipant.objects.filter(thread=OuterRef("thread_id"), user_id=sender_id).values("unread")
    rows = (
        ThreadParticipant.objects.filter(thread__broadcast=broadcast)
        .exclude(user_id=sender_id)
        .select_related("user", "thread__pupil__user")
        .annotate(
            replies=Coalesce(Subquery(replies, output_field=IntegerField()), 0),
            sender_unread=Coalesce(Subquery(unread[:1], output_field=IntegerField()), 0),
        )
    )
    recipients = [
        BroadcastRecipient(
            thread_id=row.thread_id,
            name=row.user.full_name,
            pupil=row.thread.pupil.user.full_name if row.thread.pupil_id else "",
            is_pupil=row.user.role == Role.PUPIL,
            replies=row.replies,
            unread=row.sender_unread,
            read_at=row.last_read_at,
            last_message_at=row.thread.last_message_at,
        )
        for row in rows
    ]
    recipients.sort(key=lambda row: (row.is_pupil, row.pupil, row.name))
    return recipients


def broadcast_groups(recipients: list[BroadcastRecipient]) -> list[BroadcastGroup]:
    """The recipients by role: «Родители», then «Учащиеся» (a group only when it has someone)."""
    groups = [
        BroadcastGroup(_("Родители"), [row for row in recipients if not row.is_pupil]),
        BroadcastGroup(_("Учащиеся"), [row for row in recipients if row.is_pupil]),
    ]
    return [group for group in groups if group.rows]
