from __future__ import annotations

import pytest
import responses

from motionhub.accounts.models import Connection, KlingAccount

BASE = "https://api.useapi.test/v1/kling"
TOKEN = "user:4242-s3cretTokenValue"
PASSWORD = "Kling-Pa55word!"


def account_json(email: str, max_jobs: int = 3, **extra) -> dict:
    return {
        "email": email,
        "session": {
            "userId": "777",
            "ExpireTime": 1893456000000,
            "ExpireTimeUTC": "2030-01-01T00:00:00.000Z",
        },
        "maxJobs": max_jobs,
        "password": "…secured…",
        **extra,
    }


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Production", base_url=BASE)
    conn.set_token(TOKEN)
    conn.save()
    return conn


@pytest.fixture
def kling_account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="one@example.com", label="One", max_jobs=3
    )


@pytest.fixture
def upstream():
    """The network edge, faked: every request must be one a test registered."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def run_jobs(sync_jobs, django_capture_on_commit_callbacks):
    """Run the jobs enqueued on commit, inline, like a worker would."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run
