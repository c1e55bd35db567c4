"""What each user may see of the diary, one queryset per kind of object, and the detail helpers built on them.

As in ``journal.access``: ``visible_*(user)`` is the one answer to "what may this user see" (NetBox's
``restrict(user, action)``). The lists filter it further (a page, a class, the unread) and the detail pages take their
object from it with ``get_object_or_404``, so a list and its detail page cannot disagree; the services re-check a
write against the same queryset or predicate. 404 for those who may not see an object, 403 for those who see it but
may not act.

- Threads: their participants (a broadcast's sender takes part in each recipient's private thread).
- Broadcasts: their sender (the recipients see their own thread).
- Events as objects (the staff list, editing, cancelling): the staff of their school. Pupils and parents read events
  only inside a pupil's diary, as that pupil's events (``diary.selectors.events.pupil_events``), reached through
  ``journal.access.pupil_for_user``.
- Paper diaries: the classes the user prints for (the administration: any class of their school; the class teacher:
  their class), and those classes' prints.
- Outgoing e-mails (the outbox): the administration of the recipient's school; the platform operator all of them.
- Notification settings: the user's own.
- The pupils a family opens (the child switcher, the diary's home, the child a message is about):
  ``journal.access.visible_pupils`` cut to the user's own family, so no list offers a child whose diary is 404.

The write rules that go with them live here too: who broadcasts to which class, who publishes events for which
class, who prints, who sends an e-mail again.
"""

import datetime as dt

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import is_school_management
from accounts.choices import Role
from accounts.models import PupilProfile, PupilUserObjectPermission, School, User
from journal.access import ModelRows, printable_classes, pupil_for_user, visible_pupils
from journal.lock import school_today
from journal.models import Enrollment, SchoolClass, SchoolClassUserObjectPermission, SchoolYear
from journal.selectors import current_year

from .models import Broadcast, Event, NotificationSettings, OutgoingEmail, PaperDiaryPrint, Thread

BROADCASTER_ROLES = (Role.DEPUTY, Role.ADMIN)  # any class of their school; a class teacher: their own class
EVENT_MANAGER_ROLES = (Role.DEPUTY, Role.ADMIN)  # school-wide events and any class; the class teacher: their class


def _signed_in(user: User) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def led_class_ids(user: User) -> QuerySet:
    """The classes the user leads (the ``manage_class`` permission the services grant the class teacher): a subquery."""
    return SchoolClassUserObjectPermission.objects.filter(user_id=user.pk, permission__codename="manage_class").values(
        "content_object_id"
    )


def require_school_staff(user: User) -> None:
    """The staff's pages (the events list) are for a school's staff; pupils and parents get 403."""
    if not user.is_staff_member or user.school_id is None:
        raise PermissionDenied


# Pupils: a family's own children ------------------------------------------------------------------------------------


def family_pupils(user: User) -> QuerySet[PupilProfile]:
    """The pupils a family user opens as their own: a pupil themself, a parent their children; none for staff.

    The pupils the user may see (``journal.access.visible_pupils``, the rule of every diary page) of the user's own
    family: the child switcher, the diary's home and the messages' «about which child» offer exactly the children
    whose diary opens.
    """
    if not _signed_in(user):
        return PupilProfile.objects.none()
    if user.role == Role.PUPIL:
        return visible_pupils(user).filter(user_id=user.pk)
    if user.role == Role.PARENT:
        return visible_pupils(user).filter(parent_links__parent__user_id=user.pk)
    return PupilProfile.objects.none()


def diary_pupil_for_user(user: User, pk) -> PupilProfile:
    """The pupil for their diary pages, with the user and the school loaded: ``journal.access.pupil_for_user`` (404
    for anyone who may not see the pupil's diary) in one plain query; its answer kept on the pupil for this user,
    so the services' re-check (``may_read_diary``) needs no query.

    The query reads the pupil with their user and school by id (within the user's school unless the user is the
    platform operator) and two facts: whether the user holds ``view_pupil_diary`` on the pupil, and whether the
    pupil is or was on the roll of a class the user leads (``manage_class``); who sees what is decided here, as
    ``journal.access.visible_pupils`` decides it (the tests hold the two equal for every kind of user). Through the
    ORM the lookup cost ~1 ms of CPU to build and PostgreSQL ~0.3 ms to plan on every diary page.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not -(2**63) <= pk < 2**63 or not _signed_in(user):
        raise Http404
    everywhere = user.is_platform_operator
    if user.school_id is None and not everywhere:
        raise Http404
    alias = router.db_for_read(PupilProfile)
    query = _pupil_query(alias, everywhere)
    params = [user.pk, "view_pupil_diary", user.pk, "manage_class", pk]
    row = query.fetch_one(alias, params if everywhere else [*params, user.school_id])
    if row is None:
        raise Http404
    holds, leads = row[-2], row[-1]
    if not (is_school_management(user) or holds or (user.is_staff_member and leads)):
        raise Http404
    pupil, pupil_user, school = query.instances(alias, row)
    PupilProfile.user.field.set_cached_value(pupil, pupil_user)
    User.school.field.set_cached_value(pupil_user, school)
    pupil.__dict__.setdefault("_diary_readers", set()).add(user.pk)
    return pupil


_PUPIL_QUERIES: dict[tuple, ModelRows] = {}


def _pupil_query(alias: str, everywhere: bool) -> ModelRows:
    """The query of ``diary_pupil_for_user``, written once per process and database."""
    query = _PUPIL_QUERIES.get((alias, everywhere))
    if query is None:
        quote = connections[alias].ops.quote_name
        pupil, user, school, held, permission, enrolment, led = (
            quote(model._meta.db_table)
            for model in (
                PupilProfile,
                User,
                School,
                PupilUserObjectPermission,
                Permission,
                Enrollment,
                SchoolClassUserObjectPermission,
            )
        )
        query = ModelRows(alias, [(PupilProfile, "p", False), (User, "u", False), (School, "s", True)])
        query.sql = (
            f"SELECT {query.columns},"
            f" EXISTS (SELECT 1 FROM {held} o JOIN {permission} ap ON ap.id = o.permission_id"
            " WHERE o.user_id = %s AND o.content_object_id = p.id AND ap.codename = %s),"
            f" EXISTS (SELECT 1 FROM {enrolment} e JOIN {led} c ON c.content_object_id = e.school_class_id"
            f" JOIN {permission} cp ON cp.id = c.permission_id"
            " WHERE e.pupil_id = p.id AND c.user_id = %s AND cp.codename = %s)"
            f" FROM {pupil} p JOIN {user} u ON u.id = p.user_id LEFT JOIN {school} s ON s.id = u.school_id"
            " WHERE p.id = %s" + ("" if everywhere else " AND u.school_id = %s")
        )
        _PUPIL_QUERIES[(alias, everywhere)] = query
    return query


def may_read_diary(user: User, pupil: PupilProfile) -> bool:
    """Whether the user may see the pupil's diary: no query for a pupil from ``diary_pupil_for_user`` for this very
    user, else ``journal.access.pupil_for_user`` (the services' check, whoever calls them)."""
    if user.pk is not None and user.pk in pupil.__dict__.get("_diary_readers", ()):
        return True
    try:
        pupil_for_user(user, pupil.pk)
    except Http404:
        return False
    return True


# Messages: threads and broadcasts -----------------------------------------------------------------------------------


def visible_threads(user: User) -> QuerySet[Thread]:
    """The threads the user takes part in (one join to the participants: at most one row per thread)."""
    if not _signed_in(user):
        return Thread.objects.none()
    return Thread.objects.filter(participants__user_id=user.pk)


def thread_for_user(user: User, pk: int) -> Thread:
    """The thread for one of its participants, with the user's own unread count and last reading (``user_unread``,
    ``user_last_read_at``, read from the participant row the visibility joins); 404 for anyone else. One query.

    Whether they may still reply is ``diary.selectors.messages.reply_allowed``, which the reply service asks too.
    """
    return get_object_or_404(
        visible_threads(user)
        .select_related("pupil__user", "broadcast__school_class")
        .annotate(user_unread=F("participants__unread"), user_last_read_at=F("participants__last_read_at")),
        pk=pk,
    )


def visible_broadcasts(user: User) -> QuerySet[Broadcast]:
    """A broadcast is its sender's (each recipient sees their own private thread)."""
    if not _signed_in(user):
        return Broadcast.objects.none()
    return Broadcast.objects.filter(sender_id=user.pk)


def broadcast_for_user(user: User, pk: int) -> Broadcast:
    """A broadcast for its sender; 404 for anyone else."""
    return get_object_or_404(visible_broadcasts(user).select_related("school_class"), pk=pk)


def broadcast_classes(user: User, today: dt.date | None = None) -> QuerySet[SchoolClass]:
    """The classes of the current year the user may broadcast to: any class for the deputy and the admin, their own
    class for a class teacher (the rule ``diary.services.messages.ensure_can_broadcast`` checks)."""
    if not _signed_in(user) or user.school_id is None:
        return SchoolClass.objects.none()
    year = current_year(user.school, today or school_today(user.school))
    classes = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
    if user.role in BROADCASTER_ROLES:
        return classes
    if user.is_staff_member:
        return classes.filter(pk__in=led_class_ids(user))
    return SchoolClass.objects.none()


def may_broadcast(user: User) -> bool:
    """The deputy and the admin (any class), a class teacher (their class)."""
    return user.role in BROADCASTER_ROLES or (user.role == Role.TEACHER and broadcast_classes(user).exists())


def broadcast_classes_for_user(user: User) -> QuerySet[SchoolClass]:
    """The classes the user may write a broadcast to: 403 for those who may not broadcast, 404 before the year."""
    if not may_broadcast(user):
        raise PermissionDenied
    classes = broadcast_classes(user)
    if not classes.exists():
        raise Http404("Учебный год ещё не создан.")
    return classes


# Events -------------------------------------------------------------------------------------------------------------


def visible_events(user: User) -> QuerySet[Event]:
    """Events as objects (the list, editing): the staff of their school. Pupils and parents have no such list: they
    read a pupil's events in the diary, through the pupil."""
    if not _signed_in(user) or not user.is_staff_member or user.school_id is None:
        return Event.objects.none()
    return Event.objects.filter(school_id=user.school_id)


def event_years(school: School | None, today: dt.date) -> list[SchoolYear]:
    """The years a class of an event may belong to: the school's current year and the one after it."""
    year = current_year(school, today)
    if year is None:
        return []
    following = SchoolYear.objects.filter(school=school, start_date__gt=year.start_date).order_by("start_date").first()
    return [year, following] if following else [year]


def event_classes(user: User, today: dt.date) -> QuerySet[SchoolClass]:
    """The classes the user may attach an event to: any class of the current or next year for the deputy and the
    admin, their own class for a class teacher, none for anyone else (``check_event_scope`` as a queryset)."""
    years = event_years(user.school, today) if user.school_id else []
    classes = SchoolClass.objects.filter(year__in=years).select_related("year").order_by("year__start_date", "grade")
    if user.role in EVENT_MANAGER_ROLES:
        return classes.order_by("year__start_date", "grade", "letter")
    if user.is_staff_member:
        return classes.filter(pk__in=led_class_ids(user)).order_by("year__start_date", "grade", "letter")
    return SchoolClass.objects.none()


def may_create_events(user: User, today: dt.date) -> bool:
    """The deputy and the admin (school-wide), a class teacher of a class of the current or next year."""
    if not user.school_id:
        return False
    if user.role in EVENT_MANAGER_ROLES:
        return True
    return user.is_staff_member and event_classes(user, today).exists()


def check_event_scope(actor: User, school_class: SchoolClass | None) -> None:
    """May ``actor`` publish an event for ``school_class`` (None: the whole school)? Raises (in Russian) if not."""
    if not _signed_in(actor) or actor.school_id is None:
        raise PermissionDenied(_("События публикуют сотрудники школы."))
    manager = actor.role in EVENT_MANAGER_ROLES
    if school_class is None:
        if not manager:
            raise PermissionDenied(_("События для всей школы публикуют заместитель директора и администратор."))
        return
    if school_class.year.school_id != actor.school_id:
        raise PermissionDenied(_("Класс из другой школы."))
    if not manager and not (
        actor.is_staff_member and led_class_ids(actor).filter(content_object_id=school_class.pk).exists()
    ):
        raise PermissionDenied(_("События класса публикует его классный руководитель, заместитель или администратор."))
    years = event_years(actor.school, school_today(actor.school))
    if school_class.year_id not in {year.pk for year in years}:
        raise ValidationError(
            {"school_class": _("Класс не относится к текущему или следующему учебному году.")},
        )


def can_edit_event(user: User, event: Event) -> bool:
    """An event the user sees, for a class they may publish for (or the whole school): the rule of the services."""
    if event.school_id != user.school_id:
        return False
    try:
        check_event_scope(user, event.school_class)
    except (PermissionDenied, ValidationError):
        return False
    return True


def editable_event_ids(user: User, events: list[Event], today: dt.date) -> set[int]:
    """Which of the listed (visible) events the user may change, as ``can_edit_event`` answers for one, for a whole
    page at once (two queries, not some per event); a cancelled event is not changed any more."""
    class_ids = set(event_classes(user, today).values_list("pk", flat=True))
    manager = user.role in EVENT_MANAGER_ROLES
    return {
        event.pk
        for event in events
        if not event.is_cancelled
        and ((event.school_class_id is None and manager) or event.school_class_id in class_ids)
    }


def event_for_user(user: User, pk: int) -> tuple[Event, bool]:
    """The event and whether the user may change it: 404 for anyone but the staff of its school (pupils and parents
    see events in the diary), ``can_edit`` by the rule of ``event_create``."""
    event = get_object_or_404(visible_events(user).select_related("school_class__year", "created_by"), pk=pk)
    return event, can_edit_event(user, event)


# Paper diaries ------------------------------------------------------------------------------------------------------


def visible_paper_classes(user: User) -> QuerySet[SchoolClass]:
    """The classes whose paper diaries the user prints: ``journal.access.printable_classes`` (the administration any
    class of their school, a class teacher their class), the rule the class page's link uses too."""
    return printable_classes(user)


def visible_paper_prints(user: User) -> QuerySet[PaperDiaryPrint]:
    """The prints of the classes the user prints for: the class page's log and the downloads."""
    return PaperDiaryPrint.objects.filter(school_class__in=visible_paper_classes(user))


def paper_class_for_user(user: User, pk: int) -> SchoolClass:
    """The class, for those who print its paper diaries; 404 for everyone else (no hint that the class exists).

    The answer is kept on the class for this user, so the print service's re-check (``may_print``) needs no query.
    """
    school_class = get_object_or_404(visible_paper_classes(user).select_related("year__school", "class_teacher"), pk=pk)
    school_class.__dict__.setdefault("_printers", set()).add(user.pk)
    return school_class


def may_print(user: User, school_class: SchoolClass) -> bool:
    """Whether the user prints the class's paper diaries: no query for a class from ``paper_class_for_user``, else
    one EXISTS on ``visible_paper_classes`` (the services' check, whoever calls them)."""
    if user.pk in school_class.__dict__.get("_printers", ()):
        return True
    return visible_paper_classes(user).filter(pk=school_class.pk).exists()


def paper_print_for_user(user: User, pk: int) -> PaperDiaryPrint:
    """A ready print with its PDF, for those who may print for its class; 404 for everyone else."""
    return get_object_or_404(
        visible_paper_prints(user).select_related("school_class__year__school"),
        pk=pk,
        status=PaperDiaryPrint.Status.READY,
        pdf__isnull=False,
    )


# E-mail notifications -----------------------------------------------------------------------------------------------


def visible_outgoing_emails(user: User) -> QuerySet[OutgoingEmail]:
    """The outbox: the e-mails to the users of the school, for its administration; every e-mail for the platform
    operator. Anyone else (teachers, families, a user without a school) sees none."""
    if not _signed_in(user) or not is_school_management(user):
        return OutgoingEmail.objects.none()
    if user.is_platform_operator:
        return OutgoingEmail.objects.all()
    if user.school_id is None:
        return OutgoingEmail.objects.none()
    return OutgoingEmail.objects.filter(user__school_id=user.school_id)


def can_resend(user: User) -> bool:
    """Sending a failed e-mail again: the school's admin (the director and the deputy read the outbox only)."""
    return user.is_school_admin or user.is_platform_operator


def outgoing_email_for_user(user: User, pk: int) -> tuple[OutgoingEmail, bool]:
    """An e-mail of the outbox and whether the user may send it again; 404 for everyone who does not see it."""
    email = get_object_or_404(visible_outgoing_emails(user).select_related("user"), pk=pk)
    return email, can_resend(user)


def visible_notification_settings(user: User) -> QuerySet[NotificationSettings]:
    """A user's preferences are their own: nobody reads or chooses them for someone else, the admin included."""
    if not _signed_in(user):
        return NotificationSettings.objects.none()
    return NotificationSettings.objects.filter(user_id=user.pk)
