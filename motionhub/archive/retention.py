"""Retention: how long uploaded inputs and kept results stay in storage, applied daily.

    motionhub.archive.retention.apply()   the "motionhub: storage retention" schedule

- Inputs (a task's video, cover, image) go MOTIONHUB_KEEP_INPUTS_DAYS after the task is final
  (default 30). Retries and runs share stored files, so a file goes only once every task that
  names it is past its retention. The task keeps its row; its file fields are emptied and
  `inputs["removed_at"]` says when, so its page says "no longer kept" instead of a broken link.
- Kept results go MOTIONHUB_KEEP_RESULTS_DAYS after their task succeeded (default: forever).
  Their KeptFile rows are deleted and the task's archive row says EXPIRED, with why.
- Each run that removed something is one audit entry by "system". The run ends by measuring
  the space used (SpaceUsed), which the home page shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.archive.models import ArchiveState, KeptFile, SpaceUsed, TaskArchive
from motionhub.audit import Action, record
from motionhub.tasks.models import FINAL, MotionTask

log = logging.getLogger(__name__)

INPUT_FIELDS = ("video", "cover", "image")
# Where inputs live in storage (tasks' upload_to folders and the staged images of runs).
INPUTS_FOLDER = "motions"
BATCH = 500
JOB = "motionhub.archive.retention.apply"
# Well inside Q_TIMEOUT (600 s by default), with room for the measuring at the end.
BUDGET_SECONDS = 300.0


def apply(now=None, budget_seconds: float = BUDGET_SECONDS) -> dict:
    """Remove what is past its retention, then measure the space used. Returns the counts.

    A run stops removing after `budget_seconds` (a job must end within Q_TIMEOUT) and queues
    another run for the rest, so a first run on a large history catches up in a few jobs.
    """
    now = now or timezone.now()
    deadline = time.monotonic() + budget_seconds
    inputs_days = settings.MOTIONHUB_KEEP_INPUTS_DAYS
    results_days = settings.MOTIONHUB_KEEP_RESULTS_DAYS
    done = {"input_files": 0, "input_tasks": 0, "result_files": 0, "result_bytes": 0}
    if inputs_days is not None:
        done["input_files"], done["input_tasks"] = remove_inputs(
            now - timedelta(days=inputs_days), deadline
        )
    if results_days is not None and time.monotonic() < deadline:
        done["result_files"], done["result_bytes"] = remove_results(
            now - timedelta(days=results_days), results_days, deadline
        )
    if time.monotonic() >= deadline:
        log.info("retention: out of time after %s; another run continues", done)
        async_task(JOB, task_name="storage-retention-continued")
    if done["input_files"] or done["input_tasks"] or done["result_files"]:
        record(
            None, Action.RETENTION, actor_name="system", target_type="storage",
            target_label="inputs and kept results",
            detail=(f"Removed {done['input_files']} input file(s) of {done['input_tasks']} "
                    f"task(s) (kept {_span(inputs_days)} after a task is final) and "
                    f"{done['result_files']} kept result file(s), "
                    f"{filesizeformat(done['result_bytes'])} (kept {_span(results_days)})."),
        )  # fmt: skip
    measure()
    return done


def _span(days: int | None) -> str:
    return "forever" if days is None else f"{days} days"


def remove_inputs(cutoff, deadline: float = float("inf")) -> tuple[int, int]:
    """Inputs of tasks final before `cutoff`: (files deleted, tasks marked)."""
    expired = Q(state__in=FINAL, finished_at__lt=cutoff)
    holds_a_file = ~Q(video="") | ~Q(cover="") | ~Q(image="")
    files = tasks = 0
    last_pk = 0
    while True:
        batch = list(
            MotionTask.objects.filter(expired, holds_a_file, pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "inputs", *INPUT_FIELDS)[:BATCH]
        )
        if not batch or time.monotonic() >= deadline:
            return files, tasks
        last_pk = batch[-1].pk
        names = {getattr(t, f).name for t in batch for f in INPUT_FIELDS if getattr(t, f)}
        # A file another task still needs (a retry, a run's shared image) stays for now: one
        # read per batch of the tasks not yet past their time that name any of these files.
        needed = set()
        for row in (
            MotionTask.objects.filter(Q(video__in=names) | Q(cover__in=names) | Q(image__in=names))
            .exclude(expired)
            .values_list(*INPUT_FIELDS)
        ):
            needed |= set(row) & names
        for name in names - needed:
            _delete(name)
            files += 1
        for task in batch:
            removed = [f for f in INPUT_FIELDS if getattr(task, f) and getattr(task, f).name
                       not in needed]  # fmt: skip
            if not removed:
                continue
            for field in removed:
                setattr(task, field, "")
            gone = sorted(set(task.inputs.get("removed", [])) | set(removed))
            task.inputs = {**task.inputs, "removed_at": timezone.now().isoformat(), "removed": gone}
            MotionTask.objects.filter(pk=task.pk).update(
                inputs=task.inputs, **{f: getattr(task, f).name or "" for f in INPUT_FIELDS}
            )
            tasks += 1


def remove_results(cutoff, days: int, deadline: float = float("inf")) -> tuple[int, int]:
    """Kept files of tasks that succeeded before `cutoff`: (files deleted, bytes freed)."""
    files = size = 0
    while True:
        batch = list(KeptFile.objects.filter(task__finished_at__lt=cutoff).order_by("pk")[:BATCH])
        if not batch or time.monotonic() >= deadline:
            return files, size
        for kept in batch:
            _delete(kept.name)
        freed = sum(k.size for k in batch)
        task_ids = {k.task_id for k in batch}
        with transaction.atomic():
            KeptFile.objects.filter(pk__in=[k.pk for k in batch]).delete()
            SpaceUsed.add(SpaceUsed.RESULTS, -freed, -len(batch))
            TaskArchive.objects.filter(task_id__in=task_ids).update(
                state=ArchiveState.EXPIRED, next_try_at=None,
                reason=f"The kept copy was removed on {timezone.now():%Y-%m-%d}, {days} days "
                       "after the task succeeded (MOTIONHUB_KEEP_RESULTS_DAYS).",
            )  # fmt: skip
        files += len(batch)
        size += freed


def _delete(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # gone already: what we wanted
        default_storage.delete(name)


def measure() -> None:
    """Recount the kept results from their rows; measure the inputs in storage, once a day
    (the home page reads these figures, never the storage itself)."""
    totals = KeptFile.objects.aggregate(size=Sum("size"), files=Count("pk"))
    SpaceUsed.set(SpaceUsed.RESULTS, totals["size"] or 0, totals["files"])
    size, files = _folder_size(INPUTS_FOLDER)
    SpaceUsed.set(SpaceUsed.INPUTS, size, files)


def _folder_size(folder: str) -> tuple[int, int]:
    """(bytes, files) under `folder`: a walk of the disk, a listing of the bucket (sizes come
    with it), or, for another storage, a listing with one size read per file."""
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        size = files = 0
        for root, _dirs, names in os.walk(storage.path(folder)):
            for name in names:
                try:
                    size += os.stat(os.path.join(root, name)).st_size
                    files += 1
                except FileNotFoundError:
                    continue
        return size, files
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        prefix = "/".join(p for p in (getattr(storage, "location", ""), folder) if p) + "/"
        size = files = 0
        for obj in bucket.objects.filter(Prefix=prefix):
            size += obj.size
            files += 1
        return size, files
    return _listed_size(folder)


def _listed_size(folder: str) -> tuple[int, int]:
    try:
        folders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0, 0
    size = sum(default_storage.size(f"{folder}/{name}") for name in names)
    files = len(names)
    for sub in folders:
        more, count = _listed_size(f"{folder}/{sub}")
        size, files = size + more, files + count
    return size, files
