"""The reports there are: each one's name, who it is for, its filters, its reads and its layout.

A report is a ``ReportSpec``: the generic view (``reports.views.report``) checks the audience, validates the filters
(``form``), reads the figures (``select``: a selector, given the scope and the filters), lays them out (``build``:
a render function giving a ``Document``) and answers on screen, in XLSX or in PDF. The same spec runs in a Celery
job for exports too heavy for a request. Paths are strings so that this module imports nothing heavy.
"""

from dataclasses import dataclass
from importlib import import_module

from .access import ASSIGNMENT, CLASS, SCHOOL, ReportScope


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: str
    description: str
    audience: str  # SCHOOL, CLASS or ASSIGNMENT (reports.access)
    form: str  # "module:Class", a reports.forms.base.ReportForm
    select: str  # "module:function(scope, data, *, progress=None) -> figures"; progress(done, total) in jobs
    build: str  # "module:function(figures, form) -> Document"
    group: str = "Успеваемость"
    # An export runs as a Celery job when this says so (e.g. the whole school); "module:function(scope, data, fmt)".
    background: str = ""

    def resolve(self, attribute: str):
        module, name = getattr(self, attribute).split(":")
        return getattr(import_module(module), name)


# Every report, in the order of the index page. Each entry names its form, selector and builder.
REPORTS: list[ReportSpec] = [
    ReportSpec(
        slug="results",
        title="Итоги успеваемости класса",
        description="Отличники, ударники, неуспевающие, % успеваемости и качества, СОУ, средний балл класса за "
        "учебный период или год, по предметам; учитель-предметник видит свои предметы.",
        audience=ASSIGNMENT,
        form="reports.forms.results:ResultsForm",
        select="reports.selectors.results:results_report",
        build="reports.render.results:results_document",
    ),
    ReportSpec(
        slug="school-results",
        title="Итоги успеваемости по школе",
        description="Итоги по классам, параллелям, предметам и учителям в сравнении с прошлым периодом; динамика "
        "за год.",
        audience=SCHOOL,
        form="reports.forms.results:SchoolResultsForm",
        select="reports.selectors.results:school_results",
        build="reports.render.results:school_results_document",
        background="reports.selectors.results:school_results_background",
    ),
    ReportSpec(
        slug="summary-sheet",
        title="Сводная ведомость учёта успеваемости",
        description="Учащиеся класса × предметы: отметки за учебные периоды, годовые, экзаменационные и итоговые "
        "за учебный год, с прибывшими и выбывшими; для администрации — все классы школы одним файлом.",
        audience=CLASS,
        form="reports.forms.summary_sheet:SummarySheetForm",
        select="reports.selectors.summary_sheet:summary_sheets",
        build="reports.render.summary_sheet:summary_sheet_document",
        background="reports.selectors.summary_sheet:summary_sheet_background",
    ),
    ReportSpec(
        slug="class-teacher",
        title="Отчёт классного руководителя за период",
        description="Движение учащихся, итоги успеваемости, посещаемость и группа риска класса в одном документе.",
        audience=CLASS,
        form="reports.forms.class_teacher:ClassTeacherReportForm",
        select="reports.selectors.class_teacher:class_teacher_report",
        build="reports.render.class_teacher:class_teacher_document",
    ),
    ReportSpec(
        slug="preliminary",
        title="Предварительный отчёт",
        description="До конца учебного периода: прогноз отметок по средневзвешенному баллу, учащиеся с недостаточным "
        "числом отметок и идущие на «2»; учитель-предметник видит свои предметы.",
        audience=ASSIGNMENT,
        form="reports.forms.preliminary:PreliminaryForm",
        select="reports.selectors.preliminary:preliminary",
        build="reports.render.preliminary:preliminary_document",
        background="reports.selectors.results:many_classes_background",
    ),
    ReportSpec(
        slug="mark-divergence",
        title="Сравнение среднего балла и итоговой отметки",
        description="Отметки за период, отличающиеся от средневзвешенного балла текущих отметок больше порога школы.",
        audience=ASSIGNMENT,
        form="reports.forms.divergence:DivergenceForm",
        select="reports.selectors.divergence:mark_divergence",
        build="reports.render.divergence:divergence_document",
        background="reports.selectors.results:many_classes_background",
    ),
    ReportSpec(
        slug="final-data",
        title="Итоговые данные по обучающимся",
        description="Годовые отметки каждого учащегося класса, параллели или школы, неудовлетворительные отметки и "
        "неаттестации, решение о переводе; итоги по решениям.",
        audience=CLASS,
        form="reports.forms.final_data:FinalDataForm",
        select="reports.selectors.final_data:final_data",
        build="reports.render.final_data:final_data_document",
        background="reports.selectors.results:many_classes_background",
    ),
    ReportSpec(
        slug="attendance",
        title="Сводная ведомость учёта посещаемости",
        description="Пропущенные уроки и дни каждого учащегося класса за период: по болезни, по уважительной и "
        "неуважительной причине, опоздания.",
        audience=CLASS,
        form="reports.forms.attendance:AttendanceForm",
        select="reports.selectors.attendance:attendance_sheet",
        build="reports.render.attendance:attendance_document",
        group="Посещаемость",
    ),
    ReportSpec(
        slug="attendance-months",
        title="Посещаемость по месяцам",
        description="Пропущенные уроки и дни класса (или всех классов школы) по месяцам учебного года.",
        audience=CLASS,
        form="reports.forms.attendance:AttendanceMonthsForm",
        select="reports.selectors.attendance:attendance_months",
        build="reports.render.attendance:attendance_months_document",
        group="Посещаемость",
        background="reports.selectors.results:many_classes_background",
    ),
    ReportSpec(
        slug="class-sizes",
        title="Наполняемость классов",
        description="Учащиеся классов на выбранную дату: мальчики, девочки, подгруппы.",
        audience=CLASS,
        form="reports.forms.class_sizes:ClassSizesForm",
        select="reports.selectors.class_sizes:class_sizes",
        build="reports.render.class_sizes:class_sizes_document",
        group="Контингент",
    ),
    ReportSpec(
        slug="movement",
        title="Движение учащихся",
        description="Прибывшие, выбывшие и переведённые за учебный год; численность классов на начало года и на дату.",
        audience=SCHOOL,
        form="reports.forms.movement:MovementForm",
        select="reports.selectors.movement:movement",
        build="reports.render.movement:movement_document",
        group="Контингент",
    ),
    ReportSpec(
        slug="activity",
        title="Активность пользователей",
        description="Входы и записи в журнал учителей; посещения дневника учащимися и родителями по классам.",
        audience=SCHOOL,
        form="reports.forms.activity:ActivityForm",
        select="reports.selectors.activity:activity",
        build="reports.render.activity:activity_document",
        group="Активность",
    ),
]


def spec_for(slug: str) -> ReportSpec:
    return next(spec for spec in REPORTS if spec.slug == slug)


def build_document(spec: ReportSpec, scope: ReportScope, params, progress=None):
    """The report for these filters (a query dict or a stored dict): (document, form), or (None, form) when the
    filters are wrong (the form carries the Russian errors). The page and the background job both come here."""
    form = spec.resolve("form")(params, scope=scope)
    if not form.is_valid():
        return None, form
    figures = spec.resolve("select")(scope, form.cleaned_data, progress=progress)
    document = spec.resolve("build")(figures, form)
    return document, form


def available(scope: ReportScope) -> list[ReportSpec]:
    return [spec for spec in REPORTS if scope.may_see(spec.audience)]


__all__ = ["ASSIGNMENT", "CLASS", "REPORTS", "SCHOOL", "ReportSpec", "available", "build_document", "spec_for"]
