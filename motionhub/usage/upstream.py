"""useapi.net's figures (UpstreamUsage) for the Usage page, beside our own for the same days."""

from __future__ import annotations

from datetime import date

from motionhub.usage.models import UpstreamUsage


def days(since: date | None, until: date | None) -> list[UpstreamUsage]:
    """The stored days in the range, newest first (useapi's days are UTC days)."""
    stored = UpstreamUsage.objects.select_related("connection")
    if since:
        stored = stored.filter(day__gte=since)
    if until:
        stored = stored.filter(day__lte=until)
    return list(stored.order_by("-day", "connection__name"))


def per_account(stored: list[UpstreamUsage], ours: list[dict]) -> list[dict]:
    """Per Kling account: useapi's request count beside our task count (`ours`: figures.rows)."""
    out: dict[str, dict] = {}
    for row in stored:
        for email, n in (row.by_account or {}).items():
            entry = out.setdefault(email, {"email": email, "requests": 0, "tasks": 0})
            entry["requests"] += n
    for row in ours:
        email = row.get("account_email")
        if email:
            entry = out.setdefault(email, {"email": email, "requests": 0, "tasks": 0})
            entry["tasks"] += row["tasks"]
    return sorted(out.values(), key=lambda e: (-e["requests"], -e["tasks"], e["email"]))


def throttled(row: UpstreamUsage) -> int:
    """429s useapi counted that day (no free slot)."""
    return int((row.by_code or {}).get("429", 0))
