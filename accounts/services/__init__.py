"""Writes on people. Each area has its module; the common ones are re-exported here."""

from .users import (
    ensure_school_admin,
    parent_create,
    parent_link,
    parent_unlink,
    pupil_create,
    pupil_profile_create,
    user_create,
    user_set_active,
    user_update,
)

__all__ = [
    "ensure_school_admin",
    "parent_create",
    "parent_link",
    "parent_unlink",
    "pupil_create",
    "pupil_profile_create",
    "user_create",
    "user_set_active",
    "user_update",
]
