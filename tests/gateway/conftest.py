"""The gateway's fixtures: a personal API token per role, a client that sends it as Bearer,
a Kling account MotionHub knows (no upstream is called by any view), and real small media."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tokens.auth import create_token
from tests.clips import make_image
from tests.e2e.conftest import worker  # noqa: F401  (the e2e tests' real worker cluster)

BASE = "/useapi/v1/kling"


class Api:
    """The Django test client speaking to the gateway as a script does: Bearer token, JSON."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token
        self.answers: list[bytes] = []  # every answer's body, for "no secret anywhere" checks

    def _kept(self, response):
        if not response.streaming:
            self.answers.append(response.content)
        return response

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return headers | (extra or {})

    def get(self, path: str, **params):
        return self._kept(self.client.get(f"{BASE}/{path}", params, headers=self._headers()))

    def delete(self, path: str):
        return self._kept(self.client.delete(f"{BASE}/{path}", headers=self._headers()))

    def post(self, path: str, body: dict | None = None, *, key: str | None = None):
        extra = {"Idempotency-Key": key} if key else {}
        return self._kept(self.client.post(
            f"{BASE}/{path}", json.dumps(body or {}), content_type="application/json",
            headers=self._headers(extra),
        ))  # fmt: skip

    def upload(self, content_type: str, data: bytes, *, key: str | None = None):
        extra = {"Idempotency-Key": key} if key else {}
        return self.client.post(
            f"{BASE}/assets",
            data,
            content_type=content_type,
            headers=self._headers(extra),
            CONTENT_TYPE=content_type,  # the test client drops it for an empty body; curl does not
        )


def _api_for(user) -> Api:
    return Api(create_token(user, "tests")[1])


@pytest.fixture
def admin_api(alice) -> Api:
    return _api_for(alice)


@pytest.fixture
def operator_api(bob) -> Api:
    return _api_for(bob)


@pytest.fixture
def viewer_api(charlie) -> Api:
    return _api_for(charlie)


@pytest.fixture
def roleless_api(dave) -> Api:
    return _api_for(dave)


@pytest.fixture
def account(db) -> KlingAccount:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:4242-gatewayUpstreamSecret")
    conn.save()
    return KlingAccount.objects.create(
        connection=conn, email="studio@kling.test", label="Studio", max_jobs=2, credits=56000
    )


@pytest.fixture(scope="session")
def jpeg(tmp_path_factory) -> bytes:
    return make_image(tmp_path_factory.mktemp("img") / "person.jpg", 480, 640).read_bytes()


@pytest.fixture
def mp4(clip) -> bytes:
    return clip(3).read_bytes()


@pytest.fixture
def image_url(operator_api, jpeg) -> str:
    answer = operator_api.upload("image/jpeg", jpeg)
    assert answer.status_code == 200, answer.content
    return answer.json()["url"]


@pytest.fixture
def video_asset(operator_api, mp4) -> dict:
    answer = operator_api.upload("video/mp4", mp4)
    assert answer.status_code == 200, answer.content
    return answer.json()


def ids_in(value, key=""):
    """Every integer in an answer whose key names an id."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ids_in(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from ids_in(v, key)
    elif isinstance(value, int) and not isinstance(value, bool) and "id" in key.lower():
        yield value
