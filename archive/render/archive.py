"""The year's archive's own PDFs: a class's summary sheet as PDF/A (the reports' сводная ведомость with its
«Классный руководитель / Директор / М. П.» lines) and the cover sheet that carries the manifest's SHA-256, so that a
paper copy can be matched to the files."""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from reports.access import ReportScope
from reports.forms.summary_sheet import CLASS_SCOPE
from reports.render.summary_sheet import summary_sheet_document
from reports.selectors.summary_sheet import summary_sheets

# PDF/A-3b: the archival profile WeasyPrint writes (fonts embedded, an output intent, XMP metadata); level 3 also
# allows attachments should the school add the data file to the PDF one day.
PDF_VARIANT = "pdf/a-3b"


@cache
def _report_stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find("css/report-pdf.css"))


@cache
def _lean_html_class():
    """WeasyPrint's ``HTML`` with its own user-agent stylesheet less the footnote and note pseudo-elements: five
    universal rules (``::footnote-call``…) that make WeasyPrint compute five pseudo-elements for every element — about
    a third of a summary sheet's time — for features these documents never use (``_ua_stylesheets`` is WeasyPrint's
    hook; pinned version: requirements.txt)."""
    from pathlib import Path

    import weasyprint.css
    from weasyprint import CSS, HTML

    stock = (Path(weasyprint.css.__file__).parent / "html5_ua.css").read_text(encoding="utf-8")
    lean = "\n".join(line for line in stock.splitlines() if not line.startswith(("::footnote-", "::note-")))
    user_agent = [CSS(string=lean)]

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return user_agent

    return LeanHTML


def pdf_a(html: str, *, stylesheets=()) -> bytes:
    from .journal import font_config

    document = _lean_html_class()(string=html)
    return document.write_pdf(stylesheets=list(stylesheets), pdf_variant=PDF_VARIANT, font_config=font_config())


@dataclass
class _SheetFilters:
    """What ``summary_sheet_document`` asks of its form: the scope (for the school's name) and the filters printed."""

    scope: ReportScope
    year_name: str
    class_name: str

    def filter_labels(self) -> list[tuple[str, str]]:
        return [(_("Учебный год"), self.year_name), (_("Класс"), self.class_name)]


def summary_sheet_pdf(scope: ReportScope, school_class) -> bytes:
    """The class's сводная ведомость учёта успеваемости for its year, as PDF/A."""
    year = school_class.year
    figures = summary_sheets(scope, {"year": year, "school_class": school_class, "scope": CLASS_SCOPE})
    document = summary_sheet_document(figures, _SheetFilters(scope, year.name, str(school_class)))
    html = render_to_string(document.pdf_template, {"document": document})
    return pdf_a(html, stylesheets=[_report_stylesheet()])


def cover_pdf(
    *, school_name: str, year_name: str, manifest_sha256: str, file_count: int, classes: int, made_on: dt.date,
    snapshot_at: dt.datetime | None, signed: bool,
) -> bytes:  # fmt: skip
    """The cover sheet of a year's archive: what it is, how many files, and the manifest's SHA-256 in large type."""
    html = render_to_string(
        "archive/year_cover_pdf.html",
        {
            "school_name": school_name,
            "year_name": year_name,
            "sha": manifest_sha256,
            "sha_groups": [manifest_sha256[i : i + 16] for i in range(0, len(manifest_sha256), 16)],
            "file_count": file_count,
            "classes": classes,
            "made_on": made_on,
            "snapshot_at": snapshot_at,
            "signed": signed,
        },
    )
    return pdf_a(html)
