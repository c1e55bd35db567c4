"""The reports' URLs (/reports/…): the index, one URL per report (its name is the report's slug), the jobs."""

from django.urls import include, path

from .catalog import REPORTS
from .views import audit, remarks, reports, settings, statements

job_urls = [
    path("<id:pk>/", reports.job, name="job"),
    path("<id:pk>/download/", reports.job_download, name="job_download"),
]

# The deputy's control of the journal (issue 12): the school's control page and a teacher's drill-down.
audit_urls = [
    path("", audit.control, name="audit"),
    path("teacher/<id:pk>/", audit.teacher, name="audit-teacher"),
    path("settings/", settings.audit_settings_page, name="audit-settings"),
    path("remarks/", remarks.remarks, name="audit-remarks"),
    path("remarks/teacher/<id:pk>/", remarks.remarks_teacher, name="audit-remarks-teacher"),
    path("remarks/refresh/", remarks.remarks_refresh, name="audit-remarks-refresh"),
    # Справки по итогам проверки: the list («Мои справки» for a teacher), a draft from the control page, a справка
    # with its edits (the author's, while unsent), sending, «Ознакомлен(а)», the PDF and a correction.
    path("statements/", statements.statements, name="audit-statements"),
    path("statements/new/", statements.statement_new, name="audit-statement-new"),
    path("statements/<id:pk>/", statements.statement, name="audit-statement"),
    path("statements/<id:pk>/edit/", statements.statement_edit, name="audit-statement-edit"),
    path("statements/<id:pk>/send/", statements.statement_send, name="audit-statement-send"),
    path("statements/<id:pk>/ack/", statements.statement_ack, name="audit-statement-ack"),
    path("statements/<id:pk>/pdf/", statements.statement_pdf_view, name="audit-statement-pdf"),
    path("statements/<id:pk>/correct/", statements.statement_correct, name="audit-statement-correct"),
]

app_name = "reports"
urlpatterns = [
    path("", reports.index, name="index"),
    path("settings/", settings.settings_page, name="settings"),
    path("jobs/", include(job_urls)),
    path("audit/", include(audit_urls)),
    *(path(f"{spec.slug}/", reports.report, {"slug": spec.slug}, name=spec.slug) for spec in REPORTS),
]
