"""Report filters: ``base.ReportForm`` and each report's own subclass."""
