"""Report and audit pages (/reports/…): none yet."""
