"""Kept files are served behind login, with Range (seekable video) and a readable name."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from motionhub.archive.models import KeptFile

from .conftest import MP4


@pytest.fixture
def kept(made):
    task = made()
    name = default_storage.save("archive/2026/12/1-clean_video-abc.mp4", ContentFile(MP4))
    return KeptFile.objects.create(
        task=task, kind="clean_video", name=name, size=len(MP4), sha256="0" * 64,
        content_type="video/mp4", source_url="https://cdn.example/clean.mp4",
    )  # fmt: skip


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_whole_file_says_it_accepts_ranges(viewer_client, kept):
    response = viewer_client.get(kept.url)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(MP4))
    assert _body(response) == MP4
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, len(MP4) - 1), ("bytes=-10", len(MP4) - 10,
     len(MP4) - 1), ("bytes=5-999999999", 5, len(MP4) - 1)],
)  # fmt: skip
def test_a_range_gets_exactly_that_part(viewer_client, kept, header, start, end):
    response = viewer_client.get(kept.url, headers={"Range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(MP4)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert _body(response) == MP4[start : end + 1]


def test_a_range_past_the_end_is_unsatisfiable(viewer_client, kept):
    response = viewer_client.get(kept.url, headers={"Range": f"bytes={len(MP4)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(MP4)}"


def test_a_download_is_named_after_the_task(viewer_client, kept):
    response = viewer_client.get(kept.download_url)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"Glide video (task {kept.task_id}, clean video).mp4" in disposition


def test_kept_files_need_a_signed_in_person_with_a_role(kept, dave):
    assert Client().get(kept.url).status_code in (302, 403)
    stranger = Client()
    stranger.force_login(dave)
    assert stranger.get(kept.url).status_code == 403
