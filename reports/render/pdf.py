"""A report's document as an A4 PDF (landscape where wide), made with WeasyPrint: the school, the report's name, the
filters, the date printed and the definitions used, on every page's foot."""

from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .document import Document


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find("css/report-pdf.css"))


def document_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    html = render_to_string(document.pdf_template, {"document": document})
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])
