"""The calendar-thematic plan (КТП) of an assignment: topics by hand, from a CSV/XLSX file, copied; applied to lessons.

The teacher enters the КТП [001 §3.2.1, 002 §4.4.7]; we let the class teacher, who keeps the class's whole journal
[003 §4.4], write it too. Never in a closed year.
A line may carry the planned homework and kind of work (or control) of its lessons: the lesson record of a lesson
not recorded yet opens with them filled in (``journal.forms.grid.LessonRecordForm``), and what the teacher saves
there is the lesson's own record; nothing here writes lessons' homework or kinds of work.
Topics are numbered 1..n without gaps (№ п/п). Replacing the whole plan (an import or a copy) rewrites the
lines in place and unlinks the lessons from the old plan: a lesson that was held keeps its topic as text (the
record stands), a lesson not held yet loses the topic it had only from the old plan (a topic typed by the
teacher stays), so that ``plan_apply_topics`` can lay the new plan over the lessons again.

The import has no model of its own: ``plan_import_check`` reads and checks a file without writing (the
preview); the page keeps the uploaded file in the session and ``plan_import`` reads it again on
confirmation, refuses it if any row has a problem, and replaces the plan in one transaction. The file is read by
``journal.services.imports.reading.read_rows``, the same reader as the lists of pupils, within ``IMPORT_LIMITS``.
"""

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from journal.services.imports.reading import Limits, read_rows

from ..dates import safe_int
from ..models import Attendance, Homework, Lesson, Mark, PlanTopic, TeachingAssignment, WorkType
from .period_marks import can_keep_journal
from .structure import ensure_year_writable

# A КТП is at most ~400 lines (a subject of 5 hours a week is 170 lessons); the file is kept in the session between
# the preview and the confirmation, so it stays small.
MAX_FILE_SIZE = 1024 * 1024
MAX_TOPICS = 500
MAX_LINES = 1000  # lines read: headings of sections, titles and empty lines too
MAX_COLUMNS = 30  # school templates add dates, homework, kinds of control, results…
MAX_CELL = 4000  # a column such as «Планируемые результаты» holds a paragraph; a topic itself is at most 500
MAX_TEXT = 2_000_000
IMPORT_LIMITS = Limits(
    max_bytes=MAX_FILE_SIZE, max_lines=MAX_LINES, max_columns=MAX_COLUMNS, max_cell=MAX_CELL, max_text=MAX_TEXT
)
HEADER_SEARCH_ROWS = 6
ORDER_OFFSET = 1_000_000  # renumbering passes through numbers no plan reaches, so (assignment, order) stays unique
TITLE_MAX = PlanTopic._meta.get_field("title").max_length
SECTION_MAX = PlanTopic._meta.get_field("section").max_length
HOMEWORK_MAX = 2000  # a planned homework: pages and exercises, a line or two


# --- who may write ------------------------------------------------------------------------------------


def ensure_plan_editor(actor: User, assignment: TeachingAssignment) -> None:
    ensure_year_writable(assignment.year)
    if not can_keep_journal(actor, assignment):
        raise PermissionDenied(_("Изменять КТП могут только учитель этого предмета и классный руководитель."))


def _lock(assignment: TeachingAssignment) -> None:
    """Serialise plan writes of one assignment (two tabs, two people): the row lock lasts until the commit."""
    # order_by(): the default ordering would join (outer) tables that FOR UPDATE cannot lock on PostgreSQL
    list(TeachingAssignment.objects.select_for_update().filter(pk=assignment.pk).order_by().values_list("pk"))


# --- what counts as a held lesson -----------------------------------------------------------------------


def lesson_held() -> Q:
    """A lesson that took place in the journal: its record was saved, its register taken, or it has marks,
    attendance or homework."""
    lesson = OuterRef("pk")
    return (
        Q(recorded_at__isnull=False)
        | Q(attendance_taken_at__isnull=False)
        | Q(Exists(Mark.objects.filter(lesson=lesson)))
        | Q(Exists(Attendance.objects.filter(lesson=lesson)))
        | Q(Exists(Homework.objects.filter(lesson=lesson)))
    )


def with_held(queryset):
    return queryset.annotate(held=ExpressionWrapper(lesson_held(), output_field=BooleanField()))


# --- checking a topic -----------------------------------------------------------------------------------


def _clean_text(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _clean_homework(text: str | None) -> str:
    """A planned homework keeps its lines (§ 12, № 3–5 / повторить правило), each with single spaces."""
    lines = (" ".join(line.split()) for line in str(text or "").replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _check_planned(homework: str, work_type: WorkType | None, assignment: TeachingAssignment) -> None:
    if len(homework) > HOMEWORK_MAX:
        raise ValidationError(_("Домашнее задание слишком длинное: не больше %(n)s знаков.") % {"n": HOMEWORK_MAX})
    if work_type is not None and work_type.school_id != assignment.year.school_id:
        raise ValidationError(_("Этот вид работы относится к другой школе."))


def _check_topic(title: str, hours: int, section: str) -> None:
    if not title:
        raise ValidationError(_("Укажите тему."))
    if len(title) > TITLE_MAX:
        raise ValidationError(_("Тема слишком длинная: не больше %(n)s знаков.") % {"n": TITLE_MAX})
    if len(section) > SECTION_MAX:
        raise ValidationError(_("Название раздела слишком длинное: не больше %(n)s знаков.") % {"n": SECTION_MAX})
    if not isinstance(hours, int) or isinstance(hours, bool) or hours < 1 or hours > 100:
        raise ValidationError(_("Число часов — целое число от 1 до 100."))


def _renumber(actor: User, assignment: TeachingAssignment, topics: list[PlanTopic]) -> None:
    """Number ``topics`` 1..n in list order and save every row that changed (order, section, title, hours, planned
    homework, kind of work).

    New rows (no pk) are inserted with their number; changed rows get one history record each.
    """
    fields = ("order", "section", "title", "hours", "homework", "work_type_id")
    stored = {row[0]: row[1:] for row in PlanTopic.objects.filter(assignment=assignment).values_list("pk", *fields)}
    for number, topic in enumerate(topics, start=1):
        topic.order = number
    changed = [t for t in topics if t.pk and stored.get(t.pk) != tuple(getattr(t, f) for f in fields)]
    renumbered = [t.pk for t in changed if stored[t.pk][0] != t.order]
    if renumbered:
        # Move them out of the way first: (assignment, order) is unique and checked row by row.
        PlanTopic.objects.filter(pk__in=renumbered).update(order=F("order") + ORDER_OFFSET)
    bulk_update_with_history(changed, PlanTopic, [f.removesuffix("_id") for f in fields], default_user=actor)
    new = [t for t in topics if not t.pk]
    for topic in new:
        topic.full_clean(exclude=["assignment"], validate_constraints=False)
    bulk_create_with_history(new, PlanTopic, default_user=actor)


# --- topics by hand ---------------------------------------------------------------------------------------


class _Keep:
    """``work_type`` not passed: leave it (None clears it)."""


KEEP = _Keep()


@transaction.atomic
def plan_topic_add(
    *,
    actor: User,
    assignment: TeachingAssignment,
    title: str,
    hours: int = 1,
    section: str = "",
    position: int | None = None,
    homework: str = "",
    work_type: WorkType | None = None,
) -> PlanTopic:
    """Add a topic at the end of the plan, or before the topic with № ``position``, with its planned homework and
    kind of work (optional)."""
    ensure_plan_editor(actor, assignment)
    title, section, homework = _clean_text(title), _clean_text(section), _clean_homework(homework)
    _check_topic(title, hours, section)
    _check_planned(homework, work_type, assignment)
    _lock(assignment)
    topics = list(PlanTopic.objects.filter(assignment=assignment).order_by("order"))
    if len(topics) >= MAX_TOPICS:
        raise ValidationError(_("В КТП не может быть больше %(n)s тем.") % {"n": MAX_TOPICS})
    index = len(topics) if position is None else min(max(position, 1), len(topics) + 1) - 1
    topic = PlanTopic(
        assignment=assignment,
        order=index + 1,
        title=title,
        hours=hours,
        section=section,
        homework=homework,
        work_type=work_type,
    )
    topics.insert(index, topic)
    _renumber(actor, assignment, topics)
    return PlanTopic.objects.get(assignment=assignment, order=index + 1)


@transaction.atomic
def plan_topic_update(
    *,
    actor: User,
    topic: PlanTopic,
    title: str | None = None,
    hours: int | None = None,
    section: str | None = None,
    homework: str | None = None,
    work_type: WorkType | _Keep | None = KEEP,
) -> PlanTopic:
    """Change a topic (None, or ``work_type`` not passed, leaves a field); lessons that took its title from the plan
    and were not held yet follow the new title. The planned homework and kind of work only fill in the lesson
    record of a lesson not recorded yet (``LessonRecordForm``): a lesson's own record is never changed here."""
    assignment = topic.assignment
    ensure_plan_editor(actor, assignment)
    _lock(assignment)
    topic.refresh_from_db()  # the caller's copy may predate a reordering
    old_title = topic.title
    new_title = old_title if title is None else _clean_text(title)
    new_hours = topic.hours if hours is None else hours
    new_section = topic.section if section is None else _clean_text(section)
    new_homework = topic.homework if homework is None else _clean_homework(homework)
    keep_kind = isinstance(work_type, _Keep)
    _check_topic(new_title, new_hours, new_section)
    _check_planned(new_homework, None if keep_kind else work_type, assignment)
    topic.title, topic.hours, topic.section, topic.homework = new_title, new_hours, new_section, new_homework
    if not keep_kind:
        topic.work_type = work_type
    topic.full_clean(exclude=["assignment"], validate_constraints=False)
    topic._history_user = actor
    topic.save(update_fields=["title", "hours", "section", "homework", "work_type"])
    if new_title != old_title:
        lessons = list(
            with_held(Lesson.objects.filter(plan_topic=topic, topic=old_title))
            .filter(held=False)
            .order_by("pk")
            .select_for_update()
        )
        for lesson in lessons:
            lesson.topic = new_title
        bulk_update_with_history(lessons, Lesson, ["topic"], default_user=actor)
    return topic


@transaction.atomic
def plan_topic_remove(*, actor: User, topic: PlanTopic) -> None:
    """Remove a topic no lesson uses; the rest are renumbered."""
    assignment = topic.assignment
    ensure_plan_editor(actor, assignment)
    _lock(assignment)
    used = Lesson.objects.filter(plan_topic=topic).count()
    if used:
        raise ValidationError(
            _(
                "Тему «%(title)s» нельзя удалить: она назначена урокам (%(n)s). Сначала смените тему у этих уроков "
                "или примените КТП к урокам заново."
            )
            % {"title": topic.title, "n": used}
        )
    topic._history_user = actor
    topic.delete()
    _renumber(actor, assignment, list(PlanTopic.objects.filter(assignment=assignment).order_by("order")))


@transaction.atomic
def plan_topic_reorder(*, actor: User, assignment: TeachingAssignment, order: list[int]) -> list[PlanTopic]:
    """Put the plan's topics in the order of the given primary keys (all of them, each once)."""
    ensure_plan_editor(actor, assignment)
    _lock(assignment)
    topics = {topic.pk: topic for topic in PlanTopic.objects.filter(assignment=assignment)}
    if sorted(order) != sorted(topics):
        raise ValidationError(_("Порядок тем устарел: обновите страницу и повторите."))
    ordered = [topics[pk] for pk in order]
    _renumber(actor, assignment, ordered)
    return ordered


def plan_topic_move(*, actor: User, topic: PlanTopic, step: int) -> list[PlanTopic]:
    """Move a topic one place up (``step=-1``) or down (``step=1``)."""
    pks = list(PlanTopic.objects.filter(assignment=topic.assignment).order_by("order").values_list("pk", flat=True))
    index = pks.index(topic.pk)
    target = min(max(index + step, 0), len(pks) - 1)
    pks.insert(target, pks.pop(index))
    return plan_topic_reorder(actor=actor, assignment=topic.assignment, order=pks)


# --- replacing the whole plan -----------------------------------------------------------------------------


def _unlink_lessons(actor: User, assignment: TeachingAssignment) -> int:
    """Unlink every lesson from the current plan; held lessons keep their topic as text. Returns how many."""
    lessons = list(
        with_held(Lesson.objects.filter(assignment=assignment, plan_topic__isnull=False))
        .select_related("plan_topic")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    for lesson in lessons:
        plan_title = lesson.plan_topic.title
        if lesson.held and not lesson.topic:
            lesson.topic = plan_title
        elif not lesson.held and lesson.topic == plan_title:
            lesson.topic = ""
        lesson.plan_topic = None
    bulk_update_with_history(lessons, Lesson, ["topic", "plan_topic"], default_user=actor)
    return len(lessons)


PlanItem = tuple[str, str, int, str, int | None]  # section, title, hours, planned homework, kind of work's id


def _replace_plan(actor: User, assignment: TeachingAssignment, items: list[PlanItem]) -> list[PlanTopic]:
    """Make the plan exactly ``items``: lines rewritten in place, extra ones removed."""
    _lock(assignment)
    _unlink_lessons(actor, assignment)
    existing = list(PlanTopic.objects.filter(assignment=assignment).order_by("order"))
    kept, surplus = existing[: len(items)], existing[len(items) :]
    for topic in surplus:
        topic._history_user = actor
        topic.delete()
    for topic, (section, title, hours, homework, work_type_id) in zip(kept, items, strict=False):
        topic.section, topic.title, topic.hours = section, title, hours
        topic.homework, topic.work_type_id = homework, work_type_id
    new = [
        PlanTopic(
            assignment=assignment,
            order=0,
            section=section,
            title=title,
            hours=hours,
            homework=homework,
            work_type_id=work_type_id,
        )
        for section, title, hours, homework, work_type_id in items[len(kept) :]
    ]
    _renumber(actor, assignment, kept + new)
    return list(PlanTopic.objects.filter(assignment=assignment).order_by("order"))


# --- import from CSV/XLSX -----------------------------------------------------------------------------------


def school_work_types(assignment: TeachingAssignment) -> list[WorkType]:
    """The kinds of work a plan line of the assignment may name: its school's (1 query)."""
    return list(WorkType.objects.filter(school_id=assignment.year.school_id).order_by("order", "name"))


COLUMN_HEADERS = {
    "number": ("№ п/п", "№", "№ п.п.", "№ урока", "номер", "номер урока", "п/п", "n"),
    "section": ("Раздел", "Раздел программы", "Модуль", "Глава", "Название раздела"),
    "title": ("Тема", "Тема урока", "Темы уроков", "Наименование темы", "Тема занятия", "Содержание"),
    "hours": ("Часы", "Часов", "Кол-во часов", "Количество часов", "Число часов", "Часы на тему"),
    "homework": ("Домашнее задание", "Д/з", "Домашняя работа", "Задание на дом"),
    "work_type": ("Вид работы", "Вид работы на уроке", "Вид работы или контроля", "Вид работы/контроля"),
}
SAMPLE_ROWS = [
    ("№ п/п", "Раздел", "Тема", "Часы", "Домашнее задание", "Вид работы"),
    ("1", "Натуральные числа", "Повторение: действия с натуральными числами", "2", "№ 12, 15", ""),
    ("2", "Натуральные числа", "Делители и кратные", "1", "§ 2, № 40–45", "Самостоятельная работа"),
    ("3", "Обыкновенные дроби", "Основное свойство дроби", "2", "§ 3, выучить правило", ""),
]


def _normalize_header(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я№]", "", str(text).strip().lower().replace("ё", "е"))


HEADER_KEYS = {_normalize_header(header): key for key, headers in COLUMN_HEADERS.items() for header in headers}


@dataclass
class ImportRow:
    """A line of the uploaded plan as read, and its problems."""

    line: int
    number: str = ""
    section: str = ""
    title: str = ""
    hours: str = ""
    homework: str = ""
    work_type: str = ""  # as written in the file
    errors: list[str] = field(default_factory=list)
    is_section: bool = False  # a heading line («Раздел 1. …») that names the section of the lines below it
    hours_value: int = 0
    work_type_value: WorkType | None = None

    COLUMNS = ("number", "section", "title", "hours", "homework", "work_type")


@dataclass
class PlanImportPreview:
    file_name: str
    rows: list[ImportRow]

    @property
    def topics(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.is_section]

    @property
    def with_problems(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.topics) and not self.with_problems

    @property
    def total_hours(self) -> int:
        return sum(row.hours_value for row in self.topics)

    @property
    def with_homework(self) -> bool:
        return any(row.homework or row.work_type for row in self.topics)

    def items(self) -> list[PlanItem]:
        """(section, title, hours, homework, kind of work's id) in plan order: by № when the file numbers its lines,
        else as listed."""
        topics = self.topics
        if all(row.number for row in topics):
            topics = sorted(topics, key=lambda row: int(row.number))
        return [
            (
                row.section,
                row.title,
                row.hours_value,
                row.homework,
                row.work_type_value.pk if row.work_type_value else None,
            )
            for row in topics
        ]


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits one of the first lines into the most known column headers (a title line above the
    header may hold commas)."""

    def known_headers(delimiter: str) -> int:
        return max(
            (sum(_normalize_header(c) in HEADER_KEYS for c in line.split(delimiter)) for line in lines), default=0
        )

    return max((";", ",", "\t"), key=known_headers)


def _read_cells(file_name: str, content: bytes):
    name = (file_name or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ValidationError(_("Загрузите КТП таблицей CSV или XLSX (книга Excel). Образец можно скачать."))
    return read_rows(file_name, content, IMPORT_LIMITS, _delimiter)


def _header(cells: list[str]) -> list[str | None] | None:
    keys = [HEADER_KEYS.get(_normalize_header(cell)) for cell in cells]
    return keys if "title" in keys else None


HEADING_WORDS = ("раздел", "глава", "модуль", "блок")


def _heading(row: ImportRow) -> str:
    """The section named by a heading line: only «Раздел» filled in, or one merged cell such as «Раздел 1. Числа»."""
    filled = [value for value in (row.number, row.section, row.title, row.hours) if value]
    if len(filled) != 1 or row.hours or row.homework or row.work_type:
        return ""
    text = filled[0]
    if row.section or (row.number and safe_int(row.number.rstrip("."), minimum=1) is None):
        return text
    return text if text.lower().startswith(HEADING_WORDS) else ""


def _work_type_key(text: str) -> str:
    return " ".join(str(text).lower().replace("ё", "е").split()).rstrip(".")


def work_type_lookup(work_types) -> dict[str, WorkType]:
    """The school's kinds of work by name and by short name (a name wins over another kind's short name)."""
    lookup: dict[str, WorkType] = {}
    for work_type in work_types:
        lookup.setdefault(_work_type_key(work_type.short_name), work_type)
    for work_type in work_types:
        lookup[_work_type_key(work_type.name)] = work_type
    lookup.pop("", None)
    return lookup


def plan_import_check(file_name: str, content: bytes, *, work_types=()) -> PlanImportPreview:
    """Read a КТП file and check every line; nothing is written. A file without a header row is refused whole.

    Columns: «№ п/п», «Раздел», «Тема», «Часы», «Домашнее задание», «Вид работы» (only «Тема» is required; others
    are ignored). A heading line (only «Раздел» filled in, or one merged cell «Раздел 1. …») names the section of
    the lines below it. An empty «Часы» is 1 hour. When the file numbers its lines, every line needs its own № and
    the plan follows them. «Вид работы» names one of ``work_types`` (the school's) by its name or short name.
    """
    kinds = work_type_lookup(list(work_types))
    lines = enumerate(_read_cells(file_name, content), start=1)
    keys = None
    for _line, cells in itertools.islice(lines, HEADER_SEARCH_ROWS + 1):
        keys = _header(cells)
        if keys is not None:
            break
    if keys is None:
        raise ValidationError(
            _(
                "В начале файла не найдена строка заголовков. Нужны столбцы «№ п/п», «Раздел», «Тема», «Часы» "
                "(обязателен столбец «Тема»), как в образце."
            )
        )
    rows: list[ImportRow] = []
    topics: list[ImportRow] = []
    section = ""
    for line, cells in lines:
        values = {key: (cells[i] if i < len(cells) else "").strip() for i, key in enumerate(keys) if key}
        if not any(values.values()):
            continue
        row = ImportRow(line=line, **{key: values.get(key, "") for key in ImportRow.COLUMNS})
        heading = _heading(row)
        if heading:
            row.is_section, row.section, row.number, row.title = True, heading, "", ""
            section = heading
            rows.append(row)
            continue
        row.section = row.section or section
        rows.append(row)
        topics.append(row)
        if len(topics) > MAX_TOPICS:
            raise ValidationError(
                _("В файле больше %(n)s тем: это не похоже на КТП одного предмета.") % {"n": MAX_TOPICS}
            )
    numbered = any(row.number for row in topics)
    seen: dict[int, int] = {}
    for row in topics:
        if not row.title:
            row.errors.append(_("Не указана тема."))
        elif len(row.title) > TITLE_MAX:
            row.errors.append(_("Тема длиннее %(n)s знаков.") % {"n": TITLE_MAX})
        if len(row.section) > SECTION_MAX:
            row.errors.append(_("Название раздела длиннее %(n)s знаков.") % {"n": SECTION_MAX})
        row.homework = _clean_homework(row.homework)
        if len(row.homework) > HOMEWORK_MAX:
            row.errors.append(_("Домашнее задание длиннее %(n)s знаков.") % {"n": HOMEWORK_MAX})
        if row.work_type:
            row.work_type_value = kinds.get(_work_type_key(row.work_type))
            if row.work_type_value is None:
                row.errors.append(
                    _("Вид работы «%(v)s» не найден в списке видов работ школы (укажите название или сокращение).")
                    % {"v": row.work_type[:80]}
                )
        hours = row.hours.replace(",", ".") or "1"
        if re.fullmatch(r"\d+(\.0+)?", hours) and 1 <= int(float(hours)) <= 100:
            row.hours_value = int(float(hours))
        else:
            row.errors.append(_("Часы — целое число от 1 до 100, а не «%(v)s».") % {"v": row.hours})
        if numbered:
            number = row.number.rstrip(".")
            if safe_int(number, minimum=1) is None:
                row.errors.append(_("№ п/п — целое положительное число, а не «%(v)s».") % {"v": row.number})
            elif int(number) in seen:
                row.errors.append(
                    _("№ %(n)s повторяется (см. строку %(line)s).") % {"n": number, "line": seen[int(number)]}
                )
            else:
                seen[int(number)] = row.line
                row.number = number
    if not topics:
        raise ValidationError(_("В файле нет ни одной темы под строкой заголовков."))
    return PlanImportPreview(file_name=file_name, rows=rows)


@transaction.atomic
def plan_import(*, actor: User, assignment: TeachingAssignment, file_name: str, content: bytes) -> list[PlanTopic]:
    """Replace the assignment's plan with a clean file; a file with any problem writes nothing."""
    ensure_plan_editor(actor, assignment)
    preview = plan_import_check(file_name, content, work_types=school_work_types(assignment))
    if preview.with_problems:
        raise ValidationError(
            _("В файле есть ошибки (строк: %(n)s): КТП не изменён. Исправьте файл и загрузите его снова.")
            % {"n": preview.with_problems}
        )
    return _replace_plan(actor, assignment, preview.items())


# --- copy ------------------------------------------------------------------------------------------------------


def may_copy_from(actor: User, assignment: TeachingAssignment, source: TeachingAssignment) -> bool:
    """A plan of the same school: of the same subject (last year's, a parallel class), or one of the teacher's own."""
    if source.pk == assignment.pk or source.year.school_id != assignment.year.school_id:
        return False
    return source.subject_id == assignment.subject_id or source.teacher_id in (actor.pk, assignment.teacher_id)


@transaction.atomic
def plan_copy_from(
    *, actor: User, assignment: TeachingAssignment, source_assignment: TeachingAssignment
) -> list[PlanTopic]:
    """Replace the plan with a copy of another assignment's plan (last year's of the subject and grade, or any of
    the teacher's)."""
    ensure_plan_editor(actor, assignment)
    if not may_copy_from(actor, assignment, source_assignment):
        raise PermissionDenied(_("КТП этой нагрузки скопировать нельзя."))
    items = list(
        PlanTopic.objects.filter(assignment=source_assignment)
        .order_by("order")
        .values_list("section", "title", "hours", "homework", "work_type_id")
    )
    if not items:
        raise ValidationError(_("В выбранной нагрузке КТП пуст: копировать нечего."))
    return _replace_plan(actor, assignment, items)


# --- topics to lessons -------------------------------------------------------------------------------------------


@dataclass
class ApplyResult:
    """What ``plan_apply_topics`` did."""

    assigned: int = 0  # lessons that got a plan topic
    unchanged: int = 0  # lessons that already had the right one
    kept: int = 0  # lessons whose topic the teacher typed (or that were held with a topic): left as they are
    cleared: int = 0  # lessons after the end of the plan that lose a stale plan topic
    beyond_plan: int = 0  # lessons left after the plan ran out
    hours_not_placed: int = 0  # plan hours left when the lessons ran out


def _typed(lesson: Lesson) -> bool:
    """A topic the teacher wrote, or the topic of a lesson already held: the plan does not overwrite it."""
    if not lesson.topic:
        return False
    if lesson.held:
        return True
    return lesson.plan_topic is None or lesson.topic != lesson.plan_topic.title


@transaction.atomic
def plan_apply_topics(*, actor: User, assignment: TeachingAssignment, from_date: dt.date | None = None) -> ApplyResult:
    """Give the lessons from ``from_date`` (the first lesson by default) the plan's topics in order.

    Each topic takes ``hours`` consecutive lessons. A lesson with a topic typed by the teacher, or a held
    lesson with a topic, keeps it but still uses its place in the plan, so later lessons stay on the calendar
    of the plan. A lesson not held yet whose topic is a plan topic (from an earlier application, or picked in
    the grid) follows the plan's order again. With ``from_date`` the plan continues where the lessons before
    that day left it (after the last plan topic used before it). Lessons before ``from_date`` are never touched.
    Topics are written in bulk with one history record per changed lesson (the lesson record's rules of
    ``lesson_record_set`` are who writes and a writable year, checked here; topics are not under the mark lock).
    """
    ensure_plan_editor(actor, assignment)
    _lock(assignment)
    topics = list(PlanTopic.objects.filter(assignment=assignment).order_by("order"))
    if not topics:
        raise ValidationError(_("В КТП нет ни одной темы: сначала составьте или загрузите план."))
    lessons = list(
        with_held(Lesson.objects.filter(assignment=assignment)).select_related("plan_topic").order_by("date", "number")
    )
    slots = [topic for topic in topics for _hour in range(topic.hours)]
    start = from_date or (lessons[0].date if lessons else assignment.year.start_date)
    position = _position_before(topics, [lesson for lesson in lessons if lesson.date < start])
    result = ApplyResult()
    changed = []
    for lesson in (lesson for lesson in lessons if lesson.date >= start):
        if position >= len(slots):
            result.beyond_plan += 1
            if lesson.plan_topic_id and not _typed(lesson):
                lesson.topic, lesson.plan_topic = "", None
                changed.append(lesson)
                result.cleared += 1
            continue
        topic = slots[position]
        position += 1
        if _typed(lesson):
            result.kept += 1
        elif lesson.plan_topic_id == topic.pk and lesson.topic == topic.title:
            result.unchanged += 1
        else:
            lesson.plan_topic, lesson.topic = topic, topic.title
            changed.append(lesson)
            result.assigned += 1
    result.hours_not_placed = max(len(slots) - position, 0)
    bulk_update_with_history(changed, Lesson, ["plan_topic", "topic"], default_user=actor)
    return result


def _position_before(topics: list[PlanTopic], earlier: list[Lesson]) -> int:
    """How many plan hours the lessons before the start used: up to the last plan topic they reached."""
    linked = [lesson.plan_topic_id for lesson in earlier if lesson.plan_topic_id]
    if not linked:
        return 0
    last = linked[-1]
    position = 0
    for topic in topics:
        if topic.pk == last:
            return position + min(linked.count(last), topic.hours)
        position += topic.hours
    return 0
