"""Links from the home page's figures into the task history, with the matching filters."""

from __future__ import annotations

from urllib.parse import urlencode


def history_link(prefix: str, **filters: str) -> str:
    query = urlencode({name: value for name, value in filters.items() if value})
    return f"{prefix}?{query}" if query else prefix
