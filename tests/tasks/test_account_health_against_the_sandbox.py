"""Account health against the sandbox over real HTTP: a broken account's upload goes to the
healthy one; an account out of credits is skipped; the whole loop with the health check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motionhub.accounts import health
from motionhub.accounts.models import Connection, Health, KlingAccount
from motionhub.sandbox import state
from motionhub.tasks.models import MotionTask, State

TOKEN = "user:4712-healthToken"


@pytest.fixture
def operator(transactional_db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("olga", password="x")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def connection(sandbox_url, transactional_db, sync_jobs) -> Connection:
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    return conn


def _account(conn: Connection, email: str, label: str) -> KlingAccount:
    state.seed_account(TOKEN, email, max_jobs=3)
    return KlingAccount.objects.create(connection=conn, email=email, label=label, max_jobs=3)


def _upload(operator, clip, capture) -> MotionTask:
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")
    with capture(execute=True):
        response = operator.post("/motions/upload/", {"name": "Wave", "account": "auto",
                                                      "video": video})  # fmt: skip
    assert response.status_code == 302
    return MotionTask.objects.latest("id")


def test_an_automatic_upload_on_a_broken_account_is_sent_once_on_the_healthy_one(
    connection, operator, clip, django_capture_on_commit_callbacks
):
    broken = _account(connection, "demo+broken@sandbox.test", "Broken")  # tried first
    healthy = _account(connection, "healthy@sandbox.test", "Healthy")

    task = _upload(operator, clip, django_capture_on_commit_callbacks)

    task.refresh_from_db()
    assert task.state == State.SUBMITTED, task.error_message
    assert task.account_id == healthy.pk
    assert [c["email"] for c in state.create_calls(TOKEN)] == ["healthy@sandbox.test"]
    broken.refresh_from_db()
    assert broken.health == Health.NEEDS_RELOGIN
    # The health check reads it broken still: it stays out of the rotation.
    health.check_all()
    assert KlingAccount.objects.get(pk=broken.pk).health == Health.NEEDS_RELOGIN
    assert list(KlingAccount.objects.usable()) == [healthy]


def test_an_account_out_of_credits_is_skipped_after_the_health_check(
    connection, operator, clip, django_capture_on_commit_callbacks
):
    poor = _account(connection, "demo+poor@sandbox.test", "Poor")
    rich = _account(connection, "rich@sandbox.test", "Rich")
    health.check_all()
    assert KlingAccount.objects.get(pk=poor.pk).health == Health.OUT_OF_CREDITS

    task = _upload(operator, clip, django_capture_on_commit_callbacks)

    task.refresh_from_db()
    assert task.state == State.SUBMITTED and task.account_id == rich.pk
    assert [c["email"] for c in state.create_calls(TOKEN)] == ["rich@sandbox.test"]
