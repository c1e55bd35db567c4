"""A school's report settings, or the defaults (REPORTS.md) when the school never changed them."""

from accounts.models import School

from ..models import ReportSettings


def report_settings(school: School) -> ReportSettings:
    """The school's settings (one query); unsaved defaults for a school that has none."""
    return ReportSettings.objects.filter(school=school).first() or ReportSettings(school=school)
