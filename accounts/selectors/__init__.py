"""Reads on identity. Each area has its module; the common ones are re-exported here."""

from .families import pupil_parents, pupils_with_parents

__all__ = ["pupil_parents", "pupils_with_parents"]
