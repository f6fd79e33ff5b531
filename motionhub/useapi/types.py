"""Typed results of the useapi Kling endpoints.

Every field the upstream may leave out is optional. Each result keeps `raw`, the JSON it was
parsed from (with passwords masked), so the rest of MotionHub can store exactly what came back;
it is left out of repr and comparisons because it is big and says nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True)
class Account:
    email: str
    max_jobs: int | None = None
    session_user_id: str | None = None
    session_expires_at: datetime | None = None  # UTC
    credits: int | None = None  # balance.total, only in GET /accounts/{email}
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Asset:
    url: str | None = None  # images/audio: use as imageUrl (2026) / image (2025)
    resource_url: str | None = None  # videos: use as resourceUrl (2025) / motionUrl (2026)
    cover_url: str | None = None  # videos: the cover motion-upload needs
    file_name: str | None = None
    status: int | None = None
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def best_url(self) -> str | None:
        return self.resource_url or self.url


@dataclass(frozen=True)
class Work:
    work_id: int | None = None
    status_name: str = ""
    video_url: str | None = None
    cover_url: str | None = None
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class TaskStatus:
    task_id: int
    status: int | None = None
    status_name: str = ""
    status_final: bool = False
    message: str = ""
    error: str = ""
    works: list[Work] = field(default_factory=list)
    task_type: str = ""
    created_at: datetime | None = None
    # When upstream expects the task to end (Kling's `etaTime` hint), if it gave one.
    eta_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def succeeded(self) -> bool:
        return self.status_final and self.status_name == "succeed"

    @property
    def failed(self) -> bool:
        # Only "succeed" is success: every other final state is a failure (useapi's own rule).
        return self.status_final and not self.succeeded


@dataclass(frozen=True)
class Motion:
    key: str  # "work:<workId>", "asset:<assetId>" or "url:<hash>": stable per account
    shape: Literal["2025", "2026"]
    name: str
    official: bool | None = None
    tag: str = ""
    work_id: int | None = None  # 2025: negative for official motions
    task_id: int | None = None  # 2025 user motions: DELETE /tasks/{task_id} removes them
    asset_id: str | None = None  # 2026
    video_url: str | None = None
    cover_url: str | None = None
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    has_audio: bool | None = None
    bvh_url: str | None = None  # 2025 only
    binary_url: str | None = None  # 2025 only
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class DeletedTask:
    deleted: int = 0
    work_ids: list[int] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class RunningJob:
    task_id: int | None = None
    email: str = ""
    started: datetime | None = None
    elapsed: str = ""  # "MM:SS" as useapi sends it
    reply_url: str | None = None
    reply_ref: str | None = None


@dataclass(frozen=True)
class ListedTask:
    """An item of GET /tasks: what identifies a task and what it was made from."""

    task_id: int | None = None
    input_urls: tuple[str, ...] = ()  # taskInfo.inputs[].url, wherever the item holds them
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class AccountCapacity:
    email: str
    max_jobs: int | None = None
    executing: int | None = None
    available: int | None = None


@dataclass(frozen=True)
class Capacity:
    executing: list[RunningJob] = field(default_factory=list)
    available: list[AccountCapacity] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def for_email(self, email: str) -> AccountCapacity | None:
        wanted = email.strip().lower()
        return next((a for a in self.available if a.email.strip().lower() == wanted), None)


@dataclass(frozen=True)
class Download:
    cdn_url: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
