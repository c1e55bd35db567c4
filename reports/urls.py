"""The reports' URLs (/reports/…): the index, one URL per report (its name is the report's slug), the jobs."""

from django.urls import include, path

from .catalog import REPORTS
from .views import audit, reports, settings

job_urls = [
    path("<id:pk>/", reports.job, name="job"),
    path("<id:pk>/download/", reports.job_download, name="job_download"),
]

# The deputy's control of the journal (issue 12): the school's control page and a teacher's drill-down.
audit_urls = [
    path("", audit.control, name="audit"),
    path("teacher/<id:pk>/", audit.teacher, name="audit-teacher"),
]

app_name = "reports"
urlpatterns = [
    path("", reports.index, name="index"),
    path("settings/", settings.settings_page, name="settings"),
    path("jobs/", include(job_urls)),
    path("audit/", include(audit_urls)),
    *(path(f"{spec.slug}/", reports.report, {"slug": spec.slug}, name=spec.slug) for spec in REPORTS),
]
