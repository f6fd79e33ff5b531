"""The one check that decides whether upstream text may become a link: http(s) or nothing."""

from __future__ import annotations

from urllib.parse import urlsplit


def http_url(value: object) -> str:
    """`value` if it is an http(s) URL, else "": only those may become a src or href.

    Upstream text is untrusted: a `javascript:` or `data:` address in a motion's video field
    must never reach a page. The client drops other schemes when it parses an answer; models
    check again, for rows written some other way.
    """
    if not isinstance(value, str) or not value:
        return ""
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in {"http", "https"} else ""
