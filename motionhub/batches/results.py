"""/batches/<id>/results.zip: every kept result of a batch in one download, streamed.

The zip is written to a sink that hands back what was written since the last chunk, file by
file and storage chunk by storage chunk, so memory stays at about one storage chunk whatever
the batch size (zipfile writes a data descriptor after each member when the output cannot
seek). Media members are stored, not compressed: videos and images are compressed already.
Each member is named after the task it came from ("003 Run · take-2.mp4 (task 17)/clean
video.mp4"), and manifest.csv says which input made which file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

from motionhub.archive.models import KeptFile
from motionhub.tasks.models import MotionTask

MANIFEST_HEADER = ("task", "name", "account", "state", "inputs", "result_file", "kind", "size",
                   "sha256")  # fmt: skip
_UNSAFE = re.compile(r"[^\w .()+·-]+", re.UNICODE)


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream that gives back what was written since the last take."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _folder(position: int, task: MotionTask) -> str:
    name = _UNSAFE.sub(" ", task.name).strip()[:80] or "task"
    return f"{position:03d} {name} (task {task.pk})"


def _inputs(task: MotionTask) -> str:
    found = task.inputs or {}
    parts = [found.get("video_name") or found.get("image_name") or ""]
    if motion := found.get("motion"):
        parts.append(f"motion {motion.get('name', '')}")
    return " · ".join(p for p in parts if p)


def zip_chunks(batch_id: int) -> Iterator[bytes]:
    tasks = list(
        MotionTask.objects.filter(batch_id=batch_id)
        .select_related("account")
        .order_by("created_at", "id")
    )
    kept: dict[int, list[KeptFile]] = {}
    for file in KeptFile.objects.filter(task__batch_id=batch_id).order_by("task_id", "kind"):
        kept.setdefault(file.task_id, []).append(file)
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_HEADER)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        for position, task in enumerate(tasks, start=1):
            account = task.account.display_name if task.account else ""
            row = (task.pk, task.name, account, task.state, _inputs(task))
            files = kept.get(task.pk, [])
            if not files:
                writer.writerow((*row, "", "", "", ""))
            for file in files:
                suffix = PurePosixPath(file.name).suffix
                member = f"{_folder(position, task)}/{file.get_kind_display().lower()}{suffix}"
                info = zipfile.ZipInfo(member, date_time=file.fetched_at.timetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED
                with (
                    default_storage.open(file.name, "rb") as source,
                    archive.open(info, "w") as out,
                ):
                    for chunk in source.chunks():
                        out.write(chunk)
                        yield sink.take()
                writer.writerow((*row, member, file.kind, file.size, file.sha256))
                yield sink.take()
        archive.writestr("manifest.csv", manifest.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    yield sink.take()
