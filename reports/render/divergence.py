"""«Сравнение среднего балла и итоговой отметки» as a document: a row per mark far from the average."""

from django.utils.translation import gettext as _

from ..selectors.divergence import Divergence
from .document import Cell, Column, Document, Section, Table


def divergence_document(figures: Divergence, form) -> Document:
    threshold = str(figures.threshold).replace(".", ",")
    table = Table(
        columns=[
            Column(_("Учащийся"), width=30),
            Column(_("Класс"), width=8),
            Column(_("Предмет"), width=24),
            Column(_("Учитель"), width=22),
            Column(_("Средневзв. балл"), "decimal"),
            Column(_("Текущих отметок"), "int"),
            Column(_("Отметка за период"), "int"),
            Column(_("Разница"), "decimal"),
        ],
        empty=_("Отметок, отличающихся от среднего балла больше чем на %(t)s, нет.") % {"t": threshold},
    )
    for row in figures.rows:
        sign = "above" if row.difference > 0 else "below"
        note = _("Отметка выше среднего балла") if sign == "above" else _("Отметка ниже среднего балла")
        table.rows.append(
            [
                row.pupil,
                row.school_class,
                row.subject,
                row.teacher,
                row.average,
                row.marks_count,
                row.mark,
                Cell(row.difference, note=note, css="text-danger" if sign == "below" else "text-primary"),
            ]
        )
    notes = [
        _("Проверено отметок: %(checked)s; расходятся больше чем на %(t)s: %(rows)s.")
        % {"checked": figures.checked, "t": threshold, "rows": len(figures.rows)}
    ]
    return Document(
        slug="mark-divergence",
        title=_("Сравнение среднего балла и итоговой отметки"),
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        sections=[Section(title=figures.label or _("Отметки за период"), tables=[table], notes=notes)],
        definitions=[
            _(
                "Средневзвешенный балл — среднее текущих отметок учащегося по нагрузке за даты периода (за год — за "
                "учебный год) с весами видов работ (без веса — 1), округлённое до сотых, как на странице отметок за "
                "период."
            ),
            _(
                "Разница = отметка за период − средневзвешенный балл; в отчёт попадают отметки с |разницей| > %(t)s "
                "(порог школы в настройках отчётов)."
            )
            % {"t": threshold},
            _(
                "Учитываются учащиеся в списке класса на последний день периода; предметы «зачёт/незачёт» и отметки "
                "без текущих отметок не сравниваются."
            ),
        ],
    )
