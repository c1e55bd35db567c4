"""Reads about families: a pupil's parents. (A family's children, as the diary offers them: diary.access.family_pupils.)"""

from django.db.models import Prefetch, prefetch_related_objects

from ..models import ParentChild, PupilProfile


def pupil_parents(pupil: PupilProfile):
    return pupil.parent_links.select_related("parent__user").order_by("parent__user__last_name")


def pupils_with_parents(pupils: list[PupilProfile]) -> list[PupilProfile]:
    """Prefetch parent links for a list of pupils (one query)."""
    links = ParentChild.objects.select_related("parent__user").order_by("parent__user__last_name")
    prefetch_related_objects(pupils, Prefetch("parent_links", queryset=links))
    return pupils
