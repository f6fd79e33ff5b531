"""Small tolerant converters from useapi JSON values: exact ints, http(s) URLs, moments.

Every field of the contract is optional and its type may drift (a number sent as a string, a
time in seconds or milliseconds), so each converter returns None for what it cannot read rather
than raising; the parsers decide what is required.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .links import http_url

_SECRET_KEYS = {"password", "passtoken"}
_INT = re.compile(r"[+-]?\d+")


# -- small tolerant converters ------------------------------------------------------------------


def as_int(value: Any) -> int | None:
    """An int from an int, an integral float or a numeric string; None for anything else."""
    if isinstance(value, bool):
        return None  # bool is an int subclass, but True is never an id
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value.strip())  # big ids arrive as strings in some clients: stay exact
    return None


def as_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_url(value: Any) -> str | None:
    """An http(s) URL or None: these end up in src/href, where "javascript:" must never land."""
    return http_url(as_str(value)) or None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    return None


def as_datetime(value: Any) -> datetime | None:
    """A UTC datetime from epoch milliseconds or seconds, or an ISO-8601 string."""
    if isinstance(value, str) and not _INT.fullmatch(value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    number = as_int(value) if not isinstance(value, float) else value
    if number is None or number <= 0:
        return None
    # Kling uses epoch ms; anything this large cannot be seconds (it would be year 5138+).
    seconds = number / 1000 if number > 100_000_000_000 else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# A remaining time above this many seconds is taken to be milliseconds: no motion job runs a day.
_ETA_SECONDS_MAX = 86_400


def as_eta(value: Any, *, now: datetime | None = None) -> datetime | None:
    """When an ETA hint (`etaTime`) says the task ends, read tolerantly; None without a hint.

    The contract only says "number". Accepted: epoch milliseconds or seconds (a moment), or a
    smaller positive number, the time remaining (seconds, or milliseconds when above a day),
    or an ISO-8601 string. 0, negatives, booleans and anything else mean no hint.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and not _INT.fullmatch(value.strip()):
        try:
            number = float(value.strip())
        except ValueError:
            return as_datetime(value)
    elif isinstance(value, int | float | str):
        number = float(value)
    else:
        return None
    if not number > 0 or number == float("inf"):
        return None
    if number >= 1_000_000_000:  # a moment: epoch seconds, or epoch ms from 2001 on
        return as_datetime(int(number))
    remaining = number / 1000 if number > _ETA_SECONDS_MAX else number
    return (now or datetime.now(UTC)) + timedelta(seconds=remaining)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def first_of(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def mask_secrets(value: Any) -> Any:
    """A copy of `value` with password-like fields masked, so `raw` is safe to store."""
    if isinstance(value, dict):
        return {
            k: ("***" if str(k).lower() in _SECRET_KEYS and v else mask_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value
