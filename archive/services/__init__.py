"""Writes of the archive (archiving a year, backups, retention): none yet."""
