"""Account health from the pipeline's upstream signals: 596, 429 streaks, credit errors; the
dispatcher and "automatic" skipping unhealthy accounts; re-queued automatic tasks; pinned waits.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from motionhub.accounts import health
from motionhub.accounts.models import AccountHealthEvent, Health, KlingAccount
from motionhub.tasks import dispatch, pinned, track
from motionhub.tasks.models import MotionTask, State

from .conftest import BASE, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"
BROKEN = {"error": "Account session is broken", "code": 596}


@pytest.fixture
def other(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="b@example.com", label="B", max_jobs=2
    )


def _create_calls_by_email(upstream, answers: dict[str, tuple[int, dict]]):
    """Answer motion-upload per account email; returns the list of emails called."""
    called: list[str] = []

    def answer(request):
        email = json.loads(request.body)["email"]
        called.append(email)
        status, body = answers.get(email, (200, task_json()))
        return status, {}, json.dumps(body)

    upstream.mock.add_callback(responses.POST, UPLOAD_URL, callback=answer)
    return called


def test_a_596_on_the_create_call_marks_the_account_needs_relogin_and_the_pinned_task_waits(
    upload, account, upstream
):
    upstream.mock.post(UPLOAD_URL, status=596, json=BROKEN)
    task = upload(account)

    dispatch.run()

    account.refresh_from_db()
    assert account.health == Health.NEEDS_RELOGIN
    assert account.health_label == "needs re-login"
    [event] = AccountHealthEvent.objects.filter(account=account)
    assert (event.from_state, event.to_state) == ("active", "needs_relogin")
    assert "The create call" in event.why and "session" in event.why
    task.refresh_from_db()
    assert task.state == State.QUEUED  # not rejected: it waits for its account
    assert task.attempts == 0
    assert task.error_category == pinned.UNUSABLE
    assert "needs re-login" in task.error_message and "A" in task.error_message
    # It is not sent again while the account is unhealthy.
    dispatch.run()
    assert len(upstream.creates()) == 1


def test_an_automatic_task_is_sent_on_the_healthy_account_after_a_596_on_the_create_call(
    upload, account, other, upstream
):
    called = _create_calls_by_email(upstream, {"a@example.com": (596, BROKEN)})
    task = upload(None)  # automatic: A (lower id, equally idle) is tried first

    dispatch.run()
    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTED
    assert task.account_id == other.pk
    assert called == ["a@example.com", "b@example.com"]  # exactly one create call on B
    # Its assets were uploaded again on B: the create call names B's files.
    emails = [email for _, email in upstream.assets]
    assert emails == ["a@example.com", "a@example.com", "b@example.com", "b@example.com"]
    assert KlingAccount.objects.get(pk=account.pk).health == Health.NEEDS_RELOGIN
    assert KlingAccount.objects.get(pk=other.pk).health == Health.ACTIVE
    assert task.events.filter(detail__contains="queued again for a healthy account").exists()


def test_an_automatic_task_is_sent_on_the_other_account_after_a_596_on_post_assets(
    upload, account, other, upstream
):
    upstream.mock.replace(responses.POST, f"{BASE}/assets/", status=596, json=BROKEN)
    upstream.mock.add(responses.POST, f"{BASE}/assets/", status=596, json=BROKEN)
    task = upload(None)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.QUEUED and task.attempts == 0
    account.refresh_from_db()
    assert account.health == Health.NEEDS_RELOGIN
    assert "POST /assets" in account.health_reason
    # Now B: the dispatcher offers it only B, the healthy one.
    assert [a.pk for a in dispatch._candidates(task)] == [other.pk]


def test_repeated_429s_on_one_account_cool_it_down_until_a_time(
    upload, account, upstream, settings
):
    settings.MOTIONHUB_COOLDOWN_AFTER = 3
    settings.MOTIONHUB_MAX_ATTEMPTS = 10
    upstream.mock.post(UPLOAD_URL, status=429, json={"error": "account a is at capacity"})
    task = upload(account)

    for _ in range(3):
        MotionTask.objects.filter(pk=task.pk).update(not_before=None)
        dispatch.run()

    account.refresh_from_db()
    assert account.health == Health.COOLING_DOWN
    left = (account.health_until - timezone.now()).total_seconds()
    assert settings.MOTIONHUB_COOLDOWN_SECONDS - 10 < left <= settings.MOTIONHUB_COOLDOWN_SECONDS
    assert account.health_label.startswith("cooling down until ")
    assert "3 answers in a row" in account.health_reason
    assert not KlingAccount.objects.usable().filter(pk=account.pk).exists()
    MotionTask.objects.filter(pk=task.pk).update(not_before=None)
    dispatch.run()
    assert len(upstream.creates()) == 3  # not tried while it cools down


def test_a_good_answer_between_429s_starts_the_streak_again(upload, account, upstream, settings):
    settings.MOTIONHUB_COOLDOWN_AFTER = 3
    upstream.mock.post(UPLOAD_URL, status=429, json={"error": "busy"})
    upload(account)
    dispatch.run()
    dispatch.run()  # (backing off: not due yet)
    health.note_ok(account.pk)

    account.refresh_from_db()
    assert account.trouble_streak == 0 and account.health == Health.ACTIVE


def test_a_cool_down_that_is_over_counts_as_usable(account):
    past = timezone.now() - timedelta(seconds=1)
    KlingAccount.objects.filter(pk=account.pk).update(health=Health.COOLING_DOWN, health_until=past)

    assert KlingAccount.objects.usable().filter(pk=account.pk).exists()
    assert KlingAccount.objects.get(pk=account.pk).health_label == "active"


def test_the_upstreams_credit_error_makes_the_account_out_of_credits(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, status=400, json={"error": "Insufficient credits (balance)"})
    task = upload(account)

    dispatch.run()

    account.refresh_from_db()
    assert account.health == Health.OUT_OF_CREDITS
    task.refresh_from_db()
    assert task.state == State.QUEUED and "out of credits" in task.error_message


def test_automatic_choice_skips_unhealthy_accounts(upload, account, other, upstream, connection):
    third = KlingAccount.objects.create(connection=connection, email="c@example.com", max_jobs=2)
    health.change(account.pk, Health.NEEDS_RELOGIN, "test")
    health.change(other.pk, Health.OUT_OF_CREDITS, "test")
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(None)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTED and task.account_id == third.pk


def test_automatic_tasks_wait_while_no_account_is_healthy(upload, account, upstream):
    health.change(account.pk, Health.NEEDS_RELOGIN, "test")
    task = upload(None)

    assert dispatch.run() == 0
    task.refresh_from_db()
    assert task.state == State.QUEUED


def test_a_pinned_tasks_message_follows_its_account_and_clears_when_it_recovers(
    upload, account, upstream
):
    task = upload(account)
    health.change(account.pk, Health.NEEDS_RELOGIN, "useapi.net lost its session")

    assert pinned.note_unusable() == 1
    task.refresh_from_db()
    assert task.error_category == pinned.UNUSABLE
    assert task.error_message.startswith(
        "The account A cannot take work now: needs re-login (useapi.net lost its session)."
    )
    assert pinned.note_unusable() == 0  # written once

    health.change(account.pk, Health.OUT_OF_CREDITS, "The balance is 0, at or below 0.")
    pinned.note_unusable()
    task.refresh_from_db()
    assert "out of credits" in task.error_message

    upstream.mock.post(UPLOAD_URL, json=task_json())
    health.change(account.pk, Health.ACTIVE, "recovered")
    pinned.note_unusable()
    dispatch.run()  # (started on commit in a worker; here, by hand)
    task.refresh_from_db()
    assert task.error_message == "" and task.state == State.SUBMITTED


def test_a_596_while_reading_a_tracked_task_marks_its_account_needs_relogin(
    upload, account, upstream
):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)
    dispatch.run()
    upstream.mock.get(f"{BASE}/tasks/{task_json()['task']['id']}", status=596, json=BROKEN)

    track.read(task.pk)

    account.refresh_from_db()
    assert account.health == Health.NEEDS_RELOGIN
    assert account.health_reason.startswith("Reading a task (GET /tasks/{id}):")


def test_the_task_page_says_why_a_pinned_task_waits_and_offers_healthy_accounts(
    upload, account, other, upstream, operator_client
):
    task = upload(account)
    health.change(account.pk, Health.NEEDS_RELOGIN, "useapi.net lost its session")
    health.change(other.pk, Health.OUT_OF_CREDITS, "The balance is 0, at or below 0.")
    pinned.note_unusable()

    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()

    assert "The account A cannot take work now: needs re-login" in page
    assert "B (Team) — out of credits</option>" in page


def test_the_heartbeat_wakes_when_a_cool_down_ends_while_tasks_wait(account, other):
    from motionhub.tasks import heartbeat

    ends = timezone.now() + timedelta(seconds=40)
    KlingAccount.objects.filter(pk__in=[account.pk, other.pk]).update(
        health=Health.COOLING_DOWN, health_until=ends
    )
    assert heartbeat._seconds_until_next_due() is None  # nothing waits: no loop needed

    MotionTask.objects.create(name="waiting", auto_account=True, state=State.QUEUED)

    # Every account cools down and nothing is in flight: only the cool-down's end can wake
    # the dispatcher, so the heartbeat is due then (not at the next schedule).
    assert 30 < heartbeat._seconds_until_next_due() <= 40
