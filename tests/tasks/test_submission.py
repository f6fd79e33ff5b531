"""The submission job: assets, the create call, slots, back-off, and never submitting twice.

What happens when the create call's answer is lost (the look-up) is in test_reconcile.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import callbacks, dispatch, submit, track
from motionhub.tasks.models import MotionTask, State, TaskEvent

from .conftest import BASE, TOKEN, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"


def _states(task: MotionTask) -> list[str]:
    return list(
        TaskEvent.objects.filter(task=task)
        .exclude(from_state="", to_state="queued")
        .exclude(detail__startswith="Uploaded")
        .values_list("to_state", flat=True)
    )


def test_it_uploads_the_video_then_the_cover_then_sends_motion_upload(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTED
    assert task.upstream_task_id == UPSTREAM_ID
    assert upstream.assets == [("video/mp4", "a@example.com"), ("image/jpeg", "a@example.com")]
    [sent] = upstream.creates()
    assert sent == {
        "email": "a@example.com",
        "resourceUrl": "https://cdn.test/v0.mp4",
        "coverUrl": "https://cdn.test/i1.jpg",
        "maxJobs": 2,
        # Sent without callbacks too: a lost answer is looked up by it (GET /scheduler).
        "replyRef": callbacks.make_ref(task.pk, task.reply_nonce),
    }
    assert task.upstream["create"]["task"]["id"] == UPSTREAM_ID
    assert task.submitted_at and task.next_poll_at
    assert _states(task) == ["uploading", "submitting", "submitted"]


def test_asset_uploads_stream_the_stored_files_with_their_content_types(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)

    dispatch.run()

    video_call = next(c for c in upstream.mock.calls if "/assets/" in c.request.url)
    assert video_call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert int(video_call.request.headers["Content-Length"]) == task.video.size


def test_it_asks_for_signed_callbacks_when_a_public_url_is_set(upload, account, upstream, settings):
    settings.MOTIONHUB_PUBLIC_URL = "https://motionhub.example.com"
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)

    dispatch.run()

    [sent] = upstream.creates()
    assert sent["replyUrl"].startswith("https://motionhub.example.com/hooks/useapi/")
    assert sent["replyRef"] and sent["replyRef"] in sent["replyUrl"]
    task.refresh_from_db()
    assert callbacks.read_ref(sent["replyRef"]) == (task.pk, task.reply_nonce)
    assert callbacks.read_ref(sent["replyRef"] + "x") is None


def test_the_raw_response_is_stored_without_secrets(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, json=task_json(echo=f"Bearer {TOKEN}"))
    task = upload(account)

    dispatch.run()

    task.refresh_from_db()
    assert TOKEN not in str(task.upstream)


def test_a_job_that_runs_twice_submits_once(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)

    dispatch.run()
    dispatch.run()
    submit.run(task.pk)

    assert len(upstream.creates()) == 1


def test_a_stranded_upload_is_queued_again_and_reuses_no_slot(upload, account, upstream, settings):
    task = upload(account)
    long_ago = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["retry"] + 60)
    MotionTask.objects.filter(pk=task.pk).update(
        state=State.UPLOADING, account=account, claimed_at=long_ago
    )

    track.sweep()

    task.refresh_from_db()
    assert task.state == State.QUEUED


def test_429_queues_the_task_again_honouring_retry_after(upload, account, upstream):
    upstream.mock.post(
        UPLOAD_URL, status=429, json={"error": "busy"}, headers={"Retry-After": "42"}
    )
    task = upload(account)
    before = timezone.now()

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert task.error_category == "no_free_slot"
    wait = (task.not_before - before).total_seconds()
    assert 41 <= wait <= 44
    assert task.attempts == 0  # a busy slot is not a failed attempt
    dispatch.run()  # not due yet: nothing is sent
    assert len(upstream.creates()) == 1


def test_after_the_back_off_the_task_is_submitted(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, status=429, json={"error": "busy"})
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)
    dispatch.run()
    MotionTask.objects.filter(pk=task.pk).update(not_before=timezone.now())

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTED
    assert len(upstream.assets) == 2  # the assets were not uploaded again


def test_upstream_trouble_before_the_create_call_is_retried_a_bounded_number_of_times(
    upload, account, upstream, settings
):
    upstream.mock.replace(responses.POST, f"{BASE}/assets/", status=503, json={"error": "down"})
    task = upload(account)

    for _ in range(settings.MOTIONHUB_MAX_ATTEMPTS + 2):
        MotionTask.objects.filter(pk=task.pk).update(not_before=None)
        dispatch.run()

    task.refresh_from_db()
    assert task.state == State.FAILED
    assert task.error_category == "upstream_trouble"
    assert task.attempts == settings.MOTIONHUB_MAX_ATTEMPTS
    assert upstream.creates() == []


@pytest.mark.parametrize(
    ("status", "body", "category"),
    [
        (400, {"error": "Parameter resourceUrl is required"}, "invalid_input"),
        (401, {"error": "Unauthorized", "code": 401}, "unauthorized"),
        (402, {"error": "Subscription required", "code": 402}, "subscription_required"),
        (
            404,
            {
                "error": "Sorry, the requested resource was not found (VALID.ResourceNotFound)",
                "message": "Not Found",
            },
            "asset_missing",
        ),
        (
            500,
            {
                "error": "The content you uploaded appears to violate the community guidelines."
                " (CM_EXT.POther)",
                "message": "Service busy (CM_EXT.POther)",
            },
            "moderation",
        ),
    ],
)
def test_a_refusal_ends_the_task_rejected_with_its_category(
    upload, account, upstream, status, body, category
):
    upstream.mock.post(UPLOAD_URL, status=status, json=body)
    task = upload(account)

    dispatch.run()
    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.REJECTED
    assert task.error_category == category
    assert task.finished_at is not None
    assert len(upstream.creates()) == 1


def test_an_account_never_runs_more_than_its_max_jobs(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    first, second = upload(account, "one"), upload(account, "two")

    dispatch.run()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.SUBMITTED, State.QUEUED)
    MotionTask.objects.filter(pk=first.pk).update(state=State.SUCCEEDED)
    dispatch.run()
    second.refresh_from_db()
    assert second.state == State.SUBMITTED


def test_automatic_picks_the_least_busy_enabled_account_with_credits(
    upload, account, connection, upstream
):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    idle = KlingAccount.objects.create(connection=connection, email="b@example.com", max_jobs=2)
    KlingAccount.objects.create(
        connection=connection, email="broke@example.com", max_jobs=5, credits=0
    )
    KlingAccount.objects.create(
        connection=connection, email="off@example.com", max_jobs=5, enabled=False
    )
    busy = upload(account, "busy")
    MotionTask.objects.filter(pk=busy.pk).update(state=State.PROCESSING)
    task = upload(None, "auto")

    dispatch.run()

    task.refresh_from_db()
    assert task.account == idle
    assert upstream.assets[0][1] == "b@example.com"


def test_automatic_waits_queued_while_every_account_is_full(upload, account, upstream):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    busy = upload(account, "busy")
    MotionTask.objects.filter(pk=busy.pk).update(state=State.PROCESSING)
    task = upload(None, "auto")

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert upstream.assets == []


def test_a_canceled_task_is_never_submitted(upload, account, upstream, operator_client):
    task = upload(account)

    operator_client.post(f"/tasks/{task.pk}/cancel/")
    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.CANCELED
    assert upstream.assets == []
