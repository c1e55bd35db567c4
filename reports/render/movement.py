"""Движение учащихся as a document: the classes' numbers, then every arrival, departure and move."""

from django.utils.translation import gettext as _

from journal.selectors.closing import EventKind

from ..selectors.movement import Movement
from .document import Cell, Column, Document, Section, Table


def _numbers(row) -> list[int]:
    return [row.at_start, row.arrived, row.moved_in, row.left, row.moved_out, row.now]


def movement_document(figures: Movement, form) -> Document:
    report = figures.report
    sections = []
    filters = form.filter_labels()
    if report is not None:
        start, on_date = f"{report.year.start_date:%d.%m.%Y}", f"{report.on_date:%d.%m.%Y}"
        numbers = Table(
            columns=[
                Column(_("Класс"), width=8),
                Column(_("На %(d)s") % {"d": start}, "int"),
                Column(_("в школу"), "int", group=(_("Прибыло"), 2)),
                Column(_("из др. класса"), "int"),
                Column(_("из школы"), "int", group=(_("Выбыло"), 2)),
                Column(_("в др. класс"), "int"),
                Column(_("На %(d)s") % {"d": on_date}, "int"),
            ],
            caption=_("Численность классов"),
            empty=_("Классы ещё не созданы."),
        )
        for row in report.classes:
            numbers.rows.append([str(row.school_class), *_numbers(row)])
        numbers.totals = [_("Всего"), *_numbers(report.total)]
        events = Table(
            columns=[
                Column(_("Дата"), "date"),
                Column(_("Учащийся"), width=30),
                Column(_("Движение"), width=30),
                Column(_("Основание"), width=40),
            ],
            caption=_("Прибытие, выбытие, переводы"),
            empty=_("Движения учащихся в этом учебном году не было."),
        )
        for event in report.events:
            if event.kind == EventKind.ARRIVED:
                what = _("прибыл в %(c)s") % {"c": event.school_class}
            elif event.kind == EventKind.LEFT:
                what = _("выбыл из %(c)s") % {"c": event.school_class}
            else:
                what = _("переведён: %(a)s → %(b)s") % {"a": event.school_class, "b": event.to_class}
            if not event.effective:
                what = Cell(f"{what} ({_('предстоит')})", css="text-secondary")
            events.rows.append([event.day, event.pupil.user.full_name, what, event.reason or "—"])
        sections = [Section(title=_("Движение учащихся"), tables=[numbers, events])]
        filters = [(_("Учебный год"), report.year.name), (_("На дату"), on_date)]
    else:
        sections = [Section(title=_("Движение учащихся"), notes=[_("Учебный год не найден.")])]
    return Document(
        slug="movement",
        title=_("Движение учащихся"),
        school_name=form.scope.school.name,
        filters=filters,
        sections=sections,
        definitions=[
            _("Прибыло в школу: зачисленные после начала учебного года (не переводом из другого класса)."),
            _("Выбыло из школы: чьё зачисление окончилось до конца учебного года (не переводом)."),
            _(
                "Перевод: зачисление в другой класс на следующий день после окончания прежнего; "
                "считается в обоих классах, но не как прибытие или выбытие для школы."
            ),
            _("Движение после выбранной даты показано как «предстоит» и в численность не входит."),
        ],
    )
