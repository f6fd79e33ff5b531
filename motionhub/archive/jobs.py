"""The archive job: after every success, copy what upstream made into Django storage.

    motionhub.archive.jobs.archive_task(task_id)   one task's files (queued on success)
    motionhub.archive.jobs.sweep()                 the schedule: failed ones again, lost ones

- motion-create: the clean MP4 (GET /assets/download's cdnUrl, asked by this job: download.py),
  else the watermarked video; and the cover.
- motion-upload: the cover, and the BVH and binary archives where upstream lists them (the
  2025 `extData` of the new motion in GET /videos/motions?mine=true).

Each file is downloaded through the useapi client's streamed fetch into a local temporary file
(size limit, timeout, checksum), retried a few times with back-off when the failure may pass,
and only then saved to storage: a refused or broken download leaves nothing there. A task
whose files keep failing stays succeeded; its archive row says why ("not archived: …"), and
the sweep tries again later, a bounded number of times.
"""

from __future__ import annotations

import logging
import mimetypes
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.archive import download
from motionhub.archive.models import (
    RETRIED,
    ArchiveState,
    FileKind,
    KeptFile,
    SpaceUsed,
    TaskArchive,
)
from motionhub.core import crypto
from motionhub.tasks.models import Kind, MotionTask, State
from motionhub.useapi import FetchRefused, UseapiError
from motionhub.useapi.links import http_url

log = logging.getLogger(__name__)

JOB = "motionhub.archive.jobs.archive_task"
# A file kind and the URL to fetch it from.
Wanted = tuple[str, str]


class Refused(Exception):
    """A file that will not be kept however often we try (shown as the reason)."""


def on_task_succeeded(sender, task_id: int, **kwargs) -> None:
    """Receiver of tasks.track.task_succeeded: note the archive is due, queue it on commit."""
    TaskArchive.objects.get_or_create(task_id=task_id)
    transaction.on_commit(lambda: enqueue(task_id))


def enqueue(task_id: int) -> None:
    async_task(JOB, task_id, task_name=f"archive-{task_id}")


def archive_task(task_id: int) -> None:
    """Job: keep one succeeded task's files. Safe to run twice (the claim is conditional)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.Q_CLUSTER["retry"])
    TaskArchive.objects.get_or_create(task_id=task_id)
    claimed = (
        TaskArchive.objects.filter(task_id=task_id)
        .filter(Q(state__in=RETRIED) | Q(state=ArchiveState.RUNNING, started_at__lt=stale))
        .update(state=ArchiveState.RUNNING, started_at=now)
    )
    if not claimed:
        return
    task = (
        MotionTask.objects.select_related("account__connection")
        .filter(pk=task_id, state=State.SUCCEEDED)
        .first()
    )
    if task is None or task.account is None:
        _finish(task_id, ArchiveState.GAVE_UP, "The task is not a success any more.")
        return
    try:
        problems, notes, retry = _archive(task)
    except Exception:
        _finish(task_id, ArchiveState.FAILED, "The archive job stopped on an unexpected error.")
        raise
    if problems:
        state = ArchiveState.FAILED if retry else ArchiveState.GAVE_UP
        _finish(task_id, state, " ".join(problems + notes))
    else:
        _finish(task_id, ArchiveState.DONE, " ".join(notes))


def _archive(task: MotionTask) -> tuple[list[str], list[str], bool]:
    """Fetch every wanted file not kept yet: (problems, notes, whether a retry may help)."""
    try:
        client = task.account.connection.client()
    except crypto.DecryptionError:
        return ["The connection's API token cannot be decrypted. Enter it again."], [], True
    kept = set(KeptFile.objects.filter(task=task).values_list("kind", flat=True))
    retry = False
    if task.kind == Kind.MOTION_CREATE:
        wanted, problems = _create_files(task, client, kept)
    else:
        wanted, problems, retry = _upload_files(task, client, kept)
    notes: list[str] = []
    fallback = http_url((task.upstream.get("result") or {}).get("video_url"))
    while wanted:
        kind, url = wanted.pop(0)
        if kind in kept:
            continue
        try:
            _keep(task, client, kind, url)
            kept.add(kind)
        except (Refused, UseapiError) as exc:
            if kind == FileKind.CLEAN_VIDEO and fallback:
                # The clean master cannot be had: keep the watermarked video instead.
                notes.append(f"The clean video could not be kept ({exc}); kept the watermarked.")
                wanted.insert(0, (FileKind.VIDEO, fallback))
                continue
            problems.append(f"{FileKind(kind).label}: {exc}")
            retry = retry or (isinstance(exc, UseapiError) and exc.transient)
    return problems, notes, retry


def _create_files(task: MotionTask, client, kept: set[str]) -> tuple[list[Wanted], list[str]]:
    if not kept & {FileKind.CLEAN_VIDEO, FileKind.VIDEO} and download.wants_asking(task):
        download.ask_clean_download(task, client)  # this job is the one that asks upstream
    result = task.upstream.get("result") or {}
    clean = http_url((task.upstream.get("download") or {}).get("cdnUrl"))
    video = http_url(result.get("video_url"))
    wanted: list[Wanted] = []
    notes: list[str] = []
    if kept & {FileKind.CLEAN_VIDEO, FileKind.VIDEO}:
        pass  # a video is kept already
    elif clean:
        wanted.append((FileKind.CLEAN_VIDEO, clean))
    elif video:
        wanted.append((FileKind.VIDEO, video))
    elif refused := _not_http(FileKind.VIDEO, result.get("video_url")):
        notes.append(refused)
    else:
        notes.append("Upstream gave no video URL.")
    if cover := http_url(result.get("cover_url")):
        wanted.append((FileKind.COVER, cover))
    elif refused := _not_http(FileKind.COVER, result.get("cover_url")):
        notes.append(refused)
    return wanted, notes


def _not_http(kind: str, raw: object) -> str:
    """Why an address upstream gave is not fetched at all (a `javascript:`, `ftp:`, `file:`
    address never becomes a request); "" when there was none."""
    if isinstance(raw, str) and raw.strip():
        return f"{FileKind(kind).label}: the address upstream gave is not an http(s) URL."
    return ""


def _upload_files(task: MotionTask, client, kept: set[str]) -> tuple[list[Wanted], list[str], bool]:
    result = task.upstream.get("result") or {}
    wanted: list[Wanted] = []
    if cover := http_url(result.get("cover_url")):
        wanted.append((FileKind.COVER, cover))
    if {FileKind.BVH, FileKind.BINARY} <= kept or task.upstream_task_id is None:
        return wanted, [], False
    try:
        motions = client.list_motions(email=task.account.email, mine=True, page_num=1,
                                      page_size=100)  # fmt: skip
    except UseapiError as exc:
        return wanted, [f"The motion archives could not be listed: {exc}"], exc.transient
    motion = next((m for m in motions if m.task_id == task.upstream_task_id), None)
    if motion is not None:  # 2026 motions carry no taskId and no extData: nothing more
        if bvh := http_url(motion.bvh_url):
            wanted.append((FileKind.BVH, bvh))
        if binary := http_url(motion.binary_url):
            wanted.append((FileKind.BINARY, binary))
    return wanted, [], False


def _keep(task: MotionTask, client, kind: str, url: str) -> KeptFile:
    """Download `url` (bounded retries with back-off) and save it to storage as one row."""
    attempts = max(settings.MOTIONHUB_ARCHIVE_ATTEMPTS, 1)
    for attempt in range(attempts):
        with tempfile.TemporaryFile(prefix="motionhub-archive-") as tmp:
            try:
                fetched = client.fetch_file(
                    url,
                    tmp,
                    max_bytes=settings.MOTIONHUB_ARCHIVE_MAX_BYTES,
                    timeout=settings.MOTIONHUB_ARCHIVE_TIMEOUT,
                )
            except FetchRefused as exc:
                raise Refused(str(exc)) from None
            except UseapiError as exc:
                if not exc.transient or attempt + 1 >= attempts:
                    raise
                log.info("archive of task %s (%s): %s; trying again", task.pk, kind, exc)
                time.sleep(settings.MOTIONHUB_ARCHIVE_BACKOFF_SECONDS * (2**attempt))
                continue
            tmp.seek(0)
            name = default_storage.save(_storage_name(task, kind, url, fetched.content_type),
                                        File(tmp))  # fmt: skip
        try:
            with transaction.atomic():
                kept = KeptFile.objects.create(
                    task=task, kind=kind, name=name, size=fetched.size, sha256=fetched.sha256,
                    content_type=fetched.content_type, source_url=fetched.source_url,
                )  # fmt: skip
                SpaceUsed.add(SpaceUsed.RESULTS, fetched.size)
            return kept
        except IntegrityError:
            default_storage.delete(name)  # another run kept this kind meanwhile
            return KeptFile.objects.get(task=task, kind=kind)
        except BaseException:
            default_storage.delete(name)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _storage_name(task: MotionTask, kind: str, url: str, content_type: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if not (suffix and len(suffix) <= 5 and suffix[1:].isalnum()):
        suffix = mimetypes.guess_extension(content_type) or ".bin"
    when = timezone.now()
    return f"archive/{when:%Y/%m}/{task.pk}-{kind}-{uuid.uuid4().hex[:8]}{suffix}"


def _finish(task_id: int, state: str, reason: str) -> None:
    now = timezone.now()
    row = TaskArchive.objects.get(task_id=task_id)
    attempts = row.attempts + 1
    next_try = None
    if state == ArchiveState.FAILED:
        if attempts >= settings.MOTIONHUB_ARCHIVE_SWEEP_ATTEMPTS:
            state = ArchiveState.GAVE_UP
            reason = f"{reason} Gave up after {attempts} tries."
        else:
            delay = settings.MOTIONHUB_ARCHIVE_RETRY_SECONDS * (2 ** (attempts - 1))
            next_try = now + timedelta(seconds=delay)
    TaskArchive.objects.filter(pk=row.pk).update(
        state=state, reason=reason[:2000], attempts=attempts, next_try_at=next_try,
        finished_at=now,
    )  # fmt: skip


def sweep(limit: int = 100) -> int:
    """Scheduled: archive again what failed (when due), what a dead worker left running, and
    successes that never got an archive row (older tasks, a lost job). Returns how many."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.Q_CLUSTER["retry"])
    due = TaskArchive.objects.filter(
        Q(state=ArchiveState.FAILED, next_try_at__lte=now)
        | Q(state=ArchiveState.RUNNING, started_at__lt=stale)
        | Q(state=ArchiveState.PENDING, task__finished_at__lt=now - timedelta(minutes=5))
    ).values_list("task_id", flat=True)[:limit]
    task_ids = list(due)
    missing = (
        MotionTask.objects.filter(state=State.SUCCEEDED, archive__isnull=True)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[: max(limit - len(task_ids), 0)]
    )
    for task_id in missing:
        TaskArchive.objects.get_or_create(task_id=task_id)
        task_ids.append(task_id)
    for task_id in task_ids:
        enqueue(task_id)
    return len(task_ids)
