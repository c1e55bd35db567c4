"""Who may run which report: built on journal.access (visible_classes, visible_assignments) and accounts.access."""
