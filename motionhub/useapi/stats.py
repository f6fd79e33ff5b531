"""Usage statistics: `GET /v2/account/stats?bot=kling` on the useapi root (reference §13).

https://useapi.net/docs/account-management/get-account-stats — the endpoint is not under
`/v1/kling` but beside it, on the root of the API (`https://api.useapi.net/v2/account/stats`),
with the same bearer token. Query: `bot` (required), `date=YYYY-MM-DD` (today by default),
`limit` (at most 50000; when given, the date is ignored and the last N rows of every date come
back) and `config` (one account's email). The answer: `bot`, `date`, `total`, a `summary`
(omitted when there is no data) of counts by account (`by_config`), HTTP code, endpoint and
status, a `success_rate` such as "56.0%" and `avg_msec`; and `data`, one row per request
(`timestamp`, `jobid`, `config`, `endpoint`, `status`, `code`, `msec`). Figures arrive 5 to 15
minutes late and are kept 3 months. Every field is read as optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import BadResponse
from .values import as_datetime, as_dict, as_int, as_str, mask_secrets

STATS_PATH = "/v2/account/stats"
MAX_LIMIT = 50_000
# A connection's base URL ends in the bot's API root: `/v1/kling` (the sandbox's too, below
# its own prefix). What comes before it is the useapi root.
_BOT_ROOT = re.compile(r"/v1/kling/*$", re.IGNORECASE)


def useapi_root(base_url: str) -> str | None:
    """The useapi root a Kling base URL hangs from, or None when it is not `…/v1/kling`.

    https://api.useapi.net/v1/kling → https://api.useapi.net;
    http://127.0.0.1:8000/sandbox/v1/kling → http://127.0.0.1:8000/sandbox.
    A base URL of another shape (a proxy with its own paths) gives None rather than a guess:
    the statistics of an unknown root would come from somewhere nobody chose.
    """
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    if not _BOT_ROOT.search(parts.path):
        return None
    path = _BOT_ROOT.sub("", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class StatsRow:
    timestamp: datetime | None
    job_id: str | None
    config: str | None  # the Kling account's email
    endpoint: str | None
    status: str | None
    code: int | None
    msec: int | None


@dataclass(frozen=True)
class UsageStats:
    bot: str | None = None
    day: date | None = None  # `date`: the day asked for (absent with `limit`)
    total: int | None = None
    starts_at: datetime | None = None  # summary.from
    ends_at: datetime | None = None  # summary.to
    by_config: dict[str, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    by_endpoint: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    success_rate: float | None = None  # percent, from "56.0%"
    avg_msec: int | None = None
    rows: list[StatsRow] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _counts(value: Any) -> dict[str, int]:
    """{name: count} with every non-count left out (an upstream oddity never breaks a page)."""
    found = {}
    for key, n in as_dict(value).items():
        count = as_int(n)
        if count is not None and count >= 0:
            found[str(key)] = count
    return found


def _whole(value: Any) -> int | None:
    """Milliseconds: an int, or a float (an average) rounded."""
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        return round(value)
    return as_int(value)


def _percent(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = as_str(value)
    if text is None:
        return None
    try:
        return float(text.rstrip("%").strip())
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    text = as_str(value)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _row(data: Any) -> StatsRow | None:
    if not isinstance(data, dict):
        return None
    return StatsRow(
        timestamp=as_datetime(data.get("timestamp")),
        job_id=as_str(data.get("jobid")),
        config=as_str(data.get("config")),
        endpoint=as_str(data.get("endpoint")),
        status=as_str(data.get("status")),
        code=as_int(data.get("code")),
        msec=_whole(data.get("msec")),
    )


def parse_stats(data: Any) -> UsageStats:
    """Tolerant: only an answer that is not a JSON object is a BadResponse."""
    if not isinstance(data, dict):
        raise BadResponse("The upstream sent its usage statistics in an unexpected form.")
    summary = as_dict(data.get("summary"))
    items = data.get("data") if isinstance(data.get("data"), list) else []
    rows = [row for item in items if (row := _row(item)) is not None]
    return UsageStats(
        bot=as_str(data.get("bot")),
        day=_day(data.get("date")),
        total=as_int(data.get("total")),
        starts_at=as_datetime(summary.get("from")),
        ends_at=as_datetime(summary.get("to")),
        by_config=_counts(summary.get("by_config")),
        by_code=_counts(summary.get("by_code")),
        by_endpoint=_counts(summary.get("by_endpoint")),
        by_status=_counts(summary.get("by_status")),
        success_rate=_percent(summary.get("success_rate")),
        avg_msec=_whole(summary.get("avg_msec")),
        rows=rows,
        raw=mask_secrets(data),
    )
