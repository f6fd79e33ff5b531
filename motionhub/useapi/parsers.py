"""Tolerant parsers from useapi JSON to the typed results.

The contract is only partly documented and changed shape in January 2026, so: every field is
optional, unknown fields are ignored, ids become exact ints (never floats), and both the 2025 and
2026 shapes are read. Only an answer of the wrong kind altogether (a list where an object was
promised, a create call without a task id) is a `BadResponse`.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BadResponse
from .links import http_url
from .types import (
    Account,
    AccountCapacity,
    Asset,
    Capacity,
    DeletedTask,
    Download,
    ListedTask,
    Motion,
    RunningJob,
    TaskStatus,
    Work,
)

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


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(*values: Any) -> Any:
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


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadResponse(f"The upstream sent {what} in an unexpected form.")
    return data


# -- accounts -----------------------------------------------------------------------------------


def parse_account(data: Any, *, email: str | None = None) -> Account:
    data = _object(data, "an account")
    session = _dict(data.get("session"))
    expires = as_datetime(session.get("ExpireTimeUTC")) or as_datetime(session.get("ExpireTime"))
    return Account(
        email=as_str(data.get("email")) or email or "",
        max_jobs=as_int(data.get("maxJobs")),
        session_user_id=as_str(session.get("userId")),
        session_expires_at=expires,
        credits=as_int(_dict(data.get("balance")).get("total")),
        raw=mask_secrets(data),
    )


def parse_accounts(data: Any) -> list[Account]:
    """GET /accounts answers an object keyed by email; a list is accepted too."""
    if isinstance(data, dict):
        items = [(key, value) for key, value in data.items() if isinstance(value, dict)]
    elif isinstance(data, list):
        items = [(None, value) for value in data if isinstance(value, dict)]
    else:
        raise BadResponse("The upstream sent the account list in an unexpected form.")
    return [parse_account(value, email=key) for key, value in items]


# -- assets -------------------------------------------------------------------------------------


def parse_asset(data: Any) -> Asset:
    data = _object(data, "the upload result")
    return Asset(
        url=as_url(data.get("url")),
        resource_url=as_url(data.get("resourceUrl")),
        cover_url=as_url(data.get("coverUrl")),
        file_name=as_str(data.get("fileName")),
        status=as_int(data.get("status")),
        message=as_str(data.get("message")) or "",
        raw=mask_secrets(data),
    )


def parse_download(data: Any) -> Download:
    data = _object(data, "the download link")
    cdn_url = as_url(data.get("cdnUrl"))
    if not cdn_url:
        raise BadResponse("The upstream answered without a download link (cdnUrl).")
    return Download(cdn_url=cdn_url, raw=mask_secrets(data))


# -- tasks --------------------------------------------------------------------------------------


def parse_work(data: dict[str, Any]) -> Work:
    resource = _dict(data.get("resource"))
    return Work(
        work_id=as_int(data.get("workId")),
        status_name=as_str(data.get("status_name")) or "",
        video_url=as_url(resource.get("resource")),
        cover_url=as_url(_dict(data.get("cover")).get("resource")),
        duration_ms=as_int(resource.get("duration")),
        width=as_int(resource.get("width")),
        height=as_int(resource.get("height")),
        raw=mask_secrets(data),
    )


def parse_task_status(data: Any, *, task_id: int | None = None) -> TaskStatus:
    """GET /tasks/{id} and the create calls. Status fields: top level first, then `task`.

    `task_id` is the id we asked for, used when the answer does not repeat it; a create call
    passes none, so an answer without `task.id` is a BadResponse (useapi's own scripts agree).
    """
    data = _object(data, "the task status")
    task = _dict(data.get("task"))

    def pick(key: str) -> Any:
        return _first(data.get(key), task.get(key))

    found_id = _first(as_int(task.get("id")), as_int(data.get("id")), as_int(data.get("taskId")))
    found_id = _first(found_id, task_id)
    if found_id is None:
        raise BadResponse("The upstream accepted the request but sent no task id.")
    status_name = as_str(pick("status_name")) or ""
    final = as_bool(pick("status_final"))
    if final is None:  # never seen without it, but a named end state is final all the same
        final = status_name in {"succeed", "failed"}
    works = data.get("works") if isinstance(data.get("works"), list) else task.get("works")
    return TaskStatus(
        task_id=found_id,
        status=as_int(pick("status")),
        status_name=status_name,
        status_final=final,
        message=as_str(pick("message")) or "",
        error=as_str(pick("error")) or "",
        works=[parse_work(w) for w in (works or []) if isinstance(w, dict)],
        task_type=as_str(task.get("type")) or as_str(data.get("type")) or "",
        created_at=as_datetime(pick("createTime")),
        eta_at=None if final else _first(as_eta(pick("etaTime")), as_eta(pick("originEtaTime"))),
        raw=mask_secrets(data),
    )


_HISTORY_KEYS = ("history", "tasks", "list", "items", "data", "results")


def _history_items(data: Any, depth: int = 0) -> list[Any] | None:
    """The list inside a GET /tasks answer: `{history: [...]}` (documented), bare or wrapped."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and depth < 2:
        for key in _HISTORY_KEYS:
            if key in data:
                if data[key] is None:
                    return []
                found = _history_items(data[key], depth + 1)
                if found is not None:
                    return found
    return None


def _input_urls(value: Any, depth: int = 0) -> list[str]:
    """Every `inputs[].url` anywhere in a task item (taskInfo under task, the item or a work)."""
    found: list[str] = []
    if depth > 6:
        return found
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "inputs" and isinstance(inner, list):
                found += [u for u in (as_url(_dict(i).get("url")) for i in inner) if u]
            elif isinstance(inner, dict | list):
                found += _input_urls(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            found += _input_urls(inner, depth + 1)
    return found


def _listed_task(data: dict[str, Any]) -> ListedTask:
    task = _dict(data.get("task"))
    works = data.get("works") if isinstance(data.get("works"), list) else []
    work = _dict(works[0]) if works else {}
    # A bare task object carries its own `id`; a work's `id` (if any) is not the task's.
    own_id = as_int(data.get("id")) if "workId" not in data else None
    task_id = _first(
        as_int(task.get("id")), as_int(data.get("taskId")), own_id, as_int(work.get("taskId"))
    )
    return ListedTask(
        task_id=task_id,
        input_urls=tuple(dict.fromkeys(_input_urls(data))),
        created_at=as_datetime(_first(task.get("createTime"), data.get("createTime"))),
        raw=mask_secrets(data),
    )


def parse_task_list(data: Any) -> list[ListedTask]:
    """GET /tasks: its items were cut off in the captured docs, so every place is looked at."""
    items = _history_items(data)
    if items is None:
        raise BadResponse("The upstream sent the task list in an unexpected form.")
    return [_listed_task(item) for item in items if isinstance(item, dict)]


def parse_deleted_task(data: Any) -> DeletedTask:
    data = _object(data, "the deletion result")
    work_ids = data.get("workIds") if isinstance(data.get("workIds"), list) else []
    ids = [i for i in (as_int(w) for w in work_ids) if i is not None]
    deleted = as_int(data.get("deleted")) or 0
    return DeletedTask(deleted=deleted, work_ids=ids, raw=mask_secrets(data))


# -- motions ------------------------------------------------------------------------------------

_LIST_KEYS = ("motions", "list", "items", "data", "results", "assets", "works")


def _motion_items(data: Any, depth: int = 0) -> list[Any] | None:
    """The list inside a motions answer: bare (documented) or wrapped once or twice."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and depth < 2:
        for key in _LIST_KEYS:
            if key in data:
                if data[key] is None:
                    return []
                found = _motion_items(data[key], depth + 1)
                if found is not None:
                    return found
    return None


def _name_from_url(url: str | None) -> str | None:
    if not url:
        return None
    stem = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    return stem or None


def parse_motion(data: dict[str, Any]) -> Motion:
    resource = _dict(data.get("resource"))
    resource_url = as_url(data.get("resource")) or as_url(resource.get("resource"))
    cover = _dict(data.get("cover"))
    ext = _dict(data.get("extData"))
    work_id = as_int(data.get("workId"))
    asset_id = as_str(data.get("assetId"))
    url = as_url(data.get("url"))
    is_2026 = work_id is None and (asset_id is not None or (url is not None and not resource_url))
    video_url = url or resource_url

    if work_id is not None:
        key = f"work:{work_id}"
    elif asset_id is not None:
        key = f"asset:{asset_id}"
    else:
        # Neither id: derive a stable key so re-syncing the same item updates the same row.
        basis = video_url or json.dumps(data, sort_keys=True, default=str)
        key = f"url:{hashlib.sha256(basis.encode()).hexdigest()[:16]}"

    official = as_bool(data.get("official"))
    if official is None and work_id is not None:
        official = work_id < 0  # 2025: official templates have negative workIds

    name = (
        as_str(data.get("workName"))
        or as_str(data.get("name"))
        or as_str(data.get("title"))
        or asset_id
        or (f"Motion {work_id}" if work_id is not None else None)
        or _name_from_url(video_url)
        or "Untitled motion"
    )
    return Motion(
        key=key,
        shape="2026" if is_2026 else "2025",
        name=name,
        official=official,
        tag=as_str(data.get("tag")) or "",
        work_id=work_id,
        task_id=as_int(data.get("taskId")),
        asset_id=asset_id,
        video_url=video_url,
        cover_url=as_url(data.get("coverUrl")) or as_url(cover.get("resource")),
        duration_ms=as_int(_first(data.get("duration"), resource.get("duration"))),
        width=as_int(_first(data.get("width"), resource.get("width"))),
        height=as_int(_first(data.get("height"), resource.get("height"))),
        has_audio=as_bool(data.get("hasAudio")),
        bvh_url=as_url(ext.get("bvh_binary")),
        binary_url=as_url(ext.get("output_binary")),
        created_at=as_datetime(data.get("createTime")),
        raw=mask_secrets(data),
    )


def parse_motions(data: Any) -> list[Motion]:
    items = _motion_items(data)
    if items is None:
        raise BadResponse("The upstream sent the motion list in an unexpected form.")
    return [parse_motion(item) for item in items if isinstance(item, dict)]


# -- scheduler ----------------------------------------------------------------------------------


def _running_job(data: dict[str, Any]) -> RunningJob:
    return RunningJob(
        task_id=as_int(_first(data.get("id"), data.get("taskId"))),
        email=as_str(data.get("email")) or "",
        started=as_datetime(data.get("started")),
        elapsed=as_str(data.get("elapsed")) or "",
        reply_url=as_str(data.get("replyUrl")),
        reply_ref=as_str(data.get("replyRef")),
    )


def parse_running_jobs(data: Any) -> list[RunningJob]:
    """GET /scheduler: a bare array (documented); `{executing: [...]}` is read as well."""
    if isinstance(data, dict):
        data = data.get("executing")
    if not isinstance(data, list):
        raise BadResponse("The upstream sent the running jobs in an unexpected form.")
    return [_running_job(j) for j in data if isinstance(j, dict)]


def _account_capacity(data: dict[str, Any]) -> AccountCapacity:
    return AccountCapacity(
        email=as_str(data.get("email")) or "",
        max_jobs=as_int(data.get("maxJobs")),
        executing=as_int(data.get("executing")),
        available=as_int(data.get("available")),
    )


def parse_capacity(data: Any) -> Capacity:
    data = _object(data, "the scheduler capacity")
    executing = data.get("executing") if isinstance(data.get("executing"), list) else []
    available = data.get("available") if isinstance(data.get("available"), list) else []
    return Capacity(
        executing=[_running_job(j) for j in executing if isinstance(j, dict)],
        available=[_account_capacity(a) for a in available if isinstance(a, dict)],
        raw=mask_secrets(data),
    )
