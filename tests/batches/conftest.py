from __future__ import annotations

from pathlib import Path

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks.models import Batch, MotionTask


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Team", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:4242-batchTokenSecret")
    conn.save()
    return conn


@pytest.fixture
def account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="a@example.com", label="A", max_jobs=2
    )


@pytest.fixture
def no_network():
    """Nothing may go upstream while a person sends a run."""
    with responses.RequestsMock() as mock:
        yield mock
    assert not mock.calls


def video(path: Path, name: str | None = None, content_type: str = "video/mp4"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def stored_files(media_root: Path) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def make_batch(db):
    """A batch of `n` tasks in `states` (cycled), bulk-made: no files, no upstream."""

    def make(n: int = 5, states=("queued",), *, by=None, account=None, name="Run") -> Batch:
        batch = Batch.objects.create(name=name, created_by=by)
        MotionTask.objects.bulk_create(
            MotionTask(name=f"{name} {i}", batch=batch, state=states[i % len(states)],
                       account=account, auto_account=account is None, submitted_by=by,
                       cover=f"motions/covers/c{i}.jpg")
            for i in range(n)
        )  # fmt: skip
        return batch

    return make
