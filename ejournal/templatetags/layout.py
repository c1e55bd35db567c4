"""The layout's fixed fragments (base.html): rendered once per process, language and script prefix.

``{% include_fixed "includes/head.html" %}`` is ``{% include %}`` for a fragment that depends on nothing of the
request (the style sheets and scripts: ``{% static %}`` and ``{% translate %}`` only). Resolving ten static paths
and translating on every page cost a tenth of a plain page's CPU (bench/grid.py, the floor).
"""

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=64)
def _fixed(name: str, language: str | None, prefix: str) -> SafeString:
    return mark_safe(get_template(name).render({}).rstrip("\n"))  # a template's own output


@register.simple_tag
def include_fixed(name: str) -> SafeString:
    """The fragment ``name`` rendered without a context, kept for the process (per language and script prefix)."""
    return _fixed(name, get_language(), get_script_prefix())
