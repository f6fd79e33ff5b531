"""`make bench`, archive: the extra memory the archive job needs to keep a 100 MB result.

- archive_rss_mb   resident memory the archive job added at its peak while downloading a
                   100 MB result from a local HTTP server into the configured storage, in a
                   fresh process (target <= 32): the download is streamed to a temporary file,
                   hashed on the way, then copied to storage in chunks, never held whole
- archive_s        how long that took (loopback, so mostly hashing and copying)

The file is served by `python -m http.server` in a process of its own (so its buffers are not
counted), on 127.0.0.1, which is also the bench connection's host: loopback is allowed for the
connection's own host, as for the sandbox. The task and its kept-file row are made inside a
transaction that is rolled back, with storage in a temporary folder.

    .venv/bin/python bench/run.py --only-archive     # this figure alone (a few seconds)
    make bench BENCH_ARGS="--no-archive"             # the whole bench without it
"""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.db import transaction
from django.test import override_settings

TARGETS = (("archive_rss_mb", 32.0, "max"),)
SIZE_MB = 100
# What an MP4 starts with: the fetch refuses bodies that look like a web page.
_FTYP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


class _Rollback(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(folder: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, the standard library's server
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("bench: the local file server did not start")


def archive_figures(size_mb: int = SIZE_MB) -> dict:
    """In a fresh process (run.py starts one): the archive job's peak extra memory."""
    from bench import measure
    from motionhub.accounts.models import Connection, KlingAccount
    from motionhub.archive import jobs
    from motionhub.archive.models import ArchiveState, KeptFile, TaskArchive
    from motionhub.tasks.models import Kind, MotionTask, State

    with tempfile.TemporaryDirectory() as served, tempfile.TemporaryDirectory() as media:
        result = Path(served) / "result.mp4"
        with result.open("wb") as out:
            out.write(_FTYP)
            out.truncate(size_mb * 2**20)  # sparse: made at once, read back as zeros
        server, port = _serve(Path(served))
        url = f"http://127.0.0.1:{port}/result.mp4"
        try:
            with override_settings(MEDIA_ROOT=media, MOTIONHUB_ARCHIVE_MAX_BYTES=2 * size_mb
                                   * 2**20), transaction.atomic():  # fmt: skip
                conn = Connection(name="bench-archive", base_url=f"http://127.0.0.1:{port}/v1")
                conn.set_token("user:1-benchArchiveToken")
                conn.save()
                account = KlingAccount.objects.create(connection=conn, email="bench@archive")
                task = MotionTask.objects.create(
                    kind=Kind.MOTION_CREATE, name="bench archive", account=account,
                    state=State.SUCCEEDED, upstream={"result": {"video_url": url, "work_id": 1},
                                                     "download": {"cdnUrl": url}},
                )  # fmt: skip
                figures = _measure(lambda: jobs.archive_task(task.pk), measure.rss_bytes)
                archive = TaskArchive.objects.get(task=task)
                if archive.state != ArchiveState.DONE:
                    raise SystemExit(f"bench: the archive job did not keep it: {archive.reason}")
                kept = KeptFile.objects.get(task=task)
                figures["archive_mb"] = kept.size / 2**20
                raise _Rollback
        except _Rollback:
            pass
        finally:
            server.kill()
            server.wait()
    return figures


def _measure(work, rss_bytes) -> dict:
    """Peak resident memory above the baseline while `work` runs, sampled every 2 ms by a
    thread (the download itself runs in library code that cannot be sampled from)."""
    gc.collect()
    baseline = peak = rss_bytes()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    peak = max(peak, rss_bytes())
    return {"archive_s": seconds, "archive_rss_mb": (peak - baseline) / 2**20}
