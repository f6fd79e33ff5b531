"""Shared fixtures: a fixed cast of people, one per role, and the sandbox over real HTTP.

- alice is an admin, bob an operator, charlie a viewer, dave signed in with no role.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.clips import make_clip

SANDBOX_TOKEN = "user:1001-sandboxtesttoken"


def _person(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-" + username)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its uploads in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real password hashing costs ~0.3 s per person; tests do not need it to be slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The archive job's retries inside one run wait nothing in tests.
    settings.MOTIONHUB_ARCHIVE_BACKOFF_SECONDS = 0
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def sandbox_clock_off(settings):
    """Tests move the sandbox's time by ageing tasks; its wall-clock timers stay off unless a
    test turns them on (tests/sandbox/test_callbacks.py)."""
    settings.MOTIONHUB_SANDBOX_CALLBACK_AT_END = False


@pytest.fixture
def alice(db) -> User:
    return _person("alice", "admin")


@pytest.fixture
def bob(db) -> User:
    return _person("bob", "operator")


@pytest.fixture
def charlie(db) -> User:
    return _person("charlie", "viewer")


@pytest.fixture
def dave(db) -> User:
    return _person("dave", None)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(alice) -> Client:
    return _signed_in(alice)


@pytest.fixture
def operator_client(bob) -> Client:
    return _signed_in(bob)


@pytest.fixture
def viewer_client(charlie) -> Client:
    return _signed_in(charlie)


@pytest.fixture
def sync_jobs(monkeypatch):
    """Run django-q2 jobs inline (django-q2 reads Q_CLUSTER once, so patch its Conf)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def sandbox_on(settings):
    settings.MOTIONHUB_SANDBOX = True
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 1.0


@pytest.fixture
def sandbox_url(sandbox_on, live_server) -> str:
    """Base URL of the sandbox served over real HTTP by pytest-django's live server."""
    return f"{live_server.url}/sandbox/v1/kling"


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Callable[..., Path]:
    """make_clip with a session cache: each distinct clip is encoded once per test run.

    Returned files are shared; a test that alters one copies it first (see `copy_of`).
    """
    folder = tmp_path_factory.mktemp("clips")
    cache: dict[tuple, Path] = {}

    def get(seconds: float, *, name: str = "clip.mp4", **options) -> Path:
        key = (seconds, name, tuple(sorted(options.items())))
        if key not in cache:
            target = folder / f"{len(cache)}-{name}"
            cache[key] = make_clip(target, seconds, **options)
        return cache[key]

    return get


@pytest.fixture
def database_broker(monkeypatch):
    """Jobs go to django-q2's database broker, not run inline, so a test can count them.

    Whatever broker the suite runs on (Redis in CI's second pass): the tests that count the
    jobs our code enqueues read them back from the database, where each test's transaction
    keeps them to itself.
    """
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
