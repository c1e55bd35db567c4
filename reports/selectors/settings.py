"""A school's report and audit settings, or the defaults (REPORTS.md, the seeds' deadlines) when the school never
changed them."""

from accounts.models import School

from ..models import AuditSettings, ReportSettings


def report_settings(school: School) -> ReportSettings:
    """The school's settings (one query); unsaved defaults for a school that has none."""
    return ReportSettings.objects.filter(school=school).first() or ReportSettings(school=school)


def audit_settings(school: School) -> AuditSettings:
    """The school's audit settings with who changed them last (one query); unsaved defaults for a school that has
    none (``AuditContext.rules`` reads the same row)."""
    return AuditSettings.objects.filter(school=school).select_related("updated_by").first() or AuditSettings(
        school=school
    )
