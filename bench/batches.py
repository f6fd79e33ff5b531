"""`make bench`, batches: accepting a run of clips, and the batch's results zip.

- accept_200_vs_1   server time to accept one upload of 200 clips, as a ratio to one clip's
                    (each clip is checked and gets a cover frame, so about 200 is expected)
- accept_per_clip_ms  the same, per clip
- zip_rss_mb        resident memory the results zip of 200 kept results (1 MB each) added at
                    its peak while streamed, in a fresh process (target <= 64)

Everything is made inside a transaction that is rolled back, with files in a temporary folder,
so the seeded database (and its reuse) is unchanged.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

TARGETS = (("zip_rss_mb", 64.0, "max"),)
RUN = 200


class _Rollback(Exception):
    pass


def _clips(folder: Path, n: int) -> list[tuple[str, bytes]]:
    from tests.clips import make_clip

    clip = make_clip(folder / "clip.mp4", 3).read_bytes()
    return [(f"take-{i}.mp4", clip) for i in range(n)]


def _accept_seconds(client, clips: list[tuple[str, bytes]]) -> float:
    files = [SimpleUploadedFile(name, body, content_type="video/mp4") for name, body in clips]
    started = time.process_time()
    response = client.post(reverse("upload"), {"name": "Bench", "account": "auto", "video": files})
    spent = time.process_time() - started
    if response.status_code != 302:
        raise SystemExit(f"bench: the upload answered {response.status_code}")
    return spent


def accept_figures(client, repeats: int = 3, size: int = RUN) -> dict:
    with tempfile.TemporaryDirectory() as tmp, override_settings(MEDIA_ROOT=tmp):
        clips = _clips(Path(tmp), size)
        try:
            with transaction.atomic():
                one = statistics.median(_accept_seconds(client, clips[:1]) for _ in range(repeats))
                run = _accept_seconds(client, clips)
                raise _Rollback
        except _Rollback:
            pass
    return {"accept_1_ms": one * 1000, f"accept_{size}_ms": run * 1000,
            "accept_per_clip_ms": run * 1000 / size, f"accept_{size}_vs_1": run / one}  # fmt: skip


def zip_figures(client, size: int = RUN, size_mb: float = 1) -> dict:
    """In a fresh process (run.py starts one): the zip's peak extra memory for RUN results."""
    from bench import measure
    from motionhub.archive.models import KeptFile
    from motionhub.tasks.models import Batch, MotionTask

    body = os.urandom(int(size_mb * 2**20))
    with tempfile.TemporaryDirectory() as tmp, override_settings(MEDIA_ROOT=tmp):
        try:
            with transaction.atomic():
                batch = Batch.objects.create(name="bench-zip")
                tasks = MotionTask.objects.bulk_create(
                    MotionTask(name=f"Zip {i}", batch=batch, state="succeeded") for i in range(size)
                )
                folder = Path(tmp) / "archive"
                folder.mkdir()
                kept = []
                for task in tasks:
                    (folder / f"{task.pk}.mp4").write_bytes(body)
                    kept.append(
                        KeptFile(task=task, kind="clean_video", name=f"archive/{task.pk}.mp4",
                                 size=len(body), sha256="0" * 64, content_type="video/mp4",
                                 source_url="https://cdn.test/x")
                    )  # fmt: skip
                KeptFile.objects.bulk_create(kept)
                del body, kept, tasks
                url = reverse("batches:results", args=[batch.pk])
                gc.collect()
                baseline = peak = measure.rss_bytes()
                started = time.perf_counter()
                response = client.get(url)
                sent = 0
                for chunk in response.streaming_content:
                    sent += len(chunk)
                    peak = max(peak, measure.rss_bytes())
                seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    return {"zip_mb": sent / 2**20, "zip_s": seconds, "zip_rss_mb": (peak - baseline) / 2**20}
