"""Full slots: a freed slot goes to the next queued task at once, without waiting for a beat,
and a task expected to end soon is read then — within the account's poll rate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import callbacks, dispatch, pace, track
from motionhub.tasks.models import Kind, MotionTask, State
from motionhub.tasks.wake import DISPATCH_JOB

from .conftest import BASE, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"
NEXT_ID = UPSTREAM_ID + 1


@pytest.fixture
def one_slot(account):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    account.refresh_from_db()
    return account


@pytest.fixture
def running_and_waiting(upload, one_slot, upstream):
    """One task holding the account's only slot upstream, one queued behind it."""
    upstream.mock.post(UPLOAD_URL, json=task_json(UPSTREAM_ID))
    running = upload(one_slot, "running")
    dispatch.run()
    running.refresh_from_db()
    assert running.state == State.SUBMITTED
    waiting = upload(one_slot, "waiting")
    dispatch.run()  # the account is full: it stays queued
    waiting.refresh_from_db()
    assert waiting.state == State.QUEUED
    upstream.mock.replace("POST", UPLOAD_URL, json=task_json(NEXT_ID))
    return running, waiting


def test_a_task_ending_on_a_poll_hands_its_slot_to_the_next_task_at_once(
    running_and_waiting, upstream, django_capture_on_commit_callbacks
):
    running, waiting = running_and_waiting
    upstream.mock.get(f"{BASE}/tasks/{UPSTREAM_ID}", json=task_json(status_name="succeed",
                                                                     final=True))  # fmt: skip
    MotionTask.objects.filter(pk=running.pk).update(next_poll_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        track.poll_due()  # one round of polling; no heartbeat, no dispatcher run by hand

    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.state == State.SUCCEEDED
    assert waiting.state == State.SUBMITTED and waiting.upstream_task_id == NEXT_ID
    assert len(upstream.creates()) == 2


def test_a_task_ending_on_a_callback_hands_its_slot_to_the_next_task_at_once(
    running_and_waiting, upstream, django_capture_on_commit_callbacks
):
    running, waiting = running_and_waiting
    final = task_json(status_name="succeed", final=True)
    upstream.mock.get(f"{BASE}/tasks/{UPSTREAM_ID}", json=final)
    ref = callbacks.make_ref(running.pk, running.reply_nonce)

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/hooks/useapi/{ref}/", json.dumps(final),
                                 content_type="application/json")  # fmt: skip

    assert response.status_code == 202
    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.state == State.SUCCEEDED
    assert waiting.state == State.SUBMITTED and waiting.upstream_task_id == NEXT_ID


def test_accepting_a_task_with_a_free_slot_submits_it_without_a_beat(
    account, upstream, operator_client, clip, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upstream.mock.post(UPLOAD_URL, json=task_json())
    video = SimpleUploadedFile("wave.mp4", clip(3).read_bytes(), content_type="video/mp4")

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("upload"), {"name": "Wave", "account": str(account.pk), "video": video}
        )

    assert response.status_code == 302
    task = MotionTask.objects.get()
    assert task.state == State.SUBMITTED and task.upstream_task_id == UPSTREAM_ID


def test_a_burst_of_slot_changes_starts_one_dispatcher(
    upload, account, database_broker, django_capture_on_commit_callbacks
):
    for n in range(6):
        upload(account, f"t{n}")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            dispatch.soon()  # what each accept, finish or back-off asks for

    jobs = [job for job in OrmQ.objects.all() if job.func() == DISPATCH_JOB]
    assert len(jobs) == 1
    from motionhub.tasks import slots

    slots.dispatch()  # the job: it clears the mark first, so the next change starts another
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.soon()
    assert sum(job.func() == DISPATCH_JOB for job in OrmQ.objects.all()) == 2


# --- when the next read happens ------------------------------------------------------------


def _tracked(upload, account, n: int, **fields) -> MotionTask:
    task = upload(account, f"tracked {n}")
    now = timezone.now()
    defaults = {"state": State.PROCESSING, "upstream_task_id": 1000 + n, "submitted_at": now,
                "next_poll_at": now}  # fmt: skip
    MotionTask.objects.filter(pk=task.pk).update(**(defaults | fields))
    task.refresh_from_db()
    return task


def _eta_in(seconds: float) -> int:
    return int((timezone.now() + timedelta(seconds=seconds)).timestamp() * 1000)


def test_a_task_expected_to_end_soon_is_read_right_after_its_eta(upload, account, upstream,
                                                                  settings):  # fmt: skip
    settings.MOTIONHUB_POLL_SECONDS = 10
    task = _tracked(upload, account, 1)
    eta = _eta_in(3)
    upstream.mock.get(f"{BASE}/tasks/1001", json=task_json(1001, "processing", etaTime=eta))

    track.poll_due()

    task.refresh_from_db()
    planned = task.next_poll_at.timestamp() * 1000 - eta
    assert 0 < planned <= pace.MARGIN.total_seconds() * 1000 + 50


def test_without_a_hint_a_task_is_read_when_its_kind_usually_ends(upload, account, upstream,
                                                                   settings):  # fmt: skip
    settings.MOTIONHUB_POLL_SECONDS = 10
    now = timezone.now()
    for n in range(3):  # the account's recent uploads took 4 s each
        done = upload(account, f"done {n}")
        MotionTask.objects.filter(pk=done.pk).update(
            state=State.SUCCEEDED,
            kind=Kind.MOTION_UPLOAD,
            submitted_at=now - timedelta(seconds=60 + n),
            finished_at=now - timedelta(seconds=56 + n),
        )
    task = _tracked(upload, account, 2)
    upstream.mock.get(f"{BASE}/tasks/1002", json=task_json(1002, "processing"))

    track.poll_due()

    task.refresh_from_db()
    expected = task.submitted_at + timedelta(seconds=4) + pace.MARGIN
    assert abs((task.next_poll_at - expected).total_seconds()) < 0.5


@pytest.mark.parametrize(("others", "early"), [((5,), True), ((5, 7), False)],
                         ids=["room-in-the-rate", "rate-used-up"])  # fmt: skip
def test_early_reads_stay_within_the_accounts_poll_rate(upload, account, upstream, settings,
                                                        others, early):  # fmt: skip
    """3 reads per 10 s: a task due now that says it ends in 1 s is read again sooner only if,
    with the account's other planned reads (every 10 s from their next one), no 10 s holds
    more than 3."""
    settings.MOTIONHUB_POLL_SECONDS = 10
    settings.MOTIONHUB_POLLS_PER_ACCOUNT = 3
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=10)
    task = _tracked(upload, account, 0)
    start = timezone.now()
    for n, offset in enumerate(others, start=1):
        _tracked(upload, account, n, next_poll_at=start + timedelta(seconds=offset))
    upstream.mock.get(f"{BASE}/tasks/1000", json=task_json(1000, "processing", etaTime=_eta_in(1)))

    assert track.poll_due() == 1

    task.refresh_from_db()
    period = timedelta(seconds=10)
    if early:
        # Not before an even share of the rate (10 s / 3), though the hint said 1 s.
        assert start + period / 3 <= task.next_poll_at < start + period / 3 + timedelta(seconds=1)
    else:
        assert task.next_poll_at >= start + period  # the regular read
    reads = sorted([start, task.next_poll_at, *(start + timedelta(seconds=o) for o in others)])
    for first in reads:
        assert sum(first <= moment < first + period for moment in reads) <= 3


def test_a_final_answer_carries_no_eta(upload, account, upstream):
    task = _tracked(upload, account, 3)
    upstream.mock.get(f"{BASE}/tasks/1003",
                      json=task_json(1003, "succeed", final=True, etaTime=_eta_in(5)))  # fmt: skip

    track.poll_due()

    task.refresh_from_db()
    assert task.state == State.SUCCEEDED and task.next_poll_at is None
