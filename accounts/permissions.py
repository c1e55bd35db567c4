"""Granting and revoking object permissions in django-guardian's direct foreign-key tables.

The services that create a relationship (assigning a teacher, linking a parent)
call these; bulk callers (the demo seed, imports) build rows with the same
functions so that a rule about who gets what lives in one place.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

PERMISSIONS_BY_RELATION: dict[str, tuple[str, ...]] = {
    # a teacher on their teaching assignment
    "assignment_teacher": ("view_assignment_journal", "edit_assignment_journal"),
    # the class teacher on the class
    "class_teacher": ("view_class_journal", "manage_class"),
    # a pupil on themself, a parent on each child
    "pupil_self": ("view_pupil_diary",),
    "pupil_parent": ("view_pupil_diary",),
}


_PERMISSION_IDS: dict[tuple, list[int]] = {}


def _permission_ids(target_model: type[models.Model], codenames: Iterable[str]) -> list[int]:
    """Permission ids, cached per database: they are written by migrate and never change afterwards."""
    codenames = list(codenames)
    key = (connection.settings_dict["NAME"], target_model._meta.label, tuple(codenames))
    if key not in _PERMISSION_IDS:
        _PERMISSION_IDS[key] = _load_permission_ids(target_model, codenames)
    return _PERMISSION_IDS[key]


def _load_permission_ids(target_model: type[models.Model], codenames: list[str]) -> list[int]:
    content_type = ContentType.objects.get_for_model(target_model)
    ids = list(
        Permission.objects.filter(content_type=content_type, codename__in=codenames).values_list("pk", flat=True)
    )
    if len(ids) != len(codenames):
        # A grant that silently grants nothing would lock a teacher out without a trace.
        raise ImproperlyConfigured(f"permissions {codenames} of {target_model.__name__} are not all in the database")
    return ids


def permission_rows(
    perm_table: type[models.Model], relation: str, pairs: Iterable[tuple[int, int]]
) -> list[models.Model]:
    """Unsaved permission rows granting ``relation``'s permissions for each (user_id, object_id) pair."""
    target_model = perm_table._meta.get_field("content_object").related_model
    permission_ids = _permission_ids(target_model, PERMISSIONS_BY_RELATION[relation])
    return [
        perm_table(user_id=user_id, content_object_id=object_id, permission_id=permission_id)
        for user_id, object_id in pairs
        for permission_id in permission_ids
    ]


def grant(perm_table: type[models.Model], relation: str, user_id: int, object_id: int) -> None:
    perm_table.objects.bulk_create(permission_rows(perm_table, relation, [(user_id, object_id)]), ignore_conflicts=True)


def revoke(perm_table: type[models.Model], relation: str, user_id: int, object_id: int) -> None:
    target_model = perm_table._meta.get_field("content_object").related_model
    perm_table.objects.filter(
        user_id=user_id,
        content_object_id=object_id,
        permission_id__in=_permission_ids(target_model, PERMISSIONS_BY_RELATION[relation]),
    ).delete()
