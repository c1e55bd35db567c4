"""A справка по итогам проверки as an A4 PDF (WeasyPrint): the school, the title, № and date, the aim, basis and
dates, the frozen figures, conclusions and recommendations, the signature line and the «С справкой ознакомлены»
table with each recipient's time of acknowledgement (an empty line to sign where there is none yet)."""

from functools import cache
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import AuditStatement
from ..selectors.statements import StatementPage


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find("css/statement-pdf.css"))


def statement_file_name(statement: AuditStatement) -> str:
    return f"spravka-{statement.number}-{statement.checked_on:%Y-%m-%d}.pdf"


def statement_pdf(page: StatementPage) -> bytes:
    """The PDF, its times in the school's time zone (whoever prints it, wherever)."""
    from weasyprint import HTML

    statement = page.statement
    with timezone.override(ZoneInfo(statement.school.time_zone)):
        context = {"page": page, "statement": statement, "printed_at": timezone.localtime()}
        html = render_to_string("reports/pdf/statement.html", context)
    return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])
