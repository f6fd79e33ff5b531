"""Archive tests: real database, real files; the CDN is a real local HTTP server (FileServer)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks.models import Kind, MotionTask, State
from tests.fileserver import FileServer

TOKEN = "user:5150-archiveTokenSecret"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400
JPEG = b"\xff\xd8\xff\xe0" + b"j" * 5000


@pytest.fixture
def cdn():
    server = FileServer()
    yield server
    server.close()


@pytest.fixture
def account(db, cdn) -> KlingAccount:
    # The connection's host is the file server's (127.0.0.1): like the sandbox, it may serve files.
    conn = Connection(name="Edge", base_url=f"http://127.0.0.1:{cdn.port}/v1/kling")
    conn.set_token(TOKEN)
    conn.save()
    return KlingAccount.objects.create(connection=conn, email="e@example.com", label="E")


@pytest.fixture
def made(account, cdn):
    """A succeeded motion-create task whose result lives on the file server."""

    def make(clean: str | None = "/clean.mp4", video="/made.mp4", cover="/made.jpg", **extra):
        upstream = {
            "result": {
                "work_id": 555,
                "video_url": cdn.url(video) + "?sig=watermarked-secret" if video else None,
                "cover_url": cdn.url(cover) if cover else None,
            },
            "download": {"cdnUrl": cdn.url(clean) + "?X-Signature=s3cr3t"} if clean else {},
        }
        return MotionTask.objects.create(
            kind=Kind.MOTION_CREATE, name="Glide video", account=account, state=State.SUCCEEDED,
            upstream_task_id=777, upstream=upstream, finished_at=timezone.now(),
            inputs={"motion": {"name": "Circle Glide"}, "create_fields": {}}, **extra,
        )  # fmt: skip

    return make
