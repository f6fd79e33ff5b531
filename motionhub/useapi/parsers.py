"""Tolerant parsers from useapi JSON to the typed results.

The contract is only partly documented and changed shape in January 2026, so: every field is
optional, unknown fields are ignored, ids become exact ints (never floats), and both the 2025 and
2026 shapes are read. Only an answer of the wrong kind altogether (a list where an object was
promised, a create call without a task id) is a `BadResponse`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BadResponse
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
from .values import (
    as_bool,
    as_datetime,
    as_dict,
    as_eta,
    as_int,
    as_str,
    as_url,
    first_of,
    mask_secrets,
)


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadResponse(f"The upstream sent {what} in an unexpected form.")
    return data


# -- accounts -----------------------------------------------------------------------------------


def parse_account(data: Any, *, email: str | None = None) -> Account:
    data = _object(data, "an account")
    session = as_dict(data.get("session"))
    expires = as_datetime(session.get("ExpireTimeUTC")) or as_datetime(session.get("ExpireTime"))
    return Account(
        email=as_str(data.get("email")) or email or "",
        max_jobs=as_int(data.get("maxJobs")),
        session_user_id=as_str(session.get("userId")),
        session_expires_at=expires,
        credits=as_int(as_dict(data.get("balance")).get("total")),
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
    resource = as_dict(data.get("resource"))
    return Work(
        work_id=as_int(data.get("workId")),
        status_name=as_str(data.get("status_name")) or "",
        video_url=as_url(resource.get("resource")),
        cover_url=as_url(as_dict(data.get("cover")).get("resource")),
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
    task = as_dict(data.get("task"))

    def pick(key: str) -> Any:
        return first_of(data.get(key), task.get(key))

    found_id = first_of(as_int(task.get("id")), as_int(data.get("id")), as_int(data.get("taskId")))
    found_id = first_of(found_id, task_id)
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
        eta_at=None if final else first_of(as_eta(pick("etaTime")), as_eta(pick("originEtaTime"))),
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
                found += [u for u in (as_url(as_dict(i).get("url")) for i in inner) if u]
            elif isinstance(inner, dict | list):
                found += _input_urls(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            found += _input_urls(inner, depth + 1)
    return found


def _listed_task(data: dict[str, Any]) -> ListedTask:
    task = as_dict(data.get("task"))
    works = data.get("works") if isinstance(data.get("works"), list) else []
    work = as_dict(works[0]) if works else {}
    # A bare task object carries its own `id`; a work's `id` (if any) is not the task's.
    own_id = as_int(data.get("id")) if "workId" not in data else None
    task_id = first_of(
        as_int(task.get("id")), as_int(data.get("taskId")), own_id, as_int(work.get("taskId"))
    )
    return ListedTask(
        task_id=task_id,
        input_urls=tuple(dict.fromkeys(_input_urls(data))),
        created_at=as_datetime(first_of(task.get("createTime"), data.get("createTime"))),
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
    resource = as_dict(data.get("resource"))
    resource_url = as_url(data.get("resource")) or as_url(resource.get("resource"))
    cover = as_dict(data.get("cover"))
    ext = as_dict(data.get("extData"))
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
        duration_ms=as_int(first_of(data.get("duration"), resource.get("duration"))),
        width=as_int(first_of(data.get("width"), resource.get("width"))),
        height=as_int(first_of(data.get("height"), resource.get("height"))),
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
        task_id=as_int(first_of(data.get("id"), data.get("taskId"))),
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
