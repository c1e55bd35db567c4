"""«Предварительный отчёт» as a document: the forecast marks (pupils × subjects, per class), the pupils below the
minimum number of marks, the pupils heading for a 2."""

from django.utils.translation import gettext as _

from ..selectors.preliminary import ClassForecast, Forecast, Preliminary
from .document import Cell, Column, Document, Section, Table


def _average_text(cell: Forecast) -> str:
    return f"{cell.average:.2f}".replace(".", ",") if cell.average is not None else "—"


def _forecast_cell(cell: Forecast | None) -> Cell | str:
    if cell is None:  # not in the subgroup that studies it
        return ""
    if cell.exempt:
        return Cell(cell.value, note=_("освобождён(а)"), css="text-secondary")
    note = _("средневзв. %(avg)s, отметок %(count)s из %(min)s нужных") % {
        "avg": _average_text(cell),
        "count": cell.count,
        "min": cell.minimum,
    }
    css = "table-danger" if cell.failing else ("table-warning" if cell.too_few else "")
    return Cell(cell.value or "—", note=note, css=css)


def _class_table(forecast_class: ClassForecast) -> Table:
    columns = [Column("№", "int", width=4), Column(_("Учащийся"), width=30)]
    columns += [Column(subject.short_name, "mark", width=8) for subject in forecast_class.subjects]
    columns += [Column(_("Мало отметок"), "int", width=8), Column(_("Прогноз «2»"), "int", width=8)]
    caption = _("%(cls)s: %(period)s, прогноз на %(date)s") % {
        "cls": forecast_class.name,
        "period": forecast_class.period,
        "date": f"{forecast_class.on_date:%d.%m.%Y}",
    }
    table = Table(columns=columns, caption=caption, empty=_("В классе нет учащихся на эту дату."))
    for pupil in forecast_class.pupils:
        cells = [pupil.cells.get(subject.pk) for subject in forecast_class.subjects]
        present = [cell for cell in cells if cell is not None]
        too_few = sum(cell.too_few for cell in present)
        failing = sum(cell.failing for cell in present)
        table.rows.append([pupil.number, pupil.name, *(_forecast_cell(cell) for cell in cells), too_few, failing])
    return table


def _list_table(rows, *, failing: bool) -> Table:
    columns = [
        Column(_("Класс"), width=8),
        Column(_("Учащийся"), width=30),
        Column(_("Предмет"), width=26),
        Column(_("Учитель"), width=22),
        Column(_("Отметок"), "int"),
        Column(_("Нужно"), "int"),
        Column(_("Средневзв. балл"), "decimal"),
        Column(_("Прогноз"), "mark"),
    ]
    empty = _("Нет учащихся, идущих на «2».") if failing else _("У всех учащихся достаточно отметок.")
    table = Table(columns=columns, empty=empty)
    for forecast_class, pupil, cell in rows:
        table.rows.append(
            [
                forecast_class.name,
                pupil.name,
                cell.subject,
                cell.teacher,
                cell.count,
                cell.minimum,
                cell.average,
                cell.value or "—",
            ]
        )
    return table


# Above this many classes (the whole school) the forecast tables are left to a grade or a class.
WHOLE_SCHOOL_TABLES = 8


def preliminary_document(figures: Preliminary, form) -> Document:
    whole_school = not form.cleaned_data.get("school_class") and not form.cleaned_data.get("grade")
    notes = []
    if whole_school and len(figures.classes) > WHOLE_SCHOOL_TABLES:
        # The school's pupils × subjects, class after class, is thousands of rows nobody reads at once: the lists
        # below are the school's; the forecast table is a class's or a grade's.
        forecast_tables = []
        notes = [_("Прогноз по каждому учащемуся — выберите параллель или класс.")]
    else:
        forecast_tables = [_class_table(c) for c in figures.classes]
    if not forecast_tables and not notes:
        forecast_tables = [Table(columns=[Column(_("Класс"))], empty=_("Нет классов для отчёта."))]
    filters = form.filter_labels()
    if figures.period is not None:
        filters = [(label, value) for label, value in filters if label != str(form.fields["period"].label)]
        filters.insert(1 if filters else 0, (_("Период"), str(figures.period)))
    return Document(
        slug="preliminary",
        title=_("Предварительный отчёт"),
        school_name=form.scope.school.name,
        filters=filters,
        landscape=True,
        sections=[
            Section(title=_("Прогноз отметок за период"), tables=forecast_tables, notes=notes),
            Section(
                title=_("Недостаточно отметок для аттестации"),
                tables=[_list_table(figures.too_few, failing=False)],
            ),
            Section(title=_("Идут на «2» (и «незачёт»)"), tables=[_list_table(figures.failing, failing=True)]),
        ],
        definitions=[
            _(
                "Прогноз — отметка, к которой ведёт средневзвешенный балл текущих отметок периода с его начала по "
                "дату прогноза: Σ(отметка × вес вида работы) / Σ весов; 4,50 и выше — «5», от 3,50 — «4», от 2,50 — "
                "«3», ниже — «2». По предметам «зачёт/незачёт» — «нз», если больше половины отметок «нз», иначе «зч»."
            ),
            _(
                "Недостаточно отметок: текущих отметок периода (любых, включая «зч»/«нз») меньше минимума для "
                "отметки за период — 3 при нагрузке до 2 ч в неделю, 4 при большей. «—» — отметок нет."
            ),
            _(
                "Учащиеся — по списку класса на дату прогноза (движение учащихся); у 10–11 классов с полугодиями — "
                "полугодие, в котором кончается выбранный период."
            ),
            _("«осв.» — учащийся освобождён от предмета на период или на год и не учитывается ни в одном показателе."),
        ],
    )
