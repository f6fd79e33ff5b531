"""Writing what upstream listed into the local cache, and linking motions to our upload tasks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from motionhub.library.models import Motion, Origin
from motionhub.tasks.models import Kind as TaskKind
from motionhub.tasks.models import MotionTask
from motionhub.useapi.links import http_url

if TYPE_CHECKING:
    from motionhub.accounts.models import KlingAccount
    from motionhub.useapi import Motion as UpstreamMotion

# Keeps IN lists far below every database's bound-parameter limit.
CHUNK = 500
FIELDS = [
    "shape",
    "name",
    "tag",
    "work_id",
    "task_id",
    "asset_id",
    "video_url",
    "cover_url",
    "bvh_url",
    "binary_url",
    "duration_ms",
    "width",
    "height",
    "upstream_created_at",
    "source_task",
    "position",
    "raw",
    "last_seen_at",
]
_KEY_LENGTH = Motion._meta.get_field("key").max_length
_NAME_LENGTH = Motion._meta.get_field("name").max_length


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _key(motion: UpstreamMotion) -> str:
    if len(motion.key) <= _KEY_LENGTH:
        return motion.key
    # An absurdly long asset id still needs a stable key that fits the column.
    return "hash:" + hashlib.sha256(motion.key.encode()).hexdigest()


def _clip(text: str | None, length: int) -> str:
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


def _fields(motion: UpstreamMotion) -> dict[str, Any]:
    return {
        "shape": motion.shape,
        "name": _clip(motion.name, _NAME_LENGTH) or "Untitled motion",
        "tag": _clip(motion.tag, 100),
        "work_id": motion.work_id,
        "task_id": motion.task_id,
        "asset_id": _clip(motion.asset_id, 255),
        "video_url": http_url(motion.video_url),
        "cover_url": http_url(motion.cover_url),
        "bvh_url": http_url(motion.bvh_url),
        "binary_url": http_url(motion.binary_url),
        "duration_ms": motion.duration_ms if (motion.duration_ms or 0) > 0 else None,
        "width": motion.width,
        "height": motion.height,
        "upstream_created_at": motion.created_at,
        "raw": motion.raw,
    }


def link_tasks(account: KlingAccount, motions: Sequence[UpstreamMotion]) -> dict[str, int]:
    """Which of our upload tasks produced each motion: {motion key: MotionTask id}.

    2025 motions carry the taskId of the motion-upload task; 2026 ones carry none, but their
    `url` is the `resourceUrl` our upload of the video got back from POST /assets.
    """
    uploads = MotionTask.objects.filter(account=account, kind=TaskKind.MOTION_UPLOAD)
    task_ids = sorted({m.task_id for m in motions if m.task_id is not None})
    by_task_id: dict[int, int] = {}
    for chunk in _chunks(task_ids):
        rows = uploads.filter(upstream_task_id__in=chunk).values_list("upstream_task_id", "pk")
        by_task_id.update(rows)
    urls = sorted({m.video_url for m in motions if m.task_id is None and m.video_url})
    by_url: dict[str, int] = {}
    for chunk in _chunks(urls):
        rows = (
            uploads.filter(upstream__assets__video__resourceUrl__in=chunk)
            .order_by("created_at", "pk")  # the latest upload of a video wins
            .values_list("upstream__assets__video__resourceUrl", "pk")
        )
        by_url.update(rows)
    links = {}
    for motion in motions:
        found = by_task_id.get(motion.task_id) if motion.task_id is not None else None
        if found is None and motion.task_id is None and motion.video_url:
            found = by_url.get(motion.video_url)
        if found is not None:
            links[_key(motion)] = found
    return links


def replace(
    account: KlingAccount,
    kind: str,
    motions: Sequence[UpstreamMotion],
    *,
    seen_at: datetime,
    complete: bool = True,
) -> int:
    """Make the cached `kind` motions of `account` what upstream listed, in one transaction.

    Seen motions are updated or added (keeping their row, so ids in open pages stay valid); the
    ones no longer listed are removed, but only when the list is `complete`: a walk cut short
    must not delete what it did not reach. Returns how many motions are cached now.
    """
    unique: dict[str, UpstreamMotion] = {}
    for motion in motions:
        unique.setdefault(_key(motion), motion)  # a repeated item keeps its first position
    links = link_tasks(account, list(unique.values())) if kind == Origin.MINE else {}
    with transaction.atomic():
        existing = {row.key: row for row in Motion.objects.filter(account=account, kind=kind)}
        new, changed = [], []
        for position, (key, motion) in enumerate(unique.items()):
            values = _fields(motion) | {
                "position": position,
                "last_seen_at": seen_at,
                "source_task_id": links.get(key),
            }
            row = existing.get(key)
            if row is None:
                new.append(
                    Motion(account=account, kind=kind, key=key, first_seen_at=seen_at, **values)
                )
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        Motion.objects.bulk_create(new, batch_size=CHUNK)
        Motion.objects.bulk_update(changed, FIELDS, batch_size=CHUNK)
        stale = len(existing) - len(changed)
        if complete and stale:
            # Everything listed now carries seen_at; anything older was not listed.
            Motion.objects.filter(account=account, kind=kind, last_seen_at__lt=seen_at).delete()
            stale = 0
    return len(unique) + stale
