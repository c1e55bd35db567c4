"""Reads of the archive: none yet."""
