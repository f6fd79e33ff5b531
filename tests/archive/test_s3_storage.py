"""Uploads and kept results in S3-compatible storage: a real S3 API server (moto's, started on
a free loopback port), the sandbox over HTTP, and the whole path upload → submit → archive →
play, with nothing written under MEDIA_ROOT but the sandbox's own files."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from motionhub.archive.models import FileKind, KeptFile
from motionhub.tasks.models import Kind, MotionTask, State
from tests.archive import test_against_the_sandbox as sandbox_flow
from tests.clips import make_image

BUCKET = "motionhub-test"
# The sandbox account and the operator of the sandbox flow (they replace conftest's `account`).
account = sandbox_flow.account
operator = sandbox_flow.operator
_finish_tracking = sandbox_flow._finish_tracking


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "motionhub.core.storage.PrivateS3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_server, "location": "mh",
                        "access_key": "test", "secret_key": "test", "region_name": "us-east-1",
                        "default_acl": None, "file_overwrite": False},
        },
    }  # fmt: skip
    yield client
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_settings_read_a_storage_url(monkeypatch):
    from motionhub import settings as project_settings

    url = "s3://key:se%2Fcret@team-bucket/motionhub"
    monkeypatch.setenv(
        "MOTIONHUB_STORAGE_URL", f"{url}?endpoint_url=http://s3.local:9000&region=eu-west-1"
    )
    found = project_settings._default_storage()
    assert found["BACKEND"] == "motionhub.core.storage.PrivateS3Storage"
    options = found["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("team-bucket", "motionhub")
    assert (options["access_key"], options["secret_key"]) == ("key", "se/cret")
    assert options["endpoint_url"] == "http://s3.local:9000"
    assert options["region_name"] == "eu-west-1"
    monkeypatch.delenv("MOTIONHUB_STORAGE_URL")
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    assert project_settings._default_storage()["BACKEND"].endswith("FileSystemStorage")


def test_upload_submit_archive_and_play_through_s3(
    s3,
    account,
    operator,
    clip,
    tmp_path,
    media_root,
    django_capture_on_commit_callbacks,
):
    from motionhub.sandbox import state

    state.configure(shape="2026")
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=True):
        operator.post("/motions/upload/", {"name": "Wave", "account": str(account.pk),
                                           "video": video})  # fmt: skip
        upload = MotionTask.objects.get(kind=Kind.MOTION_UPLOAD)
        assert upload.state == State.SUBMITTED, upload.error_message  # streamed from S3
        _finish_tracking()
    upload.refresh_from_db()
    assert upload.state == State.SUCCEEDED
    keys = _keys(s3)
    assert f"mh/{upload.video.name}" in keys and f"mh/{upload.cover.name}" in keys
    # The page's input video goes through the signed-in media view, seekable.
    assert upload.video.url == f"/media/{upload.video.name}"
    part = operator.get(upload.video.url, headers={"Range": "bytes=0-15"})
    assert part.status_code == 206 and b"ftyp" in b"".join(part.streaming_content)

    from motionhub.library.models import Motion

    mine = Motion.objects.get(account=account, kind="mine")
    image = make_image(tmp_path / "person.jpg", 480, 640)
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(f"/motions/{mine.pk}/apply/", {
            "name": "Wave video", "mode": "std", "motion_direction": "motion_direction",
            "model_name": "kling-v3-0",
            "image": SimpleUploadedFile("p.jpg", image.read_bytes(), "image/jpeg"),
        })  # fmt: skip
        made = MotionTask.objects.get(kind=Kind.MOTION_CREATE)
        assert made.state == State.SUBMITTED, made.error_message
        _finish_tracking()

    made.refresh_from_db()
    kept = KeptFile.objects.get(task=made, kind=FileKind.CLEAN_VIDEO)
    assert f"mh/{kept.name}" in _keys(s3)
    page = operator.get(f"/tasks/{made.pk}/").content.decode()
    assert f'src="{kept.url}"' in page
    whole = b"".join(operator.get(kept.url).streaming_content)
    assert len(whole) == kept.size
    part = operator.get(kept.url, headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == whole[4:12]
    # Nothing of ours on the local disk: only the sandbox's files are there.
    local = [p for p in Path(media_root).rglob("*") if p.is_file()]
    assert all(p.relative_to(media_root).parts[0] == "sandbox" for p in local), local


def test_retention_removes_and_measures_inputs_in_the_bucket(s3, db, media_root):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from motionhub.archive import retention
    from motionhub.archive.models import SpaceUsed

    old = MotionTask(kind=Kind.MOTION_UPLOAD, name="Old", state=State.FAILED,
                     finished_at=timezone.now() - timedelta(days=45))  # fmt: skip
    old.video.save("old.mp4", ContentFile(b"o" * 700), save=False)
    old.save()
    new = MotionTask(kind=Kind.MOTION_UPLOAD, name="New", state=State.FAILED,
                     finished_at=timezone.now())  # fmt: skip
    new.video.save("new.mp4", ContentFile(b"n" * 300), save=False)
    new.save()

    assert retention.apply()["input_files"] == 1

    assert not default_storage.exists(old.video.name or "motions/none")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"mh/{MotionTask.objects.get(pk=new.pk).video.name}"]
    inputs = SpaceUsed.objects.get(kind=SpaceUsed.INPUTS)
    assert (inputs.bytes, inputs.files) == (300, 1)
    assert not any(Path(media_root).rglob("*.mp4"))
