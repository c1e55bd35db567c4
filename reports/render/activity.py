"""Активность пользователей as a document: staff (sign-ins, entries), then diary visits by class."""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..selectors.activity import Activity, ClassVisits
from .document import Column, Document, Section, Table


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else Decimal(part * 100) / whole


def _visits(rows: list[ClassVisits]) -> list:
    pupils = sum(r.pupils for r in rows)
    visited = sum(r.pupils_visited for r in rows)
    families = sum(r.families_visited for r in rows)
    return [pupils, visited, _share(visited, pupils), families, _share(families, pupils)]


def activity_document(figures: Activity, form) -> Document:
    staff = Table(
        columns=[
            Column(_("Сотрудник"), width=30),
            Column(_("Входов"), "int"),
            Column(_("Отметки"), "int", group=(_("Записи в журнале"), 5)),
            Column(_("Посещаемость"), "int"),
            Column(_("Темы уроков"), "int"),
            Column(_("Домашние задания"), "int"),
            Column(_("Всего записей"), "int"),
        ],
        caption=_("Сотрудники"),
    )
    for row in figures.staff:
        staff.rows.append(
            [row.user.full_name, row.logins, row.marks, row.attendance, row.topics, row.homework, row.entries]
        )
    staff.totals = [
        _("Всего"),
        *(sum(getattr(row, name) for row in figures.staff) for name in ("logins", "marks", "attendance")),
        sum(row.topics for row in figures.staff),
        sum(row.homework for row in figures.staff),
        sum(row.entries for row in figures.staff),
    ]
    visits = Table(
        columns=[
            Column(_("Класс"), width=8),
            Column(_("Учащихся"), "int"),
            Column(_("Заходили учащиеся"), "int"),
            Column(_("% учащихся"), "percent"),
            Column(_("Семьи, где заходил родитель"), "int"),
            Column(_("% семей"), "percent"),
        ],
        caption=_("Посещения дневника"),
    )
    for row in figures.classes:
        visits.rows.append([str(row.school_class), *_visits([row])])
    visits.totals = [_("По школе"), *_visits(figures.classes)]
    period = f"{figures.start:%d.%m.%Y} — {figures.end:%d.%m.%Y}"
    return Document(
        slug="activity",
        title=_("Активность пользователей"),
        school_name=form.scope.school.name,
        filters=[*form.filter_labels(), (_("Даты"), period)],
        sections=[
            Section(title=_("Работа сотрудников в журнале"), tables=[staff]),
            Section(title=_("Посещения электронного дневника"), tables=[visits]),
        ],
        definitions=[
            _("Входов: сколько раз сотрудник входил в систему за эти дни."),
            _(
                "Записи в журнале — по истории изменений журнала: каждое выставление или снятие отметки и отметки "
                "о посещении, каждое сохранение домашнего задания, каждое сохранение урока с темой."
            ),
            _("Учащихся: в классе на последний день отчёта (движение учащихся)."),
            _("Заходили учащиеся: учащиеся, открывшие дневник хотя бы в один из этих дней."),
            _(
                "Семьи, где заходил родитель: учащиеся, хотя бы один родитель которых открыл дневник; "
                "% семей = такие семьи × 100 / учащихся."
            ),
            _("Хранятся только вход (кто, когда) и день посещения (кто, какой день) — не дольше года."),
        ],
    )
