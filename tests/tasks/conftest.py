from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks.models import MotionTask

# --- the submission and tracking flow ---------------------------------------------------

BASE = "https://api.useapi.test/v1/kling"
TOKEN = "user:4242-flowTokenSecret"
UPSTREAM_ID = 9007199254740993  # above 2**53: must stay exact


def task_json(task_id: int = UPSTREAM_ID, status_name: str = "submitted", final: bool = False,
              **extra) -> dict:  # fmt: skip
    status = {"submitted": 5, "processing": 10, "succeed": 99, "failed": 50}[status_name]
    body = {
        "task": {"id": task_id, "type": "motion_control_motion_process", "status": status,
                 "status_name": status_name, "status_final": final},
        "works": [],
        "status": status,
        "status_name": status_name,
        "status_final": final,
        "message": "",
    }  # fmt: skip
    body.update(extra)
    return body


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Team", base_url=BASE)
    conn.set_token(TOKEN)
    conn.save()
    return conn


@pytest.fixture
def account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="a@example.com", label="A", max_jobs=2
    )


@pytest.fixture
def upload(operator_client, clip, django_capture_on_commit_callbacks):
    """Submit the form like a person; the dispatcher job is *not* run yet."""

    def make(account: KlingAccount | None = None, name: str = "Wave") -> MotionTask:
        video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")
        data = {"name": name, "account": str(account.pk) if account else "auto", "video": video}
        with django_capture_on_commit_callbacks(execute=False):
            response = operator_client.post(reverse("upload"), data)
        assert response.status_code == 302, response.content
        return MotionTask.objects.latest("id")

    return make


class Upstream:
    """A faked useapi that answers POST /assets and records what was sent."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.assets: list[tuple[str, str]] = []  # (content type, email)
        mock.add_callback(responses.POST, f"{BASE}/assets/", callback=self._asset)

    def _asset(self, request):
        content_type = request.headers["Content-Type"]
        email = parse_qs(urlparse(request.url).query).get("email", [""])[0]
        n = len(self.assets)
        self.assets.append((content_type, email))
        if content_type.startswith("video/"):
            body = {
                "status": 1,
                "resourceUrl": f"https://cdn.test/v{n}.mp4",
                "coverUrl": f"https://cdn.test/v{n}-cover.jpg",
                "fileName": f"v{n}.mp4",
            }
        else:
            body = {"status": 3, "url": f"https://cdn.test/i{n}.jpg", "fileName": f"i{n}.jpg"}
        return 200, {}, json.dumps(body)

    def creates(self, path: str = "/videos/motion-upload") -> list[dict]:
        return [
            json.loads(c.request.body)
            for c in self.mock.calls
            if c.request.method == "POST" and c.request.url.startswith(BASE + path)
        ]


@pytest.fixture
def upstream(sync_jobs):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Upstream(mock)
