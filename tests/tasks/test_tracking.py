"""Tracking submitted tasks: polls, callbacks, and what each upstream answer means locally."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from motionhub.core.schedules import ensure_schedules
from motionhub.tasks import callbacks, heartbeat, track
from motionhub.tasks.models import MotionTask, State, TaskEvent

from .conftest import BASE, UPSTREAM_ID, task_json

TASK_URL = f"{BASE}/tasks/{UPSTREAM_ID}"


@pytest.fixture
def submitted(upload, account):
    """A task that upstream has accepted, due for its first poll."""
    task = upload(account)
    MotionTask.objects.filter(pk=task.pk).update(
        state=State.SUBMITTED,
        account=account,
        upstream_task_id=UPSTREAM_ID,
        next_poll_at=timezone.now() - timedelta(seconds=1),
    )
    task.refresh_from_db()
    return task


def test_a_poll_records_processing_then_succeeded(submitted, upstream):
    upstream.mock.get(TASK_URL, json=task_json(status_name="processing"))
    upstream.mock.get(TASK_URL, json=task_json(status_name="succeed", final=True))

    track.poll_due()
    submitted.refresh_from_db()
    assert submitted.state == State.PROCESSING
    MotionTask.objects.filter(pk=submitted.pk).update(next_poll_at=timezone.now())
    track.poll_due()

    submitted.refresh_from_db()
    assert submitted.state == State.SUCCEEDED
    assert submitted.finished_at is not None and submitted.next_poll_at is None
    assert submitted.upstream["task"]["status_name"] == "succeed"
    call = upstream.mock.calls[0].request
    assert call.url.endswith(f"/tasks/{UPSTREAM_ID}?email=a%40example.com")


def test_a_final_state_other_than_succeed_is_a_failure_with_the_upstream_message(
    submitted, upstream
):
    upstream.mock.get(
        TASK_URL, json=task_json(status_name="failed", final=True, error="No person found")
    )

    track.poll_due()

    submitted.refresh_from_db()
    assert submitted.state == State.FAILED
    assert submitted.error_message == "No person found"
    assert submitted.error_category == "upstream_failed"


def test_a_404_while_tracking_means_the_task_is_gone(submitted, upstream):
    upstream.mock.get(TASK_URL, status=404, json={"error": f"Task {UPSTREAM_ID} not found"})

    track.poll_due()

    submitted.refresh_from_db()
    assert submitted.state == State.FAILED
    assert submitted.error_category == "gone"
    assert "moderation" in submitted.error_message


def test_a_failed_reading_keeps_tracking_and_says_why(submitted, upstream):
    upstream.mock.get(TASK_URL, status=503, json={"error": "down"})

    track.poll_due()

    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert submitted.error_category == "upstream_trouble"
    assert submitted.next_poll_at > timezone.now()


def test_polls_are_bounded_per_account_per_round(upload, account, upstream, settings):
    settings.MOTIONHUB_POLLS_PER_ACCOUNT = 2
    for n in range(5):
        task = upload(account, f"t{n}")
        MotionTask.objects.filter(pk=task.pk).update(
            state=State.SUBMITTED, upstream_task_id=1000 + n, next_poll_at=timezone.now()
        )
        upstream.mock.get(f"{BASE}/tasks/{1000 + n}", json=task_json(1000 + n))

    assert track.poll_due() == 2
    assert len(upstream.mock.calls) == 2


def test_the_heartbeat_polls_until_the_task_is_final(submitted, upstream, settings):
    settings.MOTIONHUB_POLL_SECONDS = 0.05
    upstream.mock.get(TASK_URL, json=task_json(status_name="processing"))
    upstream.mock.get(TASK_URL, json=task_json(status_name="succeed", final=True))

    heartbeat.run(budget=5)

    submitted.refresh_from_db()
    assert submitted.state == State.SUCCEEDED


def test_only_one_heartbeat_runs_at_a_time(submitted, upstream):
    from motionhub.core.models import Lease

    assert Lease.acquire(heartbeat.LEASE, "another-host", 60)

    heartbeat.run(budget=1)

    assert len(upstream.mock.calls) == 0


def test_the_schedules_are_created_once_by_name(db):
    ensure_schedules()
    ensure_schedules()

    names = list(Schedule.objects.values_list("name", flat=True))
    assert names.count("motionhub: task heartbeat") == 1
    assert Schedule.objects.get(name="motionhub: task heartbeat").func == (
        "motionhub.tasks.heartbeat.run"
    )


# --- callbacks ----------------------------------------------------------------------------


def _callback(task: MotionTask, body: dict | None = None, ref: str | None = None):
    ref = ref if ref is not None else callbacks.make_ref(task.pk, task.reply_nonce)
    body = body if body is not None else task_json(status_name="succeed", final=True)
    return Client().post(f"/hooks/useapi/{ref}/", json.dumps(body), content_type="application/json")


def test_a_genuine_callback_is_confirmed_by_reading_the_task_upstream(
    submitted, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.get(TASK_URL, json=task_json(status_name="succeed", final=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = _callback(submitted)

    assert response.status_code == 202
    submitted.refresh_from_db()
    assert submitted.state == State.SUCCEEDED
    task_reads = [c for c in upstream.mock.calls if "/tasks/" in c.request.url]
    assert len(task_reads) == 1  # the re-read
    sources = set(TaskEvent.objects.filter(task=submitted).values_list("source", flat=True))
    assert "callback" in sources


def test_a_callback_claiming_success_is_not_believed_without_upstream(
    submitted, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.get(TASK_URL, json=task_json(status_name="processing"))

    with django_capture_on_commit_callbacks(execute=True):
        _callback(submitted)

    submitted.refresh_from_db()
    assert submitted.state == State.PROCESSING


@pytest.mark.parametrize(
    "ref",
    ["", "forged", "eyJ0IjoxLCJuIjoieCJ9:AAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ids=["unsigned", "garbage", "bad-signature"],
)
def test_a_forged_or_unsigned_callback_changes_nothing(submitted, upstream, ref):
    before = TaskEvent.objects.count()

    response = Client().post(
        f"/hooks/useapi/{ref}/" if ref else "/hooks/useapi/",
        json.dumps(task_json(status_name="succeed", final=True)),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert TaskEvent.objects.count() == before
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_a_reference_signed_for_another_task_is_refused(submitted, upload, account, upstream):
    other = upload(account, "other")

    response = _callback(submitted, ref=callbacks.make_ref(other.pk, "wrong-nonce"))

    assert response.status_code == 403


def test_a_replayed_callback_is_refused(submitted, upstream, django_capture_on_commit_callbacks):
    upstream.mock.get(TASK_URL, json=task_json(status_name="processing"))
    body = task_json(status_name="processing")
    with django_capture_on_commit_callbacks(execute=True):
        assert _callback(submitted, body).status_code == 202

    with django_capture_on_commit_callbacks(execute=True) as jobs:
        replay = _callback(submitted, body)

    assert replay.status_code == 409
    assert jobs == []


def test_a_callback_for_a_final_task_is_refused(submitted, upstream):
    MotionTask.objects.filter(pk=submitted.pk).update(state=State.SUCCEEDED)

    assert _callback(submitted).status_code == 409


def test_a_callback_about_another_upstream_task_is_refused(submitted, upstream):
    response = _callback(submitted, task_json(task_id=123, status_name="succeed", final=True))

    assert response.status_code == 400


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_a_malformed_callback_is_refused_with_a_clear_message(submitted, upstream, body):
    ref = callbacks.make_ref(submitted.pk, submitted.reply_nonce)

    response = Client().post(f"/hooks/useapi/{ref}/", body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_the_reference_may_also_come_in_the_body(
    submitted, upstream, django_capture_on_commit_callbacks
):
    upstream.mock.get(TASK_URL, json=task_json(status_name="succeed", final=True))
    ref = callbacks.make_ref(submitted.pk, submitted.reply_nonce)
    body = {**task_json(status_name="succeed", final=True), "replyRef": ref}

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/hooks/useapi/", json.dumps(body), "application/json")

    assert response.status_code == 202
    submitted.refresh_from_db()
    assert submitted.state == State.SUCCEEDED
