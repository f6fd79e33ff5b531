"""The bad cases of issue 11, each through the archive job: refused with a clear reason on the
task, and nothing half-written left in storage. (The streamed fetch's own checks are tested in
tests/useapi/test_fetch.py; these prove the job turns them into its outcome.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from motionhub.archive import jobs
from motionhub.archive.models import ArchiveState, KeptFile, TaskArchive

from .conftest import JPEG, MP4


def _stored(media_root) -> list[Path]:
    folder = Path(media_root) / "archive"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _outcome(task) -> TaskArchive:
    jobs.archive_task(task.pk)
    return TaskArchive.objects.get(task=task)


def test_an_html_error_page_for_the_only_video_is_refused(made, cdn, media_root, operator_client):
    cdn.add("/made.mp4", body=b"<!doctype html><h1>403 Forbidden</h1>", content_type="text/html")
    archive = _outcome(made(clean=None, cover=None))

    # Not kept, with the reason; a CDN's error page may pass, so the sweep may try again.
    assert archive.state in (ArchiveState.FAILED, ArchiveState.GAVE_UP)
    assert "web page" in archive.reason
    assert _stored(media_root) == [] and not KeptFile.objects.exists()
    page = operator_client.get(f"/tasks/{archive.task_id}/").content.decode()
    assert "Not archived:" in page and "web page" in page


def test_a_truncated_body_leaves_nothing_in_storage(made, cdn, media_root):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4", send_bytes=len(MP4) // 2)
    archive = _outcome(made(video=None, cover=None))

    assert archive.state == ArchiveState.FAILED  # may pass: the sweep tries again
    assert "truncated" in archive.reason or "broke off" in archive.reason
    assert _stored(media_root) == []


def test_an_oversize_file_is_refused_for_good(made, cdn, media_root, settings):
    settings.MOTIONHUB_ARCHIVE_MAX_BYTES = 10_000
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    archive = _outcome(made(video=None, cover=None))

    assert archive.state == ArchiveState.GAVE_UP and "limit" in archive.reason
    assert _stored(media_root) == []


@pytest.mark.parametrize("address", ["ftp://cdn.example/made.mp4", "javascript:alert(1)",
                                     "file:///etc/passwd"])  # fmt: skip
def test_an_address_that_is_not_http_is_never_fetched_and_says_why(made, media_root, address):
    task = made(clean=None, cover=None)
    task.upstream["result"]["video_url"] = address
    task.save()

    archive = _outcome(task)

    assert archive.state == ArchiveState.GAVE_UP
    assert "not an http(s) URL" in archive.reason
    assert _stored(media_root) == []


def test_a_redirect_to_a_private_address_is_refused(made, cdn, media_root):
    # "localhost" is loopback but not the connection's host (127.0.0.1).
    cdn.add("/made.mp4", status=302, headers={"Location": cdn.url("/inside", host="localhost")})
    cdn.add("/inside", body=MP4, content_type="video/mp4")
    archive = _outcome(made(clean=None, cover=None))

    assert archive.state == ArchiveState.GAVE_UP
    assert "private or loopback" in archive.reason
    assert cdn.routes["/inside"].hits == 0
    assert _stored(media_root) == []


def test_a_redirect_on_the_connections_own_host_is_followed(made, cdn, media_root):
    # The sandbox and a local simulator serve their files from the connection's host.
    cdn.add("/made.mp4", status=302, headers={"Location": "/files/made.mp4"})
    cdn.add("/files/made.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    archive = _outcome(made(clean=None))

    assert archive.state == ArchiveState.DONE, archive.reason
    assert archive.video.size == len(MP4)
    assert len(_stored(media_root)) == 2
