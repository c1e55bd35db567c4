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
        slug="class-sizes",
        title="Наполняемость классов",
        description="Учащиеся классов на выбранную дату: мальчики, девочки, подгруппы.",
        audience=CLASS,
        form="reports.forms.class_sizes:ClassSizesForm",
        select="reports.selectors.class_sizes:class_sizes",
        build="reports.render.class_sizes:class_sizes_document",
        group="Контингент",
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
