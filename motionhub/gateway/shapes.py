"""MotionHub's records in useapi's answer shapes (reference §2, §4, §7)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.http import HttpRequest
from django.utils import timezone

from motionhub.archive.models import ArchiveState, FileKind, KeptFile, TaskArchive
from motionhub.gateway import links
from motionhub.library.models import Motion
from motionhub.tasks.models import IN_FLIGHT, Kind, MotionTask, State
from motionhub.useapi.links import http_url

MAX_SAFE = 2**53 - 1
# Kling's numbers for useapi's status names (only 99 is confirmed; the sandbox uses the rest).
SUBMITTED = (5, "submitted")
PROCESSING = (10, "processing")
SUCCEED = (99, "succeed")
FAILED = (50, "failed")
KLING_TYPE = {Kind.MOTION_UPLOAD: "motion_control_motion_process", Kind.MOTION_CREATE: "m2v_motion"}
# The archive is still at it: a script waits (status processing) until the result is kept.
ARCHIVING = (ArchiveState.PENDING, ArchiveState.RUNNING)


def safe_id(value: int | None) -> int | None:
    """An id a JavaScript client reads exactly, else None (such a field is left out)."""
    return value if value is not None and -MAX_SAFE <= value <= MAX_SAFE else None


def epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000) if moment else 0


def account(kling) -> dict:
    """GET /accounts item: the password is never ours to show, so it reads as useapi's does."""
    expires = kling.session_expires_at
    return {
        "email": kling.email,
        "session": {
            "userId": "",
            "ExpireTime": epoch_ms(expires),
            "ExpireTimeUTC": expires.isoformat() if expires else "",
        },
        "maxJobs": kling.max_jobs,
        "password": "…secured…",
    }


def account_with_balance(kling) -> dict:
    total = kling.credits if kling.credits is not None else 0
    return account(kling) | {
        "balance": {"points": [], "tickets": [], "nextApplyTime": 0, "total": total}
    }


def running(task: MotionTask) -> dict:
    started = task.claimed_at or task.created_at
    seconds = max(0, int((timezone.now() - started).total_seconds()))
    return {
        "id": task.pk,
        "email": task.account.email if task.account_id else "",
        "started": started.isoformat(),
        "elapsed": f"{seconds // 60:02d}:{seconds % 60:02d}",
        "replyUrl": "",
        "replyRef": "",
    }


def _status(task: MotionTask, archive: TaskArchive | None) -> tuple[tuple[int, str], bool]:
    if task.state == State.SUCCEEDED:
        if task.kind == Kind.MOTION_CREATE and archive is not None and archive.state in ARCHIVING:
            return PROCESSING, False
        return SUCCEED, True
    if task.state in (State.FAILED, State.REJECTED, State.CANCELED):
        return FAILED, True
    if task.state == State.PROCESSING:
        return PROCESSING, False
    # Queued, uploading, submitting, submitted; and needs_attention, which waits for a person.
    return SUBMITTED, False


def _kept(request: HttpRequest, files: dict, kinds: tuple[str, ...]) -> str:
    """A signed URL of the first kept file of `kinds` (files: kind → KeptFile), else ""."""
    for kind in kinds:
        if kind in files:
            kept = files[kind]
            name = f"{kind}{PurePosixPath(kept.name).suffix}"
            return links.signed_url(request, links.KEPT, kept.pk, name)
    return ""


def _works(request: HttpRequest, task: MotionTask, final: bool, ok: bool) -> list[dict]:
    if task.kind != Kind.MOTION_CREATE or not (final and ok):
        return []
    result = task.upstream.get("result") or {}
    files = {kept.kind: kept for kept in task.kept_files.all()}
    # What MotionHub kept; upstream's own URL only when nothing could be kept (archive gave up).
    video = _kept(request, files, (FileKind.VIDEO, FileKind.CLEAN_VIDEO)) or http_url(
        result.get("video_url")
    )
    cover = _kept(request, files, (FileKind.COVER,)) or http_url(result.get("cover_url"))
    return [
        {
            "workId": task.pk,
            "taskId": task.pk,
            "type": KLING_TYPE[task.kind],
            "status": SUCCEED[0],
            "status_name": SUCCEED[1],
            "status_final": True,
            "contentType": "video",
            "resource": {"resource": video, "duration": result.get("duration_ms") or 0},
            "cover": {"resource": cover},
            "createTime": epoch_ms(task.finished_at),
        }
    ]


def task_model(request: HttpRequest, task: MotionTask) -> dict:
    """GET /tasks/{id}: useapi's model, built from MotionHub's state of the task."""
    archive = TaskArchive.objects.filter(task=task).first()
    (number, name), final = _status(task, archive)
    ok = name == SUCCEED[1]
    model = {
        "id": task.pk,
        "type": KLING_TYPE[task.kind],
        "status": number,
        "status_name": name,
        "status_final": final,
        "taskInfo": {"type": KLING_TYPE[task.kind], "inputs": [], "arguments": []},
        "createTime": epoch_ms(task.created_at),
        "updateTime": epoch_ms(task.updated_at),
    }
    body = {
        "task": model,
        "works": _works(request, task, final, ok),
        "status": number,
        "status_name": name,
        "status_final": final,
        "message": task.get_state_display(),
    }
    if name == FAILED[1]:
        body["error"] = task.error_message or f"The task was {task.get_state_display().lower()}."
    return body


def in_flight_tasks():
    return MotionTask.objects.filter(state__in=IN_FLIGHT).select_related("account")


def motion(item: Motion) -> dict:
    """GET /videos/motions item, in the API generation the library read it in."""
    if item.shape == "2026":
        return {
            "assetId": item.asset_id or item.key,
            "assetType": "MOTION",
            "url": item.video_url,
            "coverUrl": item.cover_url,
            "duration": item.duration_ms or 0,
            "width": item.width or 0,
            "height": item.height or 0,
            "createTime": epoch_ms(item.upstream_created_at),
        }
    shown = {
        "workName": item.shown_name,
        "workId": safe_id(item.work_id),
        "official": not item.is_mine,
        "tag": item.tag,
        "resource": {"resource": item.video_url},
        "cover": {"resource": item.cover_url},
    }
    if item.is_mine:
        # DELETE /tasks/{taskId} here takes MotionHub's task id: the upload that made it.
        shown["taskId"] = item.source_task_id
    return {key: value for key, value in shown.items() if value is not None}


def kept_clean(task: MotionTask) -> KeptFile | None:
    return task.kept_files.filter(kind=FileKind.CLEAN_VIDEO).first()
