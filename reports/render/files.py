"""A report's document as a file to download: XLSX or PDF, named after the report and its filters."""

from ..choices import ReportFormat
from .document import Document
from .pdf import document_pdf
from .xlsx import document_xlsx

CONTENT_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


def document_file(document: Document, fmt: str) -> tuple[bytes, str]:
    content = document_xlsx(document) if fmt == ReportFormat.XLSX else document_pdf(document)
    return content, f"{document.file_stem}.{fmt}"
