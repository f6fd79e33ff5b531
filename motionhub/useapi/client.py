"""One method per useapi Kling endpoint MotionHub uses.

Each method names the doc page it implements (see shared/reference/useapi-kling-api.md), sends
through the single `Http` choke point and returns a typed result or raises a `UseapiError`.
"""

from __future__ import annotations

import os
from datetime import date
from typing import IO, Any, BinaryIO
from urllib.parse import quote, urlsplit

import requests

from . import fetch, parsers, stats
from .errors import BadResponse, InvalidInput
from .http import Http
from .types import (
    Account,
    Asset,
    Capacity,
    DeletedTask,
    Download,
    ListedTask,
    Motion,
    RunningJob,
    TaskStatus,
)


def _email_path(email: str) -> str:
    # "+" and "/" in an address must not change the path; "@" reads better left as is.
    return quote(email, safe="@")


class Client:
    """A useapi.net Kling API client for one API token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        upload_timeout: float = 300.0,
        session: requests.Session | None = None,
    ) -> None:
        self._http = Http(
            base_url, token, timeout=timeout, upload_timeout=upload_timeout, session=session
        )

    def __repr__(self) -> str:
        return f"<useapi Client {self._http.base_url}>"  # never the token

    def close(self) -> None:
        self._http.session.close()

    # -- accounts -------------------------------------------------------------------------------

    def list_accounts(self) -> list[Account]:
        """GET /accounts — https://useapi.net/docs/api-kling-v1/get-kling-accounts.html

        useapi answers 404 (plain text) while no account is configured, but a wrong base URL
        or a proxy answers 404 too: that is not "no accounts", so NotFound is raised for the
        caller to decide (a sync changes nothing on it).
        """
        return parsers.parse_accounts(self._http.call("GET", "/accounts"))

    def get_account(self, email: str) -> Account:
        """GET /accounts/{email}, with balance — https://useapi.net/docs/api-kling-v1/get-kling-accounts-email"""
        data = self._http.call("GET", f"/accounts/{_email_path(email)}")
        return parsers.parse_account(data, email=email)

    def add_account(self, email: str, password: str, max_jobs: int) -> Account:
        """POST /accounts (add, or update maxJobs) — https://useapi.net/docs/api-kling-v1/post-kling-accounts"""
        data = self._http.call(
            "POST",
            "/accounts",
            json_body={"email": email, "password": password, "maxJobs": max_jobs},
            secrets=(password,),  # so an upstream echo of it never reaches a message
        )
        return parsers.parse_account(data, email=email)

    def delete_account(self, email: str) -> None:
        """DELETE /accounts/{email} — https://useapi.net/docs/api-kling-v1/del-kling-accounts-email

        The success body is undocumented (probably 204), so any 2xx, with or without body, is fine.
        """
        self._http.call("DELETE", f"/accounts/{_email_path(email)}", expect_json=False)

    # -- assets ---------------------------------------------------------------------------------

    def upload_asset(
        self,
        file: str | os.PathLike[str] | IO[bytes],
        content_type: str,
        *,
        email: str | None = None,
        size: int | None = None,
    ) -> Asset:
        """POST /assets/?email= (raw body) — https://useapi.net/docs/api-kling-v1/post-kling-assets

        `file` is a path or an open binary file (e.g. one from Django storage); either way it is
        streamed (a video may be 100 MB), never read into memory whole. `size` is its length in
        bytes when the file object cannot tell (it is sent as Content-Length).
        """
        if isinstance(file, str | os.PathLike):
            with open(file, "rb") as body:
                return self._upload(body, content_type, email, os.fstat(body.fileno()).st_size)
        return self._upload(file, content_type, email, size if size is not None else _size(file))

    def _upload(self, body: IO[bytes], content_type: str, email: str | None, size: int) -> Asset:
        data = self._http.call(
            "POST",
            "/assets/",
            params={"email": email},
            data=body,
            headers={"Content-Type": content_type, "Content-Length": str(size)},
            upload=True,
        )
        asset = parsers.parse_asset(data)
        if not (asset.best_url or asset.cover_url):
            raise BadResponse("The upload was accepted but the upstream sent no URL for it.")
        return asset

    def fetch_file(
        self, url: str, sink: BinaryIO, *, max_bytes: int, timeout: float
    ) -> fetch.Fetched:
        """Download a result file (an upstream CDN URL) into `sink`, streamed: see fetch.py.

        Not an endpoint: the URL came in an answer. The token is not sent with it; the
        connection's own host is the one private address allowed (the sandbox's files).
        """
        own_host = urlsplit(self._http.base_url).hostname
        return fetch.fetch(
            self._http.session, url, sink, max_bytes=max_bytes, timeout=timeout, own_host=own_host
        )

    def download_asset(
        self,
        work_ids: list[int],
        *,
        file_types: list[str] | None = None,
        email: str | None = None,
    ) -> Download:
        """GET /assets/download — watermark-free master (cdnUrl).

        No doc page was captured; the contract is useapi's Postman collection and its
        useapi/kling-api scripts (reference §3.4).
        """
        params = {
            "workIds": ",".join(str(int(w)) for w in work_ids),
            "fileTypes": ",".join(file_types) if file_types else None,
            "email": email,
        }
        return parsers.parse_download(self._http.call("GET", "/assets/download", params=params))

    # -- motions --------------------------------------------------------------------------------

    def motion_upload(
        self,
        *,
        resource_url: str,
        cover_url: str,
        email: str | None = None,
        max_jobs: int | None = None,
        reply_url: str | None = None,
        reply_ref: str | None = None,
    ) -> TaskStatus:
        """POST /videos/motion-upload — https://useapi.net/docs/api-kling-v1/post-kling-videos-motion-upload.html

        Creates a paid Kling task: never resend it after an error with `request_sent` True.
        """
        body = {
            "email": email,
            "resourceUrl": resource_url,
            "coverUrl": cover_url,
            "maxJobs": max_jobs,
            "replyUrl": reply_url,
            "replyRef": reply_ref,
        }
        return self._create("/videos/motion-upload", body)

    def motion_create(self, *, email: str | None = None, **fields: Any) -> TaskStatus:
        """POST /videos/motion-create — https://useapi.net/docs/api-kling-v1/post-kling-videos-motion-create.html

        Fields pass through under their upstream names, since the body changed between
        versions: 2025 `workId`, `image`, `prompt`, `duration`, `mode`, `character_id`, ...;
        2026 `imageUrl`, `motionUrl`, `model_name`, `keepAudio`, `motionDirection`, `element_1`;
        both `replyUrl`, `replyRef`. Creates a paid Kling task, like `motion_upload`.
        """
        return self._create("/videos/motion-create", {"email": email, **fields})

    def _create(self, path: str, body: dict[str, Any]) -> TaskStatus:
        body = {k: v for k, v in body.items() if v is not None}
        # No fallback id: a 200 without task.id is a BadResponse (useapi's own scripts agree).
        return parsers.parse_task_status(self._http.call("POST", path, json_body=body))

    def list_motions(
        self,
        *,
        email: str | None = None,
        mine: bool = False,
        page_num: int | None = None,
        page_size: int | None = None,
    ) -> list[Motion]:
        """GET /videos/motions — https://useapi.net/docs/api-kling-v1/get-kling-videos-motions

        Paging is honoured only with mine=true, and only by the 2025 API.
        """
        params = {
            "email": email,
            "mine": "true" if mine else "false",
            "pageNum": page_num,
            "pageSize": page_size,
        }
        return parsers.parse_motions(self._http.call("GET", "/videos/motions", params=params))

    # -- tasks ----------------------------------------------------------------------------------

    def get_task(self, task_id: int, *, email: str | None = None) -> TaskStatus:
        """GET /tasks/{task_id} — https://useapi.net/docs/api-kling-v1/get-kling-tasks-task_id"""
        task_id = int(task_id)
        data = self._http.call("GET", f"/tasks/{task_id}", params={"email": email})
        return parsers.parse_task_status(data, task_id=task_id)

    def list_tasks(
        self,
        *,
        email: str | None = None,
        created_after: int | None = None,
        created_before: int | None = None,
        page_size: int | None = None,
        content_type: str | None = None,
    ) -> list[ListedTask]:
        """GET /tasks — https://useapi.net/docs/api-kling-v1/get-kling-tasks

        `created_after` / `created_before` are epoch milliseconds and exclusive of each other
        (a time cursor); the items' model was not captured, so they are parsed tolerantly.
        """
        if created_after is not None and created_before is not None:
            raise ValueError("GET /tasks takes createdAfter or createdBefore, not both")
        params = {
            "email": email,
            "contentType": content_type,
            "pageSize": page_size,
            "createdAfter": created_after,
            "createdBefore": created_before,
        }
        return parsers.parse_task_list(self._http.call("GET", "/tasks", params=params))

    def delete_task(self, task_id: int, *, email: str | None = None) -> DeletedTask:
        """DELETE /tasks/{task_id} — https://useapi.net/docs/api-kling-v1/del-kling-tasks-task_id.html

        Removes the task and all its works; for a 2025 user motion pass the motion's taskId.
        """
        data = self._http.call("DELETE", f"/tasks/{int(task_id)}", params={"email": email})
        return parsers.parse_deleted_task(data)

    # -- usage statistics (on the useapi root) --------------------------------------------------

    def account_stats(
        self,
        *,
        bot: str = "kling",
        day: date | None = None,
        limit: int | None = None,
        config: str | None = None,
    ) -> stats.UsageStats:
        """GET /v2/account/stats?bot=kling on the useapi root — https://useapi.net/docs/account-management/get-account-stats

        Not under /v1/kling: the root is derived from the base URL (stats.useapi_root). `day`
        is sent as `date` (today by default, upstream); `limit` (≤ 50000) makes the upstream
        ignore the date; `config` narrows to one account's email.
        """
        root = stats.useapi_root(self._http.base_url)
        if root is None:
            raise InvalidInput(
                "The base URL does not end in /v1/kling, so the useapi root (for usage "
                "statistics) is unknown."
            )
        if limit is not None and not 1 <= limit <= stats.MAX_LIMIT:
            raise ValueError(f"limit must be from 1 to {stats.MAX_LIMIT}")
        params = {
            "bot": bot,
            "date": day.isoformat() if day else None,
            "limit": limit,
            "config": config,
        }
        data = self._http.call("GET", stats.STATS_PATH, params=params, base=root)
        return stats.parse_stats(data)

    # -- scheduler ------------------------------------------------------------------------------

    def scheduler(self) -> list[RunningJob]:
        """GET /scheduler — https://www.useapi.net/docs/api-kling-v1/get-kling-scheduler.html

        The running jobs of this token, each with the replyUrl/replyRef its create call sent.
        """
        return parsers.parse_running_jobs(self._http.call("GET", "/scheduler"))

    def scheduler_available(self) -> Capacity:
        """GET /scheduler/available — https://useapi.net/docs/api-kling-v1/get-kling-scheduler-available.html"""
        return parsers.parse_capacity(self._http.call("GET", "/scheduler/available"))


def _size(file: IO[bytes]) -> int:
    """The bytes left to read in an open file: from its descriptor, else by seeking."""
    try:
        return os.fstat(file.fileno()).st_size - file.tell()
    except (AttributeError, OSError, ValueError):
        pass
    start = file.tell()
    end = file.seek(0, os.SEEK_END)
    file.seek(start)
    return end - start
