"""Demo messages and events: threads between parents and the teachers of their children, a class teacher's
broadcast about a parents' meeting, and the school's and classes' events of the year.

Written in bulk (as the rest of the demo seed is), deterministic (a fixed random seed), and within the rules of
the services: each thread is between a family and someone the family may write to (the child's teacher of the
current year, the class teacher, the administration); the unread counts are what the services would have kept;
nothing is dated after ``today``'s morning. No e-mail is queued for demo messages.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role, Sex
from accounts.models import ParentChild, PupilProfile, User
from journal.models import SchoolClass, SchoolYear, StudyPeriod, Subgroup, TeachingAssignment

from ..choices import BroadcastAudience, EventKind
from ..models import Broadcast, Event, Message, Thread, ThreadParticipant

SEED = 20261001
FAMILY_THREADS = 36
HISTORY_REASON = "Демонстрационные данные"

FAMILY, STAFF = "family", "staff"
TEACHER, CLASS_TEACHER, DEPUTY = "teacher", "class_teacher", "deputy"


@dataclass(frozen=True)
class Dialogue:
    """A believable exchange: whom the family talks to, the subject, and the messages in order (who, text)."""

    to: str
    subject: str
    lines: tuple[tuple[str, str], ...]


# {child}: the child's first name; {subject}: a subject the teacher teaches the child; {ill}/{missed}/{got}/{said}/
# {lost}/{wrote}: verbs agreeing with the child's sex; {name}: the teacher's first name and patronymic.
DIALOGUES: tuple[Dialogue, ...] = (
    Dialogue(
        TEACHER,
        "Пропущенная контрольная работа",
        (
            (
                FAMILY,
                "Здравствуйте, {name}! {child} {ill} на прошлой неделе и {missed} контрольную работу "
                "(«{subject}»). Можно ли написать её позже?",
            ),
            (
                STAFF,
                "Здравствуйте! Да, конечно. Пусть {child} подойдёт в четверг после шестого урока, "
                "работу можно будет написать в моём кабинете.",
            ),
            (FAMILY, "Спасибо большое, передам."),
        ),
    ),
    Dialogue(
        TEACHER,
        "Домашнее задание на завтра",
        (
            (
                FAMILY,
                "Добрый вечер! {child} не {wrote} домашнее задание («{subject}»). Подскажите, пожалуйста, что задано?",
            ),
            (
                STAFF,
                "Добрый вечер. Задание есть в дневнике: повторить параграф и выполнить упражнения в рабочей тетради. "
                "Если что-то будет непонятно — пусть спросит на уроке.",
            ),
        ),
    ),
    Dialogue(
        TEACHER,
        "Отметка за самостоятельную работу",
        (
            (
                FAMILY,
                "Здравствуйте, {name}. {child} {got} «3» за самостоятельную работу («{subject}»). "
                "Подскажите, какие были ошибки и как их исправить?",
            ),
            (
                STAFF,
                "Здравствуйте. Ошибки в основном по невнимательности, тему {child} понимает. На следующей неделе "
                "будет ещё одна работа — можно улучшить результат. Могу дать дополнительные задания для тренировки.",
            ),
            (FAMILY, "Да, будем благодарны за задания. Спасибо!"),
            (STAFF, "Карточку с заданиями {child} принесёт домой завтра."),
        ),
    ),
    Dialogue(
        CLASS_TEACHER,
        "Справка после болезни",
        (
            (
                FAMILY,
                "Здравствуйте! {child} с понедельника на больничном. Справку принесём, как только выпишут; "
                "домашние задания смотрим в дневнике.",
            ),
            (STAFF, "Здравствуйте, спасибо, что предупредили. Выздоравливайте! Справку передайте мне в первый день."),
        ),
    ),
    Dialogue(
        CLASS_TEACHER,
        "Экскурсия в краеведческий музей",
        (
            (
                STAFF,
                "Добрый день! В субботу класс едет на экскурсию в краеведческий музей, выезд от школы в 9:30. "
                "Нужно письменное согласие родителей до среды. Поедет ли {child}?",
            ),
            (FAMILY, "Добрый день! Да, {child} поедет, согласие передадим завтра."),
        ),
    ),
    Dialogue(
        CLASS_TEACHER,
        "Изменение в расписании",
        (
            (FAMILY, "Здравствуйте! Правда ли, что завтра уроки начинаются со второго урока? {child} так {said}."),
            (STAFF, "Здравствуйте! Да, первого урока завтра не будет, ребята приходят ко второму уроку, к 9:00."),
            (FAMILY, "Понятно, спасибо!"),
        ),
    ),
    Dialogue(
        DEPUTY,
        "Кружок робототехники",
        (
            (FAMILY, "Здравствуйте! Как записать {child} в кружок робототехники? Есть ли ещё места?"),
            (
                STAFF,
                "Добрый день. Места есть, занятия по вторникам и четвергам в 15:00. Напишите заявление на имя "
                "директора, бланк можно взять у секретаря.",
            ),
        ),
    ),
    Dialogue(
        TEACHER,
        "Муниципальный этап олимпиады",
        (
            (
                STAFF,
                "Добрый день! {child} успешно {wrote_olympiad} школьный этап олимпиады («{subject}») и проходит на "
                "муниципальный этап. Он будет в субботу в гимназии № 2, начало в 10:00, с собой паспорт или "
                "свидетельство о рождении и ручку.",
            ),
            (FAMILY, "Какая хорошая новость, спасибо! Обязательно будем."),
        ),
    ),
    Dialogue(
        TEACHER,
        "Учебник",
        (
            (
                FAMILY,
                "Здравствуйте! {child} {lost} учебник («{subject}»). Можно ли взять другой в библиотеке или нужно "
                "покупать?",
            ),
            (
                STAFF,
                "Здравствуйте. Подойдите в школьную библиотеку, там есть запасные экземпляры. Если учебник найдётся, "
                "верните, пожалуйста, один из них.",
            ),
        ),
    ),
    Dialogue(
        CLASS_TEACHER,
        "Поведение на перемене",
        (
            (
                STAFF,
                "Добрый день. Сегодня на перемене {child} бегал{a} по лестнице и упал{a}, к счастью, без травм. "
                "Пожалуйста, поговорите дома о правилах поведения на переменах.",
            ),
            (FAMILY, "Спасибо, что сообщили. Обязательно поговорим."),
        ),
    ),
    Dialogue(
        TEACHER,
        "Консультация перед контрольной",
        (
            (FAMILY, "Здравствуйте! Будет ли консультация перед контрольной работой? {child} хочет разобрать задачи."),
            (STAFF, "Здравствуйте. Да, в среду после седьмого урока. Приходите все желающие."),
        ),
    ),
    Dialogue(
        CLASS_TEACHER,
        "Питание в столовой",
        (
            (FAMILY, "Здравствуйте! С понедельника {child} будет обедать в школьной столовой. Как оплатить обеды?"),
            (STAFF, "Здравствуйте! Оплата через личный кабинет школьного питания; номер лицевого счёта выдам завтра."),
            (FAMILY, "Спасибо!"),
        ),
    ),
)

BROADCAST_SUBJECT = "Родительское собрание"
BROADCAST_TEXT = (
    "Уважаемые родители!\n"
    "Приглашаю вас на родительское собрание {date} в 18:30 в нашем кабинете.\n"
    "Повестка: итоги первой четверти, подготовка к контрольным работам второй четверти, "
    "организация новогоднего праздника.\n"
    "Пожалуйста, подтвердите участие ответом на это сообщение.\n"
    "С уважением, {teacher}, классный руководитель {school_class}."
)
BROADCAST_REPLIES = (
    "Добрый вечер! Спасибо, буду.",
    "Здравствуйте, придём вдвоём с мужем.",
    "К сожалению, не смогу прийти — работаю во вторую смену. Можно ли потом узнать итоги?",
    "Спасибо за приглашение, приду.",
    "Добрый день! Подтверждаю, буду.",
)
BROADCAST_ANSWER = "Конечно. Позвоните мне в четверг после 15:00, всё расскажу."


def _verbs(sex: str) -> dict[str, str]:
    female = sex == Sex.FEMALE
    ending = "а" if female else ""
    return {
        "ill": "болела" if female else "болел",
        "missed": "пропустила" if female else "пропустил",
        "got": "получила" if female else "получил",
        "said": "сказала" if female else "сказал",
        "lost": "потеряла" if female else "потерял",
        "wrote": "записала" if female else "записал",
        "wrote_olympiad": "написала" if female else "написал",
        "a": ending,
    }


class _Writer:
    """Collects threads with their participants and messages, then writes them in bulk with past timestamps."""

    def __init__(self, school_id: int) -> None:
        self.school_id = school_id
        self.threads: list[Thread] = []
        self.participants: list[list[ThreadParticipant]] = []
        self.messages: list[list[tuple[int, str, dt.datetime]]] = []

    def add(
        self,
        *,
        subject: str,
        creator: int,
        participants: list[int],
        posts: list[tuple[int, str, dt.datetime]],
        pupil_id: int | None,
        read_by: set[int],
        broadcast: Broadcast | None = None,
    ) -> None:
        """``posts`` in order; a participant in ``read_by`` has read everything, the others what came before their
        own last message (as the services count: each message is unread for everyone but its sender)."""
        self.threads.append(
            Thread(
                school_id=self.school_id,
                subject=subject,
                pupil_id=pupil_id,
                broadcast=broadcast,
                created_by_id=creator,
                created_at=posts[0][2],
                last_message_at=posts[-1][2],
            )
        )
        rows = []
        for user_id in participants:
            own = [index for index, (sender, _text, _at) in enumerate(posts) if sender == user_id]
            if user_id in read_by:
                unread, read_at = 0, posts[-1][2]
            else:
                start = own[-1] + 1 if own else 0
                unread = len(posts) - start
                read_at = posts[own[-1]][2] if own else None
            rows.append(ThreadParticipant(user_id=user_id, unread=unread, last_read_at=read_at))
        self.participants.append(rows)
        self.messages.append(posts)

    def write(self) -> tuple[int, int]:
        created_at = [thread.created_at for thread in self.threads]
        Thread.objects.bulk_create(self.threads)
        participants, messages = [], []
        for thread, rows, posts in zip(self.threads, self.participants, self.messages, strict=True):
            for row in rows:
                row.thread = thread
                participants.append(row)
            messages.extend(Message(thread=thread, sender_id=sender, text=text) for sender, text, _at in posts)
        ThreadParticipant.objects.bulk_create(participants)
        Message.objects.bulk_create(messages)
        # auto_now_add stamps "now" on create: the demo's past dates are put back with an update.
        for thread, at in zip(self.threads, created_at, strict=True):
            thread.created_at = at
        Thread.objects.bulk_update(self.threads, ["created_at"], batch_size=500)
        stamps = iter(at for posts in self.messages for _sender, _text, at in posts)
        for message in messages:
            message.created_at = next(stamps)
        Message.objects.bulk_update(messages, ["created_at"], batch_size=500)
        return len(self.threads), len(messages)


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _daytime(at: dt.datetime, rng: random.Random) -> dt.datetime:
    """People write between 7:00 and 22:00: a later time moves to the next morning."""
    local = timezone.localtime(at)
    if 7 <= local.hour < 22:
        return at
    day = local.date() + dt.timedelta(days=1) if local.hour >= 22 else local.date()
    return _at(day, rng.randint(7, 9), rng.randint(0, 59))


def _posts(
    rng: random.Random, dialogue: Dialogue, family_id: int, staff_id: int, start: dt.datetime, limit: dt.datetime, **fmt
) -> list[tuple[int, str, dt.datetime]]:
    posts, at = [], start
    for position, (side, template) in enumerate(dialogue.lines):
        if position:
            at = _daytime(at + dt.timedelta(minutes=rng.randint(25, 20 * 60)), rng)
        if at > limit:
            break
        posts.append((family_id if side == FAMILY else staff_id, template.format(**fmt), at))
    return posts


def seed_messages(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Threads of parents (and a pupil) with teachers, a broadcast to 7 «А» parents, the year's events."""
    rng = random.Random(SEED)
    school = year.school
    limit = _at(today, 8, 0)  # nothing after this morning: the demo parent opens the inbox to something new
    writer = _Writer(school.pk)
    deputy = User.objects.filter(school=school, role=Role.DEPUTY).order_by("pk").first() or actor

    classes = {c.pk: c for c in SchoolClass.objects.filter(year=year).select_related("class_teacher")}
    assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for assignment in TeachingAssignment.objects.filter(year=year).select_related("subject", "teacher"):
        assignments[assignment.school_class_id].append(assignment)
    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(subgroup__school_class__year=year).values_list(
        "subgroup_id", "pupilprofile_id"
    ):
        members[subgroup_id].add(pupil_id)
    class_of = dict(
        PupilProfile.objects.filter(enrollments__school_class__year=year)
        .filter(Q(enrollments__date_to__isnull=True) | Q(enrollments__date_to__gte=today))
        .values_list("pk", "enrollments__school_class_id")
    )

    def teachers_of(pupil_id: int) -> list[TeachingAssignment]:
        return [
            a for a in assignments[class_of[pupil_id]] if a.subgroup_id is None or pupil_id in members[a.subgroup_id]
        ]

    def thread_for(
        parent_user: User,
        pupil: PupilProfile,
        dialogue: Dialogue,
        days_ago: int,
        *,
        read_by: set[int],
        teacher: str = "",
    ) -> bool:
        school_class = classes[class_of[pupil.pk]]
        subject_name = ""
        if dialogue.to == TEACHER:
            options = teachers_of(pupil.pk)
            preferred = [a for a in options if a.teacher.username == teacher]
            if not options:
                return False
            assignment = preferred[0] if preferred else rng.choice(options)
            staff, subject_name = assignment.teacher, assignment.subject.name
        elif dialogue.to == CLASS_TEACHER:
            staff = school_class.class_teacher
            if staff is None:
                return False
        else:
            staff = deputy
        start = _at(today - dt.timedelta(days=days_ago), rng.randint(8, 20), rng.choice((5, 12, 20, 37, 48)))
        fmt = {
            "child": pupil.user.first_name,
            "subject": subject_name,
            "name": f"{staff.first_name} {staff.middle_name}".strip(),
            **_verbs(pupil.sex),
        }
        posts = _posts(rng, dialogue, parent_user.pk, staff.pk, start, limit, **fmt)
        if not posts:
            return False
        creator = posts[0][0]
        writer.add(
            subject=dialogue.subject,
            creator=creator,
            participants=[creator, staff.pk if creator == parent_user.pk else parent_user.pk],
            posts=posts,
            pupil_id=pupil.pk,
            read_by=read_by,
        )
        return True

    # The demo parent: several conversations about both children, the newest ones not read yet.
    demo_parent = User.objects.filter(username="parent", school=school).first()
    if demo_parent is not None:
        children = [
            child
            for child in PupilProfile.objects.filter(parent_links__parent__user=demo_parent)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
            if child.pk in class_of
        ]
        by_subject = {dialogue.subject: dialogue for dialogue in DIALOGUES}
        plan = [  # (dialogue, which child, days ago, read by the parent, the demo teacher when it fits)
            ("Отметка за самостоятельную работу", 0, 9, True, "teacher"),
            ("Справка после болезни", 0, 24, True, ""),
            ("Муниципальный этап олимпиады", -1, 2, False, ""),  # from the teacher, not read yet
            ("Экскурсия в краеведческий музей", -1, 1, False, ""),
            ("Кружок робототехники", 0, 15, True, ""),
        ]
        for subject, child_index, days_ago, read, teacher in plan:
            if not children:
                break
            child = children[child_index % len(children)]
            dialogue = by_subject[subject]
            if not read:
                dialogue = Dialogue(dialogue.to, dialogue.subject, dialogue.lines[:1])  # the school wrote first
            read_by = {demo_parent.pk} if read else set()
            thread_for(demo_parent, child, dialogue, days_ago, read_by=read_by, teacher=teacher)
    # The other demo parent asks the demo teacher, who has not read it yet.
    demo_parent2 = User.objects.filter(username="parent2", school=school).first()
    if demo_parent2 is not None:
        child = PupilProfile.objects.filter(parent_links__parent__user=demo_parent2).select_related("user").first()
        if child is not None and child.pk in class_of:
            dialogue = next(d for d in DIALOGUES if d.subject == "Консультация перед контрольной")
            dialogue = Dialogue(dialogue.to, dialogue.subject, dialogue.lines[:1])
            thread_for(demo_parent2, child, dialogue, 1, read_by={demo_parent2.pk}, teacher="teacher")

    # A pupil writes to a teacher too (the demo pupil).
    demo_pupil = User.objects.filter(username="pupil", school=school, role=Role.PUPIL).select_related("pupil").first()
    if demo_pupil is not None and demo_pupil.pupil.pk in class_of:
        options = teachers_of(demo_pupil.pupil.pk)
        if options:
            assignment = options[0]
            start = _at(today - dt.timedelta(days=4), 17, 40)
            posts = [
                (
                    demo_pupil.pk,
                    f"Здравствуйте! Можно ли подготовить доклад к следующему уроку («{assignment.subject.name}»)?",
                    start,
                ),
                (
                    assignment.teacher_id,
                    "Здравствуй! Да, конечно. Тему выбери сам, выступление не дольше 5 минут.",
                    start + dt.timedelta(hours=15),
                ),
            ]
            writer.add(
                subject="Доклад к уроку",
                creator=demo_pupil.pk,
                participants=[demo_pupil.pk, assignment.teacher_id],
                posts=[post for post in posts if post[2] <= limit],
                pupil_id=demo_pupil.pupil.pk,
                read_by={demo_pupil.pk},
            )

    # Other families of the school: believable threads with the teachers of their children.
    links = list(
        ParentChild.objects.filter(pupil_id__in=class_of)
        .exclude(parent__user__username__in=["parent", "parent2"])
        .select_related("parent__user", "pupil__user")
        .order_by("pk")
    )
    rng.shuffle(links)
    written = 0
    for link in links:
        if written >= FAMILY_THREADS:
            break
        dialogue = rng.choice(DIALOGUES)
        read = rng.random() < 0.7
        parent_user = link.parent.user
        if thread_for(
            parent_user, link.pupil, dialogue, rng.randint(1, 40), read_by={parent_user.pk} if read else set()
        ):
            written += 1

    threads, messages = writer.write()
    broadcasts, broadcast_threads, broadcast_messages = _seed_broadcast(rng, year, today, limit)
    events = _seed_events(rng, year, today, actor, deputy, list(classes.values()))
    return {
        "threads": threads + broadcast_threads,
        "messages": messages + broadcast_messages,
        "broadcasts": broadcasts,
        "events": events,
    }


def _meeting_day(today: dt.date) -> dt.date:
    """The Thursday of next week: the parents' meeting the class teacher invites to."""
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    return monday + dt.timedelta(days=3)


def _seed_broadcast(rng: random.Random, year: SchoolYear, today: dt.date, limit: dt.datetime) -> tuple[int, int, int]:
    """The class teacher of 7 «А» invites its parents to a meeting; some answer, privately."""
    school_class = (
        SchoolClass.objects.filter(year=year, grade=7, class_teacher__isnull=False)
        .select_related("class_teacher")
        .order_by("letter")
        .first()
    )
    if school_class is None:
        return 0, 0, 0
    teacher = school_class.class_teacher
    pupils = dict(
        school_class.enrollments.filter(Q(date_to__isnull=True) | Q(date_to__gte=today)).values_list(
            "pupil_id", "pupil__user__last_name"
        )
    )
    recipients: dict[int, int] = {}
    for parent_user_id, pupil_id in (
        ParentChild.objects.filter(pupil_id__in=pupils)
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pk")
        .values_list("parent__user_id", "pupil_id")
    ):
        recipients.setdefault(parent_user_id, pupil_id)
    if not recipients:
        return 0, 0, 0
    sent_at = min(_at(today - dt.timedelta(days=3), 19, 15), limit)
    text = BROADCAST_TEXT.format(
        date=f"{_meeting_day(today):%d.%m.%Y}",
        teacher=f"{teacher.first_name} {teacher.middle_name}".strip(),
        school_class=school_class,
    )
    broadcast = Broadcast.objects.create(
        school=year.school,
        school_class=school_class,
        audience=BroadcastAudience.PARENTS,
        sender=teacher,
        subject=BROADCAST_SUBJECT,
        text=text,
        recipients=len(recipients),
    )
    Broadcast.objects.filter(pk=broadcast.pk).update(created_at=sent_at)
    writer = _Writer(year.school_id)
    demo_parent_id = User.objects.filter(username="parent").values_list("pk", flat=True).first()
    for position, (parent_user_id, pupil_id) in enumerate(recipients.items()):
        posts = [(teacher.pk, text, sent_at)]
        read_by = {teacher.pk}
        if parent_user_id != demo_parent_id and rng.random() < 0.35:
            reply_at = _daytime(sent_at + dt.timedelta(minutes=rng.randint(20, 36 * 60)), rng)
            if reply_at <= limit:
                posts.append((parent_user_id, BROADCAST_REPLIES[position % len(BROADCAST_REPLIES)], reply_at))
                read_by = {parent_user_id} if rng.random() < 0.6 else {parent_user_id, teacher.pk}
                if "не смогу" in posts[-1][1] and reply_at + dt.timedelta(hours=2) <= limit:
                    posts.append((teacher.pk, BROADCAST_ANSWER, reply_at + dt.timedelta(hours=2)))
                    read_by = {teacher.pk}
        writer.add(
            subject=BROADCAST_SUBJECT,
            creator=teacher.pk,
            participants=[teacher.pk, parent_user_id],
            posts=posts,
            pupil_id=pupil_id,
            read_by=read_by,
            broadcast=broadcast,
        )
    threads, messages = writer.write()
    return 1, threads, messages


def _seed_events(
    rng: random.Random, year: SchoolYear, today: dt.date, admin: User, deputy: User, classes: list[SchoolClass]
) -> int:
    """School-wide events and announcements through the year, and each class's parents' meetings and outings."""
    start, end = year.start_date, year.end_date
    quarters = list(StudyPeriod.objects.filter(year=year, kind="quarter").order_by("number"))

    def on(month: int, day: int) -> dt.date:
        return dt.date(start.year if month >= 9 else end.year, month, day)

    def weekday_after(day: dt.date, weekday: int) -> dt.date:
        return day + dt.timedelta(days=(weekday - day.weekday()) % 7)

    events: list[Event] = []

    def school_event(day, title, *, author=admin, kind=EventKind.EVENT, at=None, place="", text="", until=None):
        events.append(
            Event(
                school=year.school,
                kind=kind,
                title=title,
                text=text,
                starts_on=day,
                ends_on=until,
                starts_at=at,
                place=place,
                created_by=author,
            )
        )

    school_event(on(9, 1), "День знаний: торжественная линейка", at=dt.time(9, 0), place="школьный двор")
    school_event(
        on(9, 25),
        "Школьный этап всероссийской олимпиады школьников",
        author=deputy,
        until=on(10, 20),
        text="Расписание по предметам — на стенде у учительской. Участвуют все желающие 4–11 классов.",
    )
    school_event(
        weekday_after(on(10, 3), 4), "День учителя: праздничный концерт", at=dt.time(13, 0), place="актовый зал"
    )
    school_event(
        weekday_after(on(10, 12), 0),
        "Фотографирование классов",
        kind=EventKind.ANNOUNCEMENT,
        text="Фотограф работает по графику классных руководителей. Форма — парадная.",
    )
    if quarters:
        first_end = quarters[0].end_date
        school_event(
            first_end + dt.timedelta(days=1),
            "Осенние каникулы",
            kind=EventKind.ANNOUNCEMENT,
            until=quarters[1].start_date - dt.timedelta(days=1) if len(quarters) > 1 else None,
        )
    school_event(
        weekday_after(on(11, 10), 2),
        "Муниципальный этап олимпиады по математике",
        author=deputy,
        at=dt.time(10, 0),
        place="гимназия № 2",
    )
    school_event(
        weekday_after(on(11, 16), 1),
        "Вакцинация против гриппа",
        kind=EventKind.ANNOUNCEMENT,
        text="По письменному согласию родителей. Бланки согласия — у классных руководителей.",
        place="медицинский кабинет",
    )
    school_event(weekday_after(on(12, 1), 5), "День открытых дверей", at=dt.time(11, 0))
    school_event(on(12, 24), "Новогодний концерт", at=dt.time(15, 0), place="актовый зал")
    school_event(on(2, 20), "Смотр строя и песни ко Дню защитника Отечества", at=dt.time(12, 0), place="спортзал")
    school_event(on(3, 6), "Праздничный концерт к 8 Марта", at=dt.time(14, 0), place="актовый зал")
    school_event(
        weekday_after(on(4, 13), 5),
        "Всероссийские проверочные работы",
        kind=EventKind.ANNOUNCEMENT,
        author=deputy,
        until=on(5, 16),
        text="График ВПР по классам и предметам — у классных руководителей.",
    )
    school_event(weekday_after(on(4, 20), 5), "Субботник: уборка пришкольной территории", at=dt.time(10, 0))
    school_event(on(5, 8), "Бессмертный полк и концерт ко Дню Победы", at=dt.time(11, 0), place="школьный двор")
    school_event(on(5, 25), "Последний звонок", at=dt.time(10, 0), place="школьный двор")

    outings = [
        ("Экскурсия в краеведческий музей", "краеведческий музей"),
        ("Поход в театр юного зрителя", "ТЮЗ"),
        ("Экскурсия на хлебозавод", "хлебозавод"),
        ("Классный час: профориентация", "кабинет класса"),
        ("Поездка в планетарий", "планетарий"),
    ]
    meeting_days = [weekday_after(on(9, 14), 3), weekday_after(on(12, 15), 3)]
    meeting_days.append(_meeting_day(today))
    for school_class in sorted(classes, key=lambda c: (c.grade, c.letter)):
        author = school_class.class_teacher or deputy
        for base in sorted(set(meeting_days)):
            # Each class teacher picks an evening of that week; 7 «А» meets on the day of the broadcast.
            day = (
                base
                if school_class.grade == 7 and base == meeting_days[-1]
                else base + dt.timedelta(days=rng.randint(-3, 1))
            )
            if not start <= day <= end:
                continue
            events.append(
                Event(
                    school=year.school,
                    school_class=school_class,
                    title="Родительское собрание",
                    starts_on=day,
                    starts_at=dt.time(18, 30),
                    place="кабинет класса",
                    created_by=author,
                )
            )
        if rng.random() < 0.5:
            title, place = rng.choice(outings)
            day = weekday_after(start + dt.timedelta(days=rng.randint(20, (end - start).days - 20)), 5)
            events.append(
                Event(
                    school=year.school,
                    school_class=school_class,
                    title=title,
                    starts_on=min(day, end),
                    starts_at=dt.time(10, 0),
                    place=place,
                    created_by=author,
                    is_cancelled=rng.random() < 0.1,
                )
            )
    events = [event for event in events if start - dt.timedelta(days=7) <= event.starts_on <= end]
    bulk_create_with_history(events, Event, default_user=admin, default_change_reason=HISTORY_REASON)
    return len(events)
