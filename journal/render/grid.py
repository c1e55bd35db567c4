"""The class journal grid's HTML: the whole table as one string, a cell's inside, the figures beside a pupil.

A Django template loop over 30 × 45 cells costs ~15 ms, joining pre-escaped strings ~1 ms. Cell values come from
fixed sets (marks, attendance codes) and are escaped once each; names and topics are escaped as they are joined.
journal.selectors.grid prepares every cell's data; journal.views.grid puts the table in the page.
"""

from decimal import Decimal
from functools import lru_cache

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


def period_caption(grid: Grid) -> str:
    """The period the grid shows, with its dates (the title of the period mark's column)."""
    if grid.period is None:
        return _("учебный год")
    return _("%(period)s: %(from)s–%(to)s") % {
        "period": grid.period,
        "from": f"{grid.period.start_date:%d.%m}",
        "to": f"{grid.period.end_date:%d.%m.%Y}",
    }


def _url_maker(name: str, count: int = 1):
    """reverse() once with placeholders; format pks into it (reverse per column or cell costs ~20 µs each)."""
    url = reverse(name, args=[PLACEHOLDER] * count)
    parts = url.split(str(PLACEHOLDER))
    return lambda *pks: "".join(part + (str(pks[i]) if i < len(pks) else "") for i, part in enumerate(parts))


@lru_cache(maxsize=8)
def _header_words(language: str | None) -> dict:
    """The words of the column headers in one language, translated once per process rather than ~8 per column
    (45 columns: ~2 ms of gettext a page)."""
    return {
        "weekdays": [str(day) for day in WEEKDAYS],
        "lesson": _("%(n)s урок"),
        "control": _("контрольная работа"),
        "homework": _("задано домашнее задание"),
        "attendance": _("посещаемость отмечена"),
        "substitute": _("замена"),
        "missing": _("присутствовали, но без отметки"),
        "marks": [str(text) for text in _MARK_WORDS],
        "states": {state: str(text) for state, text in _STATE_WORDS.items()},
    }


def _column_header(column: GridColumn, lesson_url: str) -> str:
    words = _header_words(get_language())
    lesson = column.lesson
    date = lesson.date
    classes = [column.state]
    if lesson.is_control:
        classes.append("ctl")
    day = f"{words['weekdays'][date.weekday()]} {date:%d.%m.%Y}, " + words["lesson"] % {"n": lesson.number}
    topic, work, taught = column.topic, column.work_type, column.taught_by
    marks = []
    marks_shown = (lesson.is_control, column.has_homework, column.attendance_taken, bool(taught))
    if lesson.is_control:
        marks.append(f'<span class="k" title="{words["control"]}">К</span>')
    if column.has_homework:
        marks.append(f'<span class="hw" title="{words["homework"]}">д</span>')
    if column.attendance_taken:
        marks.append(f'<span class="at" title="{words["attendance"]}">✓</span>')
    if taught:
        marks.append(f'<span class="sb" title="{words["substitute"]}">з</span>')
    if column.state == ColumnState.LOCKED:
        marks.append('<i class="bi bi-lock-fill"></i>')
    elif column.state == ColumnState.UNLOCKED:
        marks.append('<i class="bi bi-unlock-fill"></i>')
    if column.missing:
        marks.append(f'<span class="ms" title="{words["missing"]}: {column.missing}">{column.missing}</span>')
    title = f"{day}: {topic}" if topic else day
    # What a screen reader says for the column (docs/accessibility.md): the date in full, the markers' words, the lock.
    spoken = [title]
    spoken += [text for shown, text in zip(marks_shown, words["marks"], strict=True) if shown]
    if column.state in words["states"]:
        spoken.append(words["states"][column.state])
    return (
        f'<th data-l="{lesson.pk}" class="{" ".join(classes)}" title="{escape(title)}" data-d="{escape(day)}"'
        f' data-t="{escape(topic)}" data-w="{escape(work)}" data-s="{escape(taught)}" data-r="{escape(column.reason)}"'
        f' data-u="{lesson_url}"><a href="{lesson_url}" tabindex="-1"><span aria-hidden="true">{date:%d}<small>'
        f'{date:%m}</small></span><span class="visually-hidden">{escape(", ".join(spoken))}</span></a>'
        f'<span class="mk" aria-hidden="true">{"".join(marks)}</span></th>'
    )


def _pupil_name(row: GridRow) -> str:
    user = row.pupil.user
    name = escape(f"{user.last_name} {user.first_name}".strip() or user.username)
    notes = []
    if row.roster.arrived_on:
        notes.append(_("прибыл(а) %(d)s") % {"d": f"{row.roster.arrived_on:%d.%m}"})
    if row.roster.left_on:
        notes.append(_("выбыл(а) %(d)s") % {"d": f"{row.roster.left_on:%d.%m}"})
    note = f"<small>{escape(', '.join(notes))}</small>" if notes else ""
    return f'<th class="nm" scope="row" title="{escape(user.full_name)}">{name}{note}</th>'


def _stats_cells(grid: Grid, row: GridRow) -> str:
    low = ""
    if not row.enough:
        need = _("мало отметок для отметки за период: нужно не меньше %(n)s") % {"n": grid.minimum}
        low = f' class="sc low" title="{need}"'
    else:
        low = ' class="sc"'
    if row.period_value:
        period = escape(row.period_value)
    elif row.period_proposed:
        period = f'<span class="prop" title="{_("предложена")}">{escape(row.period_proposed)}?</span>'
    else:
        period = ""
    return (
        f'<td class="sa">{_number(row.average)}</td><td{low}>{row.marks_count}</td>'
        f'<td class="sf">{row.forecast}</td><td class="sp">{period}</td>'
    )


def grid_table(grid: Grid, *, can_edit: bool, period_title: str = "", period_marks_url: str = "") -> SafeString:
    """The whole <table> of the grid as one string (see the module docstring)."""
    lesson_url = _url_maker("journal:grid_lesson")
    query = f"?period={grid.period.pk}" if grid.period else ""
    columns = grid.columns
    out = [
        '<table class="gr" id="grid" role="grid" aria-labelledby="grid-title" aria-describedby="grid-keys"',
        "" if can_edit else ' aria-readonly="true"',
        f' data-cell-url="{reverse("journal:grid_cell")}"' if can_edit else "",
        f' data-attendance-url="{reverse("journal:grid_attendance_taken", args=[PLACEHOLDER])}"' if can_edit else "",
        f' data-history-url="{reverse("journal:grid_cell_history", args=[PLACEHOLDER, PLACEHOLDER + 1])}"',
        f' data-period="{grid.period.pk}"' if grid.period else "",
        ' data-placeholder="',
        str(PLACEHOLDER),
        '"><colgroup><col class="n"><col class="nm">',
    ]
    out += [f'<col class="{column.state}">' for column in columns]
    if grid.with_stats:
        out.append('<col class="st"><col class="st"><col class="st"><col class="st">')
    out.append('</colgroup><thead><tr><th class="n">№</th><th class="nm">')
    out.append(escape(_("Учащийся")))
    out.append("</th>")
    out += [_column_header(column, lesson_url(column.lesson.pk) + query) for column in columns]
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
    topics = [column.topic_short for column in columns]
    if grid.with_stats and any(topics):  # the row of topics, written upwards (the lesson page has its form)
        out.append('<tr class="tp"><th class="n"></th><th class="nm">')
        out.append(escape(_("Тема урока")))
        out.append("</th>")
        out += [f"<th><span>{escape(topic)}</span></th>" for topic in topics]
        out.append('<th class="st sa"></th><th class="st sc"></th><th class="st sf"></th><th class="st sp"></th></tr>')
    out.append("</thead><tbody>")
    for row in grid.rows:
        out.append(f'<tr data-p="{row.pupil.pk}"><td class="n">{row.number}</td>')
        out.append(_pupil_name(row))
        for cell in row.cells:
            if cell is None:
                out.append('<td class="x"></td>')
            elif cell is EMPTY:
                out.append("<td></td>")
            else:
                out.append(f"<td>{cell_inner(cell)}</td>")
        if grid.with_stats:
            out.append(_stats_cells(grid, row))
        out.append("</tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # every text from the database is escaped above


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
