"""Celery tasks of the reports app (reports slower than a second run as jobs with progress): none yet."""
