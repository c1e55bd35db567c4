"""Writes of the reports app: the school's report settings, and report jobs."""
