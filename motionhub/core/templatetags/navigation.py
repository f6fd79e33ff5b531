"""`{% nav %}`: the top bar's links, rendered once per role and page and then reused; and
`{% assets %}`, the stylesheet and script tags, the same on every page.

base.html is under every page, and its dozen `{% url %}` lookups and role tests made it about
0.5 ms of each (`make bench`: history_vs_bare, home_vs_bare); the links depend only on the
person's role and on which page is open, so each combination is rendered once per process.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

from motionhub.core import roles

register = template.Library()


@register.simple_tag(takes_context=True)
def nav(context) -> SafeString:
    match = getattr(context.get("request"), "resolver_match", None)
    return _nav(
        str(context.get("role") or ""),
        getattr(match, "url_name", "") or "",
        getattr(match, "app_name", "") or "",
        get_script_prefix(),
    )


@lru_cache(maxsize=512)
def _nav(role: str, url_name: str, app_name: str, _prefix: str) -> SafeString:
    rank = roles.rank(role)
    return render_to_string(
        "includes/nav.html",
        {
            "role": role,
            "can_operate": rank >= roles.rank(roles.OPERATOR),
            "can_administer": rank >= roles.rank(roles.ADMIN),
            "url_name": url_name,
            "app_name": app_name,
        },
    )


@register.simple_tag
def assets() -> SafeString:
    return _assets(get_script_prefix())


@lru_cache(maxsize=8)
def _assets(_prefix: str) -> SafeString:
    return render_to_string("includes/assets.html")
