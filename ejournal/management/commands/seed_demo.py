"""``manage.py seed_demo``: fill an empty database with a believable demo school for the current school year.

The project orchestrates; each app builds its own part, lowest layer first: ``journal.demo`` the school, its
people, timetable and journal; ``diary.demo`` messages, events, e-mail choices and paper diaries; ``reports.demo``
the deputy's control of the journal (weekly remarks, a справка with acknowledgements).
"""

import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.choices import InfoForm, Role
from accounts.models import ParentChild, ParentProfile, PupilProfile, PupilUserObjectPermission, School, User
from diary import demo as diary_demo
from diary.models import Event, Message, OutgoingEmail, Thread
from journal import demo as journal_demo
from journal.demo import DEFAULT_PUPILS, DEMO_PASSWORD, FIXED_ACCOUNTS, FIXED_USERNAMES
from journal.models import (
    Attendance,
    CurriculumEntry,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    Room,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    Subgroup,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
    TimetableEntry,
)
from reports import demo as reports_demo
from reports.models import AuditRemark, AuditStatement, AuditStatementRecipient


def describe_account(user: User) -> str:
    """The role and, for the demo's main characters, what they see: «учитель: 5 «А», 6 «А»…»."""
    details = []
    if user.role == Role.TEACHER:
        led = ", ".join(str(c) for c in SchoolClass.objects.filter(class_teacher=user, year__promoted_at__isnull=True))
        if led:
            details.append(f"классный руководитель {led}")
        subjects = defaultdict(list)
        for assignment in user.assignments.filter(year__promoted_at__isnull=True).select_related(
            "school_class", "subject", "subgroup"
        ):
            group = f" ({assignment.subgroup.name})" if assignment.subgroup_id else ""
            subjects[assignment.subject.short_name].append(f"{assignment.school_class}{group}")
        details += [f"{subject}: {', '.join(dict.fromkeys(classes))}" for subject, classes in subjects.items()]
    elif user.role == Role.PUPIL:
        details += [
            str(e.school_class)
            for e in Enrollment.objects.filter(pupil__user=user).select_related("school_class").order_by("-date_from")
        ]
    elif user.role == Role.PARENT:
        for link in ParentChild.objects.filter(parent__user=user).select_related("pupil__user"):
            enrollment = link.pupil.enrollments.select_related("school_class").order_by("-date_from").first()
            details.append(f"{link.get_kind_display()}: {link.pupil.user.full_name}, {enrollment.school_class}")
    suffix = f" [{'; '.join(details)}]" if details else ""
    return f"{user.get_role_display()}, {user.full_name}{suffix}"


def row_counts() -> list[tuple[str, int]]:
    permissions = sum(
        model.objects.count()
        for model in (
            TeachingAssignmentUserObjectPermission,
            SchoolClassUserObjectPermission,
            PupilUserObjectPermission,
        )
    )
    return [
        ("школы", School.objects.count()),
        ("учебные годы", SchoolYear.objects.count()),
        ("пользователи", User.objects.count()),
        ("учителя", User.objects.filter(role=Role.TEACHER).count()),
        ("учащиеся", PupilProfile.objects.count()),
        ("родители", ParentProfile.objects.count()),
        ("связи родитель–ребёнок", ParentChild.objects.count()),
        ("классы", SchoolClass.objects.count()),
        ("подгруппы", Subgroup.objects.count()),
        ("строки учебного плана", CurriculumEntry.objects.count()),
        ("учебная нагрузка", TeachingAssignment.objects.count()),
        ("зачисления", Enrollment.objects.count()),
        ("кабинеты", Room.objects.count()),
        ("уроки в недельном расписании", TimetableEntry.objects.count()),
        ("уроки на год (журнал)", Lesson.objects.count()),
        ("уроки с записью (тема)", Lesson.objects.exclude(topic="").count()),
        ("отметки", Mark.objects.count()),
        ("пропуски и опоздания", Attendance.objects.count()),
        ("домашние задания", Homework.objects.count()),
        ("переписки", Thread.objects.count()),
        ("сообщения", Message.objects.count()),
        ("события и объявления", Event.objects.count()),
        ("письма в очереди и отправленные", OutgoingEmail.objects.count()),
        ("замечания по журналу (открытые)", AuditRemark.objects.filter(closed_at__isnull=True).count()),
        ("замечания по журналу (снятые)", AuditRemark.objects.filter(closed_at__isnull=False).count()),
        ("справки по итогам проверки", AuditStatement.objects.count()),
        (
            "ознакомлены со справкой",
            AuditStatementRecipient.objects.filter(acknowledged_at__isnull=False).count(),
        ),
        ("родители с бумажным дневником", ParentProfile.objects.filter(info_form=InfoForm.PAPER).count()),
        ("объектные права (guardian)", permissions),
    ]


class Command(BaseCommand):
    help = "Создаёт демонстрационную школу на текущий учебный год (пустая база; пароль всех учётных записей demo12345)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pupils", type=int, default=DEFAULT_PUPILS, help=f"всего учащихся (по умолчанию {DEFAULT_PUPILS})"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в базе уже есть школа или учебный год"
        )
        parser.add_argument(
            "--no-timetable", action="store_true", help="без расписания и уроков (для замеров их построения)"
        )
        parser.add_argument(
            "--past-year",
            action="store_true",
            help="сразу и прошлый учебный год, закрытый, с переводом (make run строит его в фоне: seed_demo_past)",
        )

    def handle(
        self,
        *args: object,
        pupils: int,
        if_empty: bool,
        no_timetable: bool = False,
        past_year: bool = False,
        **options: object,
    ) -> None:
        taken = sorted(User.objects.filter(username__in=FIXED_USERNAMES).values_list("username", flat=True))
        if School.objects.exists() or SchoolYear.objects.exists() or taken:
            message = "База не пуста (есть школа, учебный год или пользователи " + ", ".join(taken or ["—"]) + ")"
            if if_empty:
                self.stdout.write(f"{message}: демонстрационные данные не создаются.")
                return
            raise CommandError(f"{message}. seed_demo заполняет только пустую базу.")
        started = time.perf_counter()
        with transaction.atomic():
            # Each app adds its own part, lowest layer first.
            try:
                built = journal_demo.seed(pupils=pupils, today=timezone.localdate(), timetable=not no_timetable)
            except ValueError as error:  # a size the demo school cannot be built with
                raise CommandError(str(error)) from error
            # The diary's side: messages and events, families' e-mail choices, paper diaries and consents.
            diary_demo.seed(year=built.year, today=built.today, actor=built.admin)
            # The deputy's control: last weeks' remarks, November's справка (over the journal's planted lapses).
            reports_demo.seed(school=built.school, today=built.today)
        if past_year and not no_timetable:  # last year, closed, its pupils promoted into this one
            journal_demo.seed_past_year(current=built.year, actor=built.admin)
        elapsed = time.perf_counter() - started

        out = self.stdout
        out.write(f"Демонстрационная школа: {built.school.name}, {built.year.name} учебный год.")
        out.write(f"Учётные записи (пароль у всех: {DEMO_PASSWORD}):")
        for username in FIXED_ACCOUNTS:
            out.write(f"  {username:<13} {describe_account(User.objects.get(username=username))}")
        out.write("  t001…, p0001…, r0001… — остальные учителя, учащиеся и родители")
        out.write("Создано строк:")
        for label, count in row_counts():
            out.write(f"  {label:<32} {count}")
        if built.hours_unplaced:
            out.write(f"Не удалось поставить в расписание часов: {built.hours_unplaced}")
        out.write(f"Время: {elapsed:.2f} с")
