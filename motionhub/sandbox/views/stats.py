"""GET /v2/account/stats?bot=kling on the sandbox's useapi root (reference §13).

The figures come from the tasks the sandbox ran under the caller's token: one row per create
call that made a task (timestamp, jobid, config = the account's email, endpoint, status, code,
msec), and the summary counts those rows as useapi's does. The real endpoint also counts
reads; the sandbox keeps no log of them, so its figures are the create calls only.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from motionhub.sandbox import errors
from motionhub.sandbox.api import endpoint
from motionhub.sandbox.auth import Caller
from motionhub.sandbox.models import Task

MAX_LIMIT = 50_000
_ENDPOINTS = {
    Task.MOTION_PROCESS: "videos-motion-upload",
    Task.MOTION_CREATE: "videos-motion-create",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _row(task: Task, user_number: int) -> dict:
    created = task.created.astimezone(UTC)
    return {
        "timestamp": _iso(created),
        "jobid": f"{created:%Y%m%d%H%M%S%f}"[:17] + f"-user:{user_number}-bot:kling",
        "config": task.account.email,
        "endpoint": _ENDPOINTS.get(task.type, task.type),
        "status": "OK",
        "func": f"v1-kling-{_ENDPOINTS.get(task.type, task.type)}",
        "code": 200,
        # A stable, plausible duration per task (the sandbox answers create calls at once).
        "msec": 300 + task.id % 900,
    }


def _span(first: datetime, last: datetime) -> str:
    minutes = int((last - first).total_seconds() // 60)
    return f"{minutes // 60} hours {minutes % 60} minutes"


@endpoint("GET")
def account_stats(request: HttpRequest, caller: Caller) -> HttpResponse:
    bot = request.GET.get("bot", "").strip()
    if not bot:
        raise errors.Refusal(400, "Parameter bot is required")
    limit_text = request.GET.get("limit")
    limit = None
    if limit_text:
        try:
            limit = int(limit_text)
        except ValueError:
            raise errors.Refusal(400, "Parameter limit must be a number") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise errors.Refusal(400, f"Parameter limit must be from 1 to {MAX_LIMIT}")
    day = None
    if limit is None:
        try:
            day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
        except ValueError:
            raise errors.Refusal(400, "Parameter date must be YYYY-MM-DD") from None
        day = day or timezone.now().astimezone(UTC).date()
    tasks = Task.objects.filter(account__namespace=caller.namespace).select_related("account")
    if bot != "kling":
        tasks = tasks.none()  # the sandbox simulates the Kling bot only
    if config := request.GET.get("config"):
        tasks = tasks.filter(account__email=config)
    if day is not None:
        start = datetime.combine(day, time.min, UTC)
        tasks = tasks.filter(created__gte=start, created__lt=start + timedelta(days=1))
        tasks = tasks.order_by("created", "id")
    else:
        tasks = tasks.order_by("-created", "-id")[:limit]
    rows = [_row(task, caller.user_number) for task in tasks]
    rows.sort(key=lambda row: row["timestamp"])
    body: dict = {"bot": bot, "total": len(rows)}
    if day is not None:
        body["date"] = day.isoformat()
    if rows:  # the summary is omitted when there is no data, as upstream
        first, last = rows[0]["timestamp"], rows[-1]["timestamp"]
        parsed = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (first, last)]
        ok = sum(1 for row in rows if 200 <= row["code"] < 300)
        body["summary"] = {
            "from": first,
            "to": last,
            "time_span": _span(*parsed),
            "by_config": dict(Counter(row["config"] for row in rows)),
            "by_code": {str(k): n for k, n in Counter(row["code"] for row in rows).items()},
            "by_endpoint": dict(Counter(row["endpoint"] for row in rows)),
            "by_status": dict(Counter(row["status"] for row in rows)),
            "success_rate": f"{100 * ok / len(rows):.1f}%",
            "avg_msec": round(sum(row["msec"] for row in rows) / len(rows)),
        }
    body["data"] = rows
    return JsonResponse(body)
