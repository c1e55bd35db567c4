"""Наполняемость классов as a document: a row per class, totals per grade and for the school."""

from itertools import groupby

from django.utils.translation import gettext as _

from ..selectors.class_sizes import ClassSizes
from .document import Column, Document, Section, Table


def class_sizes_document(figures: ClassSizes, form) -> Document:
    columns = [
        Column(_("Класс"), width=8),
        Column(_("Классный руководитель"), width=26),
        Column(_("Мальчики"), "int"),
        Column(_("Девочки"), "int"),
        Column(_("Всего"), "int"),
        Column(_("Подгруппы (учащихся)"), width=40),
    ]
    table = Table(columns=columns, caption=_("На %(date)s") % {"date": f"{figures.on_date:%d.%m.%Y}"})
    for grade, classes in groupby(figures.classes, key=lambda row: row.grade):
        classes = list(classes)
        for row in classes:
            subgroups = "; ".join(f"{name}: {count}" for name, count in row.subgroups)
            table.rows.append([row.name, row.class_teacher, row.boys, row.girls, row.total, subgroups])
        table.rows.append(
            [
                _("%(grade)s-е классы") % {"grade": grade},
                "",
                sum(r.boys for r in classes),
                sum(r.girls for r in classes),
                sum(r.total for r in classes),
                "",
            ]
        )
        table.row_css[len(table.rows) - 1] = "fw-semibold table-light"
    rows = figures.classes
    table.totals = [
        _("Всего"),
        "",
        sum(r.boys for r in rows),
        sum(r.girls for r in rows),
        sum(r.total for r in rows),
        "",
    ]
    return Document(
        slug="class-sizes",
        title=_("Наполняемость классов"),
        school_name=form.scope.school.name,
        filters=form.filter_labels() or [(_("На дату"), f"{figures.on_date:%d.%m.%Y}")],
        sections=[Section(title=_("Наполняемость классов"), tables=[table])],
        definitions=[
            _("Учащиеся на дату: зачисленные в класс не позже этой даты и не выбывшие до неё (движение учащихся)."),
            _("Подгруппы: учащиеся подгруппы, состоящие в классе на эту дату."),
        ],
    )
