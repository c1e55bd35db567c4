"""Reads on the school's structure. Each area has its module; the common ones are re-exported here."""

from .structure import *  # noqa: F403
from .structure import __all__ as _structure_all

__all__ = list(_structure_all)
