"""The archive against the sandbox over real HTTP: an upload keeps its cover, BVH and binary
archives; the video made from it keeps its clean MP4 and cover, and plays (seekable) from the
kept copy after the sandbox's own file is gone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.archive.models import ArchiveState, FileKind, KeptFile
from motionhub.library.models import Motion
from motionhub.library.models import Origin as MotionKind
from motionhub.sandbox import state
from motionhub.tasks import track
from motionhub.tasks.models import Kind, MotionTask, State
from tests.clips import make_image

TOKEN = "user:4712-archiveSandboxToken"
EMAIL = "keep@sandbox.test"


@pytest.fixture
def operator(transactional_db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("otto", password="x")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(sandbox_url, transactional_db, sync_jobs, settings) -> KlingAccount:
    settings.MOTIONHUB_POLL_SECONDS = 0
    state.seed_account(TOKEN, EMAIL, max_jobs=3)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    return KlingAccount.objects.create(connection=conn, email=EMAIL, label="Keep")


def _finish_tracking() -> None:
    state.fast_forward(3600, token=TOKEN)
    track.poll_due()


def test_upload_and_made_video_are_archived_and_play_from_the_kept_copy(
    account, operator, clip, tmp_path, media_root, django_capture_on_commit_callbacks
):
    state.configure(shape="2025")
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=True):
        operator.post("/motions/upload/", {"name": "Wave", "account": str(account.pk),
                                           "video": video})  # fmt: skip
        upload = MotionTask.objects.get(kind=Kind.MOTION_UPLOAD)
        _finish_tracking()

    upload.refresh_from_db()
    assert upload.state == State.SUCCEEDED
    assert upload.archive.state == ArchiveState.DONE, upload.archive.reason
    kinds = set(upload.kept_files.values_list("kind", flat=True))
    assert kinds == {FileKind.COVER, FileKind.BVH, FileKind.BINARY}
    bvh = upload.kept_files.get(kind=FileKind.BVH)
    assert (Path(media_root) / bvh.name).read_bytes()[:2] == b"PK"  # the zip itself
    page = operator.get(f"/tasks/{upload.pk}/").content.decode()
    assert f'href="{bvh.download_url}"' in page

    mine = Motion.objects.get(account=account, kind=MotionKind.MINE)
    image = make_image(tmp_path / "person.jpg", 480, 640)
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(f"/motions/{mine.pk}/apply/", {
            "name": "Wave video", "mode": "std",
            "image": SimpleUploadedFile("p.jpg", image.read_bytes(), "image/jpeg"),
        })  # fmt: skip
        made = MotionTask.objects.get(kind=Kind.MOTION_CREATE)
        _finish_tracking()

    made.refresh_from_db()
    assert made.state == State.SUCCEEDED
    kept = KeptFile.objects.get(task=made, kind=FileKind.CLEAN_VIDEO)
    assert made.archive.state == ArchiveState.DONE, made.archive.reason
    sandbox_file = Path(media_root) / "sandbox" / Path(kept.source_url).name
    original = sandbox_file.read_bytes()
    assert kept.sha256 == hashlib.sha256(original).hexdigest()

    sandbox_file.unlink()  # upstream forgets the result; the team's copy stays
    page = operator.get(f"/tasks/{made.pk}/").content.decode()
    assert f'src="{kept.url}"' in page
    whole = operator.get(kept.url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == original
    part = operator.get(kept.url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(original)}"
    assert b"".join(part.streaming_content) == original[100:200]
