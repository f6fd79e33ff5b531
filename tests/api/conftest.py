"""The API's fixtures: a personal API token per person of the cast, a client that sends it,
and an account whose connection points nowhere (nothing may go upstream from a request)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks.models import MotionTask
from motionhub.tokens.auth import create_token, revoke

PROBLEM = "application/problem+json"


class Api:
    """A test client that sends one person's token (or none) with every request."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, data=None, **headers):
        return self.client.get(path, data, headers={**self.headers, **headers})

    def post(self, path: str, data=None, *, json: bool = False, **headers):
        kwargs = {"content_type": "application/json"} if json else {}
        return self.client.post(path, data or {}, headers={**self.headers, **headers}, **kwargs)

    def delete(self, path: str, **headers):
        return self.client.delete(path, headers={**self.headers, **headers})


def token_of(user) -> str:
    return create_token(user, "tests")[1]


@pytest.fixture
def api_as(alice, bob, charlie, dave) -> Callable[[str], Api]:
    """api_as("admin" | "operator" | "viewer" | "no role" | "no token" | "revoked token")."""
    people = {"admin": alice, "operator": bob, "viewer": charlie, "no role": dave}

    def make(who: str) -> Api:
        if who == "no token":
            return Api(None)
        if who == "revoked token":
            token, secret = create_token(bob, "old")
            revoke(token)
            return Api(secret)
        return Api(token_of(people[who]))

    return make


@pytest.fixture
def operator_api(api_as) -> Api:
    return api_as("operator")


@pytest.fixture
def viewer_api(api_as) -> Api:
    return api_as("viewer")


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:4242-apiTokenSecret")
    conn.save()
    return conn


@pytest.fixture
def account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="a@example.com", label="A", max_jobs=2, credits=900
    )


@pytest.fixture
def no_network():
    """Nothing may go upstream while the API answers."""
    with responses.RequestsMock() as mock:
        yield mock
    assert not mock.calls


@pytest.fixture
def make_task(db, bob) -> Callable[..., MotionTask]:
    def make(name: str = "Wave", state: str = "queued", **fields) -> MotionTask:
        return MotionTask.objects.create(name=name, state=state, **{"submitted_by": bob, **fields})

    return make


def video_file(path, name: str | None = None, content_type: str = "video/mp4"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def assert_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["type"].startswith("urn:motionhub:problem:") or body["type"] == "about:blank"
    for word in words:
        assert word in body["detail"] or word in str(body.get("errors")), body
    return body
