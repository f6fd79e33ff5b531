"""The API's answers, as pydantic schemas: the OpenAPI schema is generated from these."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    """RFC 9457 problem details (served as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(
        None, description="Field errors: [{field, detail}]."
    )


class AccountRef(Schema):
    id: int
    name: str


class TaskError(Schema):
    category: str
    label: str
    message: str


class TaskResult(Schema):
    """What upstream made (http(s) URLs only), as far as known."""

    video_url: str
    cover_url: str
    clean_url: str
    work_id: int | None


class KeptFileOut(Schema):
    kind: str
    url: str = Field(description="MotionHub's kept copy, at /api/v1/files/{id} (with Range).")
    download_url: str
    size: int
    content_type: str
    sha256: str


class TaskOut(Schema):
    id: int
    state: str = Field(description="The pages' state names: queued, uploading, submitting, "
                       "submitted, processing, succeeded, failed, rejected, needs_attention, "
                       "canceled.")  # fmt: skip
    state_label: str
    kind: str
    name: str
    account: AccountRef | None
    automatic: bool
    submitted_by: str | None
    batch: int | None
    retry_of: int | None
    retried: bool
    created_at: datetime
    finished_at: datetime | None
    error: TaskError | None
    result: TaskResult | None
    kept_files: list[KeptFileOut]
    url: str
    page_url: str


class TaskPage(Schema):
    items: list[TaskOut]
    next: str | None = Field(description="Older tasks (cursor `before`).")
    prev: str | None = Field(description="Newer tasks (cursor `after`).")


class RefusedClip(Schema):
    name: str
    reason: str


class BatchOut(Schema):
    id: int
    kind: str
    name: str
    created_by: str | None
    created_at: datetime
    total: int
    counts: dict[str, int] = Field(description="Tasks by state.")
    refused: list[RefusedClip]
    url: str
    page_url: str


class BatchDetail(BatchOut):
    tasks: list[TaskOut]


class BatchPage(Schema):
    items: list[BatchOut]
    next: str | None
    prev: str | None


class SubmittedOut(Schema):
    """What an upload or a create made: one task, or a batch of them."""

    batch: BatchOut | None
    tasks: list[TaskOut]
    refused: list[RefusedClip]


class BulkOut(Schema):
    batch: int
    affected: list[int] = Field(description="New tasks (retry) or canceled tasks (cancel).")
    count: int


class MotionOut(Schema):
    id: int
    kind: str = Field(description="mine or official")
    name: str
    account: AccountRef
    upstream_id: str
    work_id: int | None
    task_id: int | None
    tag: str
    cover_url: str
    video_url: str
    duration_s: float | None
    can_be_deleted: bool
    deletion: str | None = Field(description="State of its latest deletion, if any.")


class LibraryPage(Schema):
    items: list[MotionOut]
    next: str | None


class DeletionOut(Schema):
    id: int
    motion: int
    state: str


class SlotsOut(Schema):
    in_use: int = Field(description="Jobs upstream reports as running on the account.")
    ours: int = Field(description="MotionHub's own tasks holding a slot of it.")
    max: int


class AccountOut(Schema):
    id: int
    email: str
    label: str
    connection: str
    enabled: bool
    health: str = Field(description="active, cooling_down, needs_relogin, out_of_credits or "
                        "disabled.")  # fmt: skip
    health_label: str
    health_reason: str
    health_until: datetime | None
    slots: SlotsOut
    credits: int | None
    session_expires_at: datetime | None
    last_synced_at: datetime | None
