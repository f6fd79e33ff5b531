"""Sandbox contract tests: real HTTP to the live server with plain `requests`.

Time is controlled by moving tasks' creation time back (`age`), never by sleeping.
"""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from PIL import Image

from motionhub.sandbox import media, state
from tests.conftest import SANDBOX_TOKEN

EMAIL = "studio@sandbox.test"


class Api:
    """`requests` against the sandbox with one token; paths relative to /sandbox/v1/kling/."""

    def __init__(self, base: str, token: str | None = SANDBOX_TOKEN) -> None:
        self.base = base
        self.token = token

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return headers | (extra or {})

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(
            f"{self.base}/{path}", params=params, headers=self.headers(), timeout=10
        )

    def delete(self, path: str, **params) -> requests.Response:
        return requests.delete(
            f"{self.base}/{path}", params=params, headers=self.headers(), timeout=10
        )

    def post(self, path: str, json_body: dict | None = None, **kwargs) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.post(
            f"{self.base}/{path}", json=json_body, headers=headers, timeout=10, **kwargs
        )

    def upload(self, content_type: str | None, data: bytes, **params) -> requests.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        return requests.post(
            f"{self.base}/assets/",
            params=params,
            data=data,
            headers=self.headers(headers),
            timeout=30,
        )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api(sandbox_url) -> Api:
    return Api(sandbox_url)


@pytest.fixture
def account(transactional_db) -> str:
    state.seed_account(SANDBOX_TOKEN, EMAIL, max_jobs=3)
    return EMAIL


@pytest.fixture(scope="session")
def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 400), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def mp4(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    media.encode_clip(path, seconds=2.5, size=(320, 240))
    return path.read_bytes()


@pytest.fixture
def image_url(api, account, png) -> str:
    return api.upload("image/png", png).json()["url"]


@pytest.fixture
def video(api, account, mp4) -> dict:
    """A POST /assets answer for an uploaded video: resourceUrl, coverUrl, fileName."""
    return api.upload("video/mp4", mp4).json()


def age(task_id: int, seconds: float) -> None:
    """Pretend the task was created `seconds` earlier than it was."""
    from datetime import timedelta

    from motionhub.sandbox.models import Task

    task = Task.objects.get(pk=task_id)
    task.created -= timedelta(seconds=seconds)
    task.save(update_fields=["created"])


def finish(task_id: int) -> None:
    age(task_id, 3600)


def extract_motion(api: Api, video: dict, **extra) -> dict:
    """Upload a motion and let it finish; the motion-upload answer."""
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"], **extra}
    answer = api.post("videos/motion-upload", body)
    assert answer.status_code == 200, answer.text
    finish(answer.json()["task"]["id"])
    return answer.json()


class Hooks:
    """A tiny local HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                hooks.received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks():
    server = Hooks()
    yield server
    server.close()
