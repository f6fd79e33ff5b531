from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks.models import MotionTask

HISTORY = reverse("tasks:history")
EXPORT = reverse("tasks:export")


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:4242-historyTokenSecret")
    conn.save()
    return conn


@pytest.fixture
def one(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="one@example.com", label="One", max_jobs=2
    )


@pytest.fixture
def two(connection) -> KlingAccount:
    return KlingAccount.objects.create(connection=connection, email="two@example.com", max_jobs=3)


@pytest.fixture
def make_task(db):
    """A task with whatever fields a test needs; `ago` places it that far in the past."""

    def make(
        name: str = "Wave", *, ago: timedelta | None = None, at: datetime | None = None, **fields
    ) -> MotionTask:
        created = at or timezone.now() - (ago if ago is not None else timedelta(hours=1))
        return MotionTask.objects.create(name=name, created_at=created, **fields)

    return make


def shown_ids(response) -> list[int]:
    """Task ids of the rows on a history page, in page order."""
    assert response.status_code == 200, response.content[:500]
    return [int(pk) for pk in re.findall(r'<tr id="task-(\d+)"', response.content.decode())]


def pager_link(response, rel: str) -> str | None:
    """The URL behind "Older →" (next) or "← Newer" (prev); pages link to their own address."""
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return HISTORY + match.group(1).replace("&amp;", "&") if match else None
