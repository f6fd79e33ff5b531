"""Usage per member, account and week: task counts and credits, filterable by date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from motionhub.tasks.models import MotionTask, State

CSV_HEADER = ("week", "member", "account", "tasks", "succeeded", "credits")


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def rows(since: date | None, until: date | None) -> list[dict]:
    tasks = MotionTask.objects.all()
    tz = timezone.get_current_timezone()
    if since:
        tasks = tasks.filter(created_at__gte=datetime.combine(since, time.min, tz))
    if until:
        tasks = tasks.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tz)
        )
    grouped = (
        tasks.annotate(week=TruncWeek("created_at"))
        .values(
            "week",
            member=F("submitted_by__username"),
            account_email=F("account__email"),
            account_label=F("account__label"),
        )
        .annotate(
            tasks=Count("id"),
            succeeded=Count("id", filter=Q(state=State.SUCCEEDED)),
            credits=Sum("spend__credits"),
        )
        .order_by("-week", "member", "account_email")
    )
    return [
        {
            "week": r["week"].date() if hasattr(r["week"], "date") else r["week"],
            "member": r["member"] or "—",
            "account": r["account_label"] or r["account_email"] or "(not assigned)",
            "account_email": r["account_email"] or "",
            "tasks": r["tasks"],
            "succeeded": r["succeeded"],
            "credits": r["credits"],
        }
        for r in grouped
    ]


def totals(found: list[dict], key: str) -> list[dict]:
    """Per member or per account over the whole range."""
    out: dict[str, dict] = {}
    for r in found:
        row = out.setdefault(r[key], {"name": r[key], "tasks": 0, "succeeded": 0, "credits": None})
        row["tasks"] += r["tasks"]
        row["succeeded"] += r["succeeded"]
        if r["credits"] is not None:
            row["credits"] = (row["credits"] or 0) + r["credits"]
    return sorted(out.values(), key=lambda r: (-(r["credits"] or 0), -r["tasks"], r["name"]))
