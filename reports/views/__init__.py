"""Report and audit pages (/reports/…)."""
