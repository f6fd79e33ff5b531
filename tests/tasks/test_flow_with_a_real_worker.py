"""The whole custom-motion flow against the sandbox over real HTTP, with a real `qcluster`
worker process: form → queued → assets → motion-upload → polled to succeeded, and the motion
then listed by the upstream.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.sandbox import state as sandbox
from motionhub.tasks.models import MotionTask, State

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "user:31337-realworkertoken"


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def worker(media_root, transactional_db):
    """A real django-q2 cluster on the test database, stopped (and waited for) at the end."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="motionhub.settings",
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(media_root),
        MOTIONHUB_POLL_SECONDS="0.5",
        Q_WORKERS="2",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output[-3000:])


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_an_upload_goes_from_the_form_to_succeeded_through_a_real_worker(
    sandbox_url, worker, operator_client, clip, settings
):
    settings.MOTIONHUB_POLL_SECONDS = 0.5
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    sandbox.seed_account(TOKEN, "studio@sandbox.test", max_jobs=2)
    account = KlingAccount.objects.create(connection=conn, email="studio@sandbox.test", max_jobs=2)
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")

    response = operator_client.post(
        reverse("upload"), {"name": "Wave", "account": str(account.pk), "video": video}
    )
    task = MotionTask.objects.get()
    assert response["Location"] == f"/tasks/{task.pk}/"

    _wait_for(
        lambda: (
            MotionTask.objects.filter(pk=task.pk, state=State.SUBMITTED).exists()
            or MotionTask.objects.filter(pk=task.pk, state=State.PROCESSING).exists()
        ),
        60,
        "the worker to submit the task",
    )
    # No schedule tick is awaited: submitting starts the heartbeat that tracks the task.
    task = _wait_for(
        lambda: MotionTask.objects.filter(
            pk=task.pk, state__in=[State.SUCCEEDED, State.FAILED]
        ).first(),
        60,
        "the task to become final",
    )

    assert task.state == State.SUCCEEDED, task.error_message
    assert task.upstream_task_id and task.upstream["task"]["status_final"] is True
    calls = sandbox.create_calls(TOKEN)
    assert len(calls) == 1
    mine = requests.get(
        f"{sandbox_url}/videos/motions",
        params={"mine": "true", "email": "studio@sandbox.test"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()
    assert [m["taskId"] for m in mine] == [task.upstream_task_id]
    status = operator_client.get(f"/tasks/{task.pk}/status/", headers={"HX-Request": "true"})
    assert status.status_code == 286
