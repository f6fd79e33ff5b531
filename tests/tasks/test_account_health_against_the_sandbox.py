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


# --- the sandbox's demo triggers on accounts that already exist ------------------------------


def test_a_session_broken_in_the_sandbox_is_noticed_avoided_and_recovers_on_re_adding(
    connection, operator, clip, django_capture_on_commit_callbacks
):
    first = _account(connection, "studio-a@sandbox.test", "Studio A")  # tried first
    second = _account(connection, "studio-b@sandbox.test", "Studio B")
    assert state.break_session("studio-a@sandbox.test", token=TOKEN) == 1

    health.check_all()
    first.refresh_from_db()
    assert first.health == Health.NEEDS_RELOGIN
    task = _upload(operator, clip, django_capture_on_commit_callbacks)
    task.refresh_from_db()
    assert task.account_id == second.pk and task.state == State.SUBMITTED

    # Re-adding the account (POST /accounts) logs in anew: the next check reads it fine.
    connection.client().add_account("studio-a@sandbox.test", "any-password", 3)
    health.check_all()
    assert KlingAccount.objects.get(pk=first.pk).health == Health.ACTIVE


def test_each_task_costs_credits_and_a_low_balance_ends_out_of_credits(
    connection, operator, clip, django_capture_on_commit_callbacks, settings
):
    from motionhub.sandbox.models import TASK_COST

    settings.MOTIONHUB_OUT_OF_CREDITS_AT = 0
    low = _account(connection, "studio-a@sandbox.test", "Studio A")
    other = _account(connection, "studio-b@sandbox.test", "Studio B")
    state.set_credits("studio-a@sandbox.test", TASK_COST, token=TOKEN)  # one task left

    first = _upload(operator, clip, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.account_id == low.pk
    assert first.upstream["create"]["userPoints"]["total"] == TASK_COST  # as accepted
    health.check_all()
    low.refresh_from_db()
    assert low.credits == 0 and low.health == Health.OUT_OF_CREDITS

    second = _upload(operator, clip, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.account_id == other.pk


def test_a_balance_too_low_for_the_create_call_sends_the_upload_to_the_other_account(
    connection, operator, clip, django_capture_on_commit_callbacks
):
    low = _account(connection, "studio-a@sandbox.test", "Studio A")
    other = _account(connection, "studio-b@sandbox.test", "Studio B")
    state.set_credits("studio-a@sandbox.test", 10, token=TOKEN)  # less than one task

    task = _upload(operator, clip, django_capture_on_commit_callbacks)

    task.refresh_from_db()
    assert task.account_id == other.pk and task.state == State.SUBMITTED
    assert KlingAccount.objects.get(pk=low.pk).health == Health.OUT_OF_CREDITS


def test_a_429_streak_cools_the_account_down(
    connection, operator, clip, django_capture_on_commit_callbacks, settings
):
    settings.MOTIONHUB_COOLDOWN_AFTER = 2
    busy = _account(connection, "studio-a@sandbox.test", "Studio A")
    state.throttle("studio-a@sandbox.test", 2, token=TOKEN)

    for _ in range(2):
        task = _upload(operator, clip, django_capture_on_commit_callbacks)
        task.refresh_from_db()
        assert task.state == State.QUEUED  # refused for now, tried again later

    busy.refresh_from_db()
    assert busy.health == Health.COOLING_DOWN and busy.health_until is not None
    assert state.create_calls(TOKEN) == []
