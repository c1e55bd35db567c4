"""Celery tasks of the archive (archiving a year, printing journals, backups): none yet."""
