"""Итоговые данные по обучающимся as a document: a row per pupil (year marks, unsatisfactory marks, subjects
without a year mark, the decision), then the totals by decision per class and for all the classes shown."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal.models import PromotionDecision

from ..selectors.final_data import NO_DECISION, UNSATISFACTORY, ClassTotals, FinalData
from ..selectors.summary_sheet import EXEMPT
from .document import Cell, Column, Document, Section, Table

DECISIONS = [
    (PromotionDecision.PROMOTE, gettext_lazy("Переведены")),
    (PromotionDecision.HOLD_BACK, gettext_lazy("Оставлены на повторное обучение")),
    (PromotionDecision.GRADUATE, gettext_lazy("Выпуск")),
    (PromotionDecision.LEAVE, gettext_lazy("Выбывают")),
    (NO_DECISION, gettext_lazy("Решение не принято")),
]


def _mark(value: str):
    if not value:
        return None
    css = "text-danger fw-semibold" if value in UNSATISFACTORY else "text-secondary" if value == EXEMPT else ""
    return Cell(int(value) if value.isdigit() else value, css=css)


def _totals_row(label: str, bucket: ClassTotals) -> list:
    return [
        label,
        bucket.pupils,
        *(bucket.decisions.get(decision, 0) for decision, _label in DECISIONS[:1]),
        bucket.promoted_with_debt,
        *(bucket.decisions.get(decision, 0) for decision, _label in DECISIONS[1:]),
        bucket.with_unsatisfactory,
        bucket.unattested,
    ]


def final_data_document(figures: FinalData, form) -> Document:
    several = len(figures.classes) > 1
    columns = [Column(_("№"), "int", width=4)]
    if several:
        columns.append(Column(_("Класс"), width=7))
    columns.append(Column(_("Учащийся"), width=32))
    for index, subject in enumerate(figures.subjects):
        group = (_("Годовые отметки"), len(figures.subjects)) if index == 0 else None
        columns.append(Column(subject.label, width=6, group=group))
    columns += [
        Column(_("Неуд."), "int", width=6),
        Column(_("Не атт."), "int", width=7),
        Column(_("Решение"), width=34),
    ]
    pupils = Table(columns=columns, empty=_("Нет учащихся на конец учебного года."))
    for number, row in enumerate(figures.pupils, start=1):
        name = row.name if row.on_list else Cell(row.name, note=_("не в списке класса на конец года"))
        pupils.rows.append(
            [
                number,
                *([str(row.school_class)] if several else []),
                name,
                *(_mark(row.marks.get(subject.pk, "")) for subject in figures.subjects),
                row.unsatisfactory,
                row.unattested,
                row.decision_label or _("решение не принято"),
            ]
        )
        if row.debtor:
            pupils.row_css[number - 1] = "table-warning"
    totals = Table(
        columns=[
            Column(_("Класс"), width=10),
            Column(_("Учащихся"), "int"),
            Column(str(DECISIONS[0][1]), "int"),
            Column(_("из них условно (с задолженностью)"), "int", width=14),
            *(Column(str(label), "int", width=14) for _decision, label in DECISIONS[1:]),
            Column(_("С неуд. годовыми"), "int", width=12),
            Column(_("Не аттестованы"), "int", width=12),
        ],
        rows=[_totals_row(str(bucket.school_class), bucket) for bucket in figures.classes],
        totals=_totals_row(_("Всего"), figures.total) if figures.classes else None,
    )
    return Document(
        slug="final-data",
        title=_("Итоговые данные по обучающимся"),
        school_name=form.scope.school.name,
        filters=form.filter_labels(),
        landscape=True,
        sections=[
            Section(title=_("Учащиеся"), tables=[pupils]),
            Section(title=_("Итоги по решениям"), tables=[totals]),
        ],
        definitions=[
            _("Учащиеся — список класса на последний день учебного года (%(date)s); выбывшие раньше не входят, "
              "прибывшие входят. Учащийся с решением о переводе, уже не числящийся в классе, показан с пометкой.")
            % {"date": f"{figures.on_date:%d.%m.%Y}" if figures.on_date else "—"},
            _("Годовые отметки — выставленные (не предложенные); «осв.» — освобождён от предмета на год."),
            _("Неуд. — число годовых отметок «2», «1» или «нз» (незачёт)."),
            _("Не атт. — число предметов, которые учащемуся преподаются (всему классу или его подгруппе), "
              "без годовой отметки и без освобождения на год."),
            _("Решение — решение педагогического совета о переводе (страница «Перевод учащихся»). «Условно» — "
              "переведены с академической задолженностью: есть неудовлетворительная годовая отметка или предмет "
              "без годовой отметки."),
        ],
    )  # fmt: skip
