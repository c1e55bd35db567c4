"""The class journal grid's HTML: the whole table as one string, a cell's inside, the figures beside a pupil.

A Django template loop over 30 × 45 cells costs ~15 ms, joining pre-escaped strings ~1 ms. Cell values come from
fixed sets (marks, attendance codes) and are escaped once each; names and topics are escaped as they are joined.
journal.selectors.grid prepares every cell's data; journal.views.grid puts the table in the page. The page's parts
that are the same for every grid (the entry bar, the legend, the keys' help) are rendered once per process
(``page_parts``), and the URLs and words the table repeats are reversed and translated once.
"""

from decimal import Decimal
from functools import lru_cache
from html import escape as _escape

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..choices import PeriodKind
from ..models import StudyPeriod
from ..selectors.grid import EMPTY, Cell, ColumnState, Grid, GridColumn, GridRow, PupilStats

WEEKDAYS = (_lazy("пн"), _lazy("вт"), _lazy("ср"), _lazy("чт"), _lazy("пт"), _lazy("сб"), _lazy("вс"))
PLACEHOLDER = 987654321
LOW_MARKS = frozenset({"1", "2", "нз"})

_cell_cache: dict[tuple[str, str, str], str] = {}
# What a column's header says to a screen reader besides the date: its markers (К, д, ✓, з) in words, in the order
# of marks_shown, and its state (the page shows a lock icon and a colour).
_MARK_WORDS = (
    _lazy("контрольная работа"),
    _lazy("задано домашнее задание"),
    _lazy("посещаемость отмечена"),
    _lazy("замена"),
)
_STATE_WORDS = {
    ColumnState.LOCKED: _lazy("закрыт для отметок"),
    ColumnState.UNLOCKED: _lazy("открыт окном исправлений"),
    ColumnState.FUTURE: _lazy("урок ещё не прошёл"),
}


def cell_inner(cell: Cell) -> str:
    """The inside of a cell: the attendance code in <i>, the marks in <b> (an empty first <b> keeps the order)."""
    key = (cell.mark1, cell.mark2, cell.attendance)
    html = _cell_cache.get(key)
    if html is None:
        html = f"<i>{escape(cell.attendance)}</i>" if cell.attendance else ""
        if cell.mark1 or cell.mark2:
            html += _mark_html(cell.mark1)
        if cell.mark2:
            html += _mark_html(cell.mark2)
        if len(_cell_cache) < 1000:
            _cell_cache[key] = html
    return html


def _mark_html(value: str) -> str:
    """A mark; low ones (1, 2, незачёт) get a class so they stand out."""
    if value in LOW_MARKS:
        return f'<b class="lo">{escape(value)}</b>'
    return f"<b>{escape(value)}</b>"


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def stats_payload(grid_minimum: int, stats: PupilStats) -> dict:
    """A pupil's figures for the period as static/js/grid.js redraws them after a saved cell."""
    return {
        "avg": _number(stats.average),
        "n": stats.marks_count,
        "low": not stats.enough,
        "fc": stats.forecast,
        "min": grid_minimum,
    }


@lru_cache(maxsize=8)
def _period_kinds(language: str | None) -> dict[str, str]:
    return {kind.value: str(kind.label) for kind in PeriodKind}


def period_name(period: StudyPeriod) -> str:
    """«2 четверть», as StudyPeriod.__str__ says it, without get_kind_display's cost (~30 µs: it translates every
    kind's label to look one up)."""
    return f"{period.number} {_period_kinds(get_language()).get(period.kind, period.kind)}"


def period_caption(grid: Grid) -> str:
    """The period the grid shows, with its dates (the title of the period mark's column)."""
    if grid.period is None:
        return _("учебный год")
    return _("%(period)s: %(from)s–%(to)s") % {
        "period": period_name(grid.period),
        "from": f"{grid.period.start_date:%d.%m}",
        "to": f"{grid.period.end_date:%d.%m.%Y}",
    }


def period_links(grid: Grid) -> list[tuple[int, str, bool]]:
    """The periods to switch to, above the grid: (pk, name, whether it is the one shown)."""
    shown = grid.period.pk if grid.period is not None else None
    return [(period.pk, period_name(period), period.pk == shown) for period in grid.periods]


def _reverse(name: str, *args: int) -> str:
    """reverse() once per process for each URL name, arguments, script prefix and URLconf (~20 µs each time)."""
    return _reversed(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _reversed(name: str, args: tuple, _prefix: str, _urlconf) -> str:
    return reverse(name, args=args)


def _url_maker(name: str, count: int = 1):
    """reverse() once with placeholders; format pks into it (reverse per column or cell costs ~20 µs each)."""
    url = _reverse(name, *[PLACEHOLDER] * count)
    parts = url.split(str(PLACEHOLDER))
    if len(parts) == 2:
        before, after = parts
        return lambda pk: f"{before}{pk}{after}"
    return lambda *pks: "".join(part + (str(pks[i]) if i < len(pks) else "") for i, part in enumerate(parts))


def object_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL of one object (an int pk), from the pattern reversed once."""
    return _url_maker(name)(pk)


@lru_cache(maxsize=8)
def _header_words(language: str | None) -> dict:
    """The words of the table's headers in one language, translated once per process rather than ~8 per column
    (45 columns: ~2 ms of gettext a page); the lock's markers and the state words are ready to join."""
    states = {state: str(text) for state, text in _STATE_WORDS.items()}
    return {
        "weekdays": [str(day) for day in WEEKDAYS],
        "lesson": _("%(n)s урок"),
        "control": f'<span class="k" title="{_("контрольная работа")}">К</span>',
        "homework": f'<span class="hw" title="{_("задано домашнее задание")}">д</span>',
        "attendance": f'<span class="at" title="{_("посещаемость отмечена")}">✓</span>',
        "substitute": f'<span class="sb" title="{_("замена")}">з</span>',
        "missing": _("присутствовали, но без отметки"),
        # What a screen reader says for the markers and the states, escaped (a header's words are escaped part by
        # part, and joined).
        "marks": [", " + _escape(str(text)) for text in _MARK_WORDS],
        # What a state adds to the markers (an icon) and to what a screen reader says.
        "lock": {
            ColumnState.LOCKED: ('<i class="bi bi-lock-fill"></i>', ", " + _escape(states[ColumnState.LOCKED])),
            ColumnState.UNLOCKED: ('<i class="bi bi-unlock-fill"></i>', ", " + _escape(states[ColumnState.UNLOCKED])),
            ColumnState.FUTURE: ("", ", " + _escape(states[ColumnState.FUTURE])),
            ColumnState.OPEN: ("", ""),
        },
        "student": escape(_("Учащийся")),
        "topic": escape(_("Тема урока")),
        "proposed": _("предложена"),
        "few": _("мало отметок для отметки за период: нужно не меньше %(n)s"),
    }


def _column_header(column: GridColumn, lesson_url: str, topic: str, words: dict) -> str:
    """A lesson's header; ``topic`` is the column's topic escaped. Every text is escaped once, then joined (escaping
    is per character, so the joined parts read as the escaped whole)."""
    lesson = column.lesson
    date = lesson.date
    control = lesson.is_control
    day = _escape(f"{words['weekdays'][date.weekday()]} {date:%d.%m.%Y}, " + words["lesson"] % {"n": lesson.number})
    work, taught, reason = column.work_type, column.taught_by, column.reason
    marks = ""
    title = f"{day}: {topic}" if topic else day
    spoken = title  # what a screen reader says for the column (docs/accessibility.md): the date in full, the markers
    if control or column.has_homework or column.attendance_taken or taught:
        said = words["marks"]
        if control:
            marks += words["control"]
            spoken += said[0]
        if column.has_homework:
            marks += words["homework"]
            spoken += said[1]
        if column.attendance_taken:
            marks += words["attendance"]
            spoken += said[2]
        if taught:
            marks += words["substitute"]
            spoken += said[3]
    icon, state_said = words["lock"].get(column.state, ("", ""))  # the lock, in markers and in words
    marks += icon
    spoken += state_said
    if column.missing:
        marks += f'<span class="ms" title="{words["missing"]}: {column.missing}">{column.missing}</span>'
    return (
        f'<th data-l="{lesson.pk}" class="{column.state}{" ctl" if control else ""}" title="{title}" data-d="{day}"'
        f' data-t="{topic}" data-w="{_escape(work) if work else ""}" data-s="{_escape(taught) if taught else ""}"'
        f' data-r="{_escape(reason) if reason else ""}" data-u="{lesson_url}"><a href="{lesson_url}" tabindex="-1">'
        f'<span aria-hidden="true">{date:%d}<small>{date:%m}</small></span><span class="visually-hidden">'
        f'{spoken}</span></a><span class="mk" aria-hidden="true">{marks}</span></th>'
    )


def _pupil_name(row: GridRow) -> str:
    user = row.pupil.user
    name = _escape(f"{user.last_name} {user.first_name}".strip() or user.username)
    note = ""
    if row.roster.arrived_on or row.roster.left_on:
        notes = []
        if row.roster.arrived_on:
            notes.append(_("прибыл(а) %(d)s") % {"d": f"{row.roster.arrived_on:%d.%m}"})
        if row.roster.left_on:
            notes.append(_("выбыл(а) %(d)s") % {"d": f"{row.roster.left_on:%d.%m}"})
        note = f"<small>{_escape(', '.join(notes))}</small>"
    return f'<th class="nm" scope="row" title="{_escape(user.full_name)}">{name}{note}</th>'


def _stats_cells(row: GridRow, low: str, proposed: str) -> str:
    """The figures at the right of a pupil's row; ``low`` is the count's cell attributes when marks are too few."""
    if row.period_value:
        period = _escape(row.period_value)
    elif row.period_proposed:
        period = f'<span class="prop" title="{proposed}">{_escape(row.period_proposed)}?</span>'
    else:
        period = ""
    count = low if not row.enough else ' class="sc"'
    return (
        f'<td class="sa">{_number(row.average)}</td><td{count}>{row.marks_count}</td>'
        f'<td class="sf">{row.forecast}</td><td class="sp">{period}</td>'
    )


def _cells_html(cells: list[Cell | None], known: dict) -> str:
    """A row's cells; ``known`` keeps each content's <td> for the table (a grid holds a few dozen kinds of cell)."""
    out = []
    append = out.append
    for cell in cells:
        if cell is EMPTY:
            append("<td></td>")
        elif cell is None:
            append('<td class="x"></td>')
        else:
            key = (cell.mark1, cell.mark2, cell.attendance)
            html = known.get(key)
            if html is None:
                html = known[key] = f"<td>{cell_inner(cell)}</td>"
            append(html)
    return "".join(out)


def grid_table(grid: Grid, *, can_edit: bool, period_title: str = "", period_marks_url: str = "") -> SafeString:
    """The whole <table> of the grid as one string (see the module docstring)."""
    words = _header_words(get_language())
    lesson_url = _url_maker("journal:grid_lesson")
    query = f"?period={grid.period.pk}" if grid.period else ""
    columns = grid.columns
    out = [
        '<table class="gr" id="grid" role="grid" aria-labelledby="grid-title" aria-describedby="grid-keys"',
        "" if can_edit else ' aria-readonly="true"',
        f' data-cell-url="{_reverse("journal:grid_cell")}"' if can_edit else "",
        f' data-attendance-url="{_reverse("journal:grid_attendance_taken", PLACEHOLDER)}"' if can_edit else "",
        f' data-history-url="{_reverse("journal:grid_cell_history", PLACEHOLDER, PLACEHOLDER + 1)}"',
        f' data-period="{grid.period.pk}"' if grid.period else "",
        ' data-placeholder="',
        str(PLACEHOLDER),
        '"><colgroup><col class="n"><col class="nm">',
    ]
    out += [f'<col class="{column.state}">' for column in columns]
    if grid.with_stats:
        out.append('<col class="st"><col class="st"><col class="st"><col class="st">')
    out.append('</colgroup><thead><tr><th class="n">№</th><th class="nm">')
    out.append(words["student"])
    out.append("</th>")
    topics = [_escape(column.topic) if column.topic else "" for column in columns]
    out += [
        _column_header(column, lesson_url(column.lesson.pk) + query, topic, words)
        for column, topic in zip(columns, topics, strict=True)
    ]
    if grid.with_stats:
        out.append(
            f'<th class="st sa" title="{_("средний взвешенный балл")}" aria-label="{_("средний взвешенный балл")}">'
            f"{_('Ср.')}</th>"
            f'<th class="st sc" title="{_("число отметок; нужно не меньше %(n)s") % {"n": grid.minimum}}"'
            f' aria-label="{_("число отметок")}">{_("Отм.")}</th>'
            f'<th class="st sf" title="{_("прогноз отметки за период")}" aria-label="{_("прогноз отметки за период")}">'
            f"{_('Прогн.')}</th>"
            f'<th class="st sp" title="{escape(period_title)}">'
            + (f'<a href="{escape(period_marks_url)}" tabindex="-1">{_("Итог")}</a>' if period_marks_url else _("Итог"))
            + "</th>"
        )
    out.append("</tr>")
    if grid.with_stats and any(topics):  # the row of topics, written upwards (the lesson page has its form)
        out.append('<tr class="tp"><th class="n"></th><th class="nm">')
        out.append(words["topic"])
        out.append("</th>")
        out += [
            f"<th><span>{topic if column.topic_short == column.topic else _escape(column.topic_short)}</span></th>"
            for column, topic in zip(columns, topics, strict=True)
        ]
        out.append('<th class="st sa"></th><th class="st sc"></th><th class="st sf"></th><th class="st sp"></th></tr>')
    out.append("</thead><tbody>")
    known: dict[tuple[str, str, str], str] = {}
    low = f' class="sc low" title="{words["few"] % {"n": grid.minimum}}"'
    for row in grid.rows:
        out.append(f'<tr data-p="{row.pupil.pk}"><td class="n">{row.number}</td>')
        out.append(_pupil_name(row))
        out.append(_cells_html(row.cells, known))
        if grid.with_stats:
            out.append(_stats_cells(row, low, words["proposed"]))
        out.append("</tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # every text from the database is escaped above


def page_parts(*, can_edit: bool, minimum: int) -> dict[str, SafeString]:
    """The parts of the grid page that are the same for every grid, rendered once per process for each language,
    editing or reading and minimum of marks (as the menu bar, ejournal.context_processors): the entry bar
    (templates/journal/grid/_bar.html), the keys' line (_keys.html), the legend, the keys' help and the history
    dialog (_help.html), and grid.js's messages. Rendering their ~60 translated strings on every page cost ~1 ms;
    with DEBUG on they are rendered each time, so that an edited template shows at once."""
    if settings.DEBUG:
        return _page_parts.__wrapped__(get_language(), can_edit, minimum)
    return _page_parts(get_language(), can_edit, minimum)


@lru_cache(maxsize=32)
def _page_parts(language: str | None, can_edit: bool, minimum: int) -> dict[str, SafeString]:
    context = {"can_edit": can_edit, "minimum": minimum}
    # grid.html ends each part's line itself.
    parts = {
        name: mark_safe(render_to_string(f"journal/grid/_{name}.html", context).rstrip("\n"))
        for name in ("bar", "keys", "help")
    }
    parts["scripts"] = json_script(script_messages(), "grid-messages")
    return parts


def script_messages() -> dict[str, str]:
    """What static/js/grid.js says to the user, translated here (the page puts it in a json_script)."""
    return {
        "substitute": _("замена:"),
        "notEnrolled": _("не в классе (группе) в этот день"),
        "unlockedUntil": _("открыто окном исправлений до"),
        "openLesson": _("открыть урок (L)"),
        "fewMarks": _("мало отметок для отметки за период: нужно не меньше"),
        "missing": _("присутствовали, но без отметки"),
        "forbidden": _("Нет прав или страница устарела: обновите её."),
        "session": _("Сеанс истёк или сервер недоступен: войдите снова и обновите страницу."),
        "refused": _("Запись не принята."),
        "saved": _("Сохранено"),
        "empty": _("пусто"),  # the active cell's name when it holds nothing (static/js/grid.js, nameCell)
        "saving": _("Сохранение…"),
        "offline": _("Нет связи с сервером: запись не сохранена."),
        "locked": _("Урок закрыт для отметок."),
        "loading": _("Загрузка…"),
        "historyFailed": _("Не удалось загрузить историю."),
        "late": _("«о…»: нажмите «п» — опоздание"),
        # What a key that is no entry says (static/js/grid.js: nothing is sent); %s is the key typed.
        "notAnEntry": _(
            "«%s» — не отметка и не отметка о посещении: ничего не записано. Отметки — 1…5 (зачёт «+», незачёт «−»), "
            "посещение — н, б, у, п, оп (на русской раскладке или теми же клавишами на латинской)."
        ),
        "markRange": _("«%s» — такой отметки нет: ставятся отметки от 1 до 5. Ничего не записано."),
        "lateExpected": _("После «о» нужна «п» (опоздание «оп»), а не «%s»: ничего не записано."),
        "lateDropped": _("«о» без «п» не записано: опоздание — «о», затем «п»."),
        "secondNeedsFirst": _("Вторая отметка ставится только после первой: сначала поставьте первую."),
        "space": _("пробел"),
        "refusedAbove": _("не записано: причина — в строке выше"),
        # «в» (все присутствуют): the column's register is taken, apart from the absences entered.
        "attendanceTaken": _("Посещаемость урока отмечена: все присутствуют, кроме отмеченных."),
        "attendanceSaving": _("Отмечаю посещаемость урока…"),
    }
