"""Reads about families: a parent's children, a pupil's parents."""

from django.db.models import Prefetch, prefetch_related_objects

from ..models import ParentChild, PupilProfile, User


def children_of(parent_user: User) -> list[PupilProfile]:
    if not hasattr(parent_user, "parent"):
        return []
    return list(
        PupilProfile.objects.filter(parent_links__parent__user=parent_user)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def pupil_parents(pupil: PupilProfile):
    return pupil.parent_links.select_related("parent__user").order_by("parent__user__last_name")


def pupils_with_parents(pupils: list[PupilProfile]) -> list[PupilProfile]:
    """Prefetch parent links for a list of pupils (one query)."""
    links = ParentChild.objects.select_related("parent__user").order_by("parent__user__last_name")
    prefetch_related_objects(pupils, Prefetch("parent_links", queryset=links))
    return pupils
