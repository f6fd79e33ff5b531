"""Slot hand-over latency: fewer broker hops between a freed slot and the next create call,
without giving up any guarantee (slots counted under a lock, claims by conditional update,
one job per further submission). Timings are the slot bench's (bench/slots.py), not asserted."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import dispatch, heartbeat, slots
from motionhub.tasks.dispatch import SUBMIT_JOB
from motionhub.tasks.models import MotionTask, State

from .conftest import BASE, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"
NEXT_ID = UPSTREAM_ID + 1


def _jobs(func: str) -> list[OrmQ]:
    return [job for job in OrmQ.objects.all() if job.func() == func]


@pytest.fixture
def broker(database_broker):
    """Jobs go to the database broker, so the test can see which were enqueued."""


def test_the_dispatcher_job_submits_its_first_claim_itself_and_enqueues_the_rest(
    upload, account, upstream, broker
):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=3)
    upstream.mock.post(UPLOAD_URL, json=task_json())
    first, second, third, fourth = (upload(account, f"t{n}") for n in range(4))

    assert slots.dispatch() == 3

    states = dict(MotionTask.objects.values_list("pk", "state"))
    # The oldest: uploaded and created inside this job, no submission job of its own.
    assert states[first.pk] == State.SUBMITTED and len(upstream.creates()) == 1
    # The next two hold their slots and wait for a job each (a slow upload holds up no other).
    assert states[second.pk] == states[third.pk] == State.UPLOADING
    assert sorted(job.args()[0] for job in _jobs(SUBMIT_JOB)) == [second.pk, third.pk]
    assert states[fourth.pk] == State.QUEUED  # the account is full


def test_the_dispatcher_job_claims_nothing_it_may_not_take(upload, account, upstream, broker):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=0)
    task = upload(account, "waiting")

    assert slots.dispatch() == 0

    task.refresh_from_db()
    assert task.state == State.QUEUED and not upstream.creates() and not _jobs(SUBMIT_JOB)


# --- a slot freed inside the heartbeat --------------------------------------------------------


@pytest.fixture
def running_and_waiting(upload, account, upstream):
    """One task holding the account's only slot upstream (its end due to be read now), one
    queued behind it."""
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    upstream.mock.post(UPLOAD_URL, json=task_json(UPSTREAM_ID))
    running = upload(account, "running")
    dispatch.run()
    waiting = upload(account, "waiting")
    dispatch.run()
    assert MotionTask.objects.get(pk=waiting.pk).state == State.QUEUED
    upstream.mock.replace("POST", UPLOAD_URL, json=task_json(NEXT_ID))
    upstream.mock.get(f"{BASE}/tasks/{UPSTREAM_ID}", json=task_json(status_name="succeed",
                                                                     final=True))  # fmt: skip
    MotionTask.objects.filter(pk=running.pk).update(next_poll_at=timezone.now())
    return running, waiting


@pytest.fixture
def one_round(monkeypatch):
    """The heartbeat runs a single round: nothing is due after it."""
    monkeypatch.setattr(heartbeat, "_seconds_until_next_due", lambda *_: None)


def test_a_slot_freed_by_a_final_reading_sends_the_next_create_call_in_the_same_round(
    running_and_waiting, upstream, one_round
):
    running, waiting = running_and_waiting

    # No on-commit callback runs here (the test's transaction never commits): the woken
    # dispatcher job never starts, so whatever is sent, the heartbeat's round sent it.
    heartbeat.run(budget=5)

    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.state == State.SUCCEEDED
    assert waiting.state == State.SUBMITTED and waiting.upstream_task_id == NEXT_ID
    assert len(upstream.creates()) == 2


def test_with_workers_the_round_claims_the_freed_slot_and_enqueues_one_submission(
    running_and_waiting, upstream, one_round, broker
):
    _running, waiting = running_and_waiting

    heartbeat.run(budget=5)

    waiting.refresh_from_db()
    assert waiting.state == State.UPLOADING  # the slot is taken in the round itself
    assert [job.args()[0] for job in _jobs(SUBMIT_JOB)] == [waiting.pk]
    assert len(upstream.creates()) == 1  # its create call is the submission job's


def test_a_callback_that_ends_a_task_hands_its_slot_on_in_the_confirming_job(
    running_and_waiting, upstream, broker, django_capture_on_commit_callbacks
):
    import json

    from django.test import Client

    from motionhub.tasks import callbacks
    from motionhub.tasks.views.hooks import CONFIRM_JOB

    running, waiting = running_and_waiting
    ref = callbacks.make_ref(running.pk, running.reply_nonce)
    final = task_json(status_name="succeed", final=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/hooks/useapi/{ref}/", json.dumps(final),
                                 content_type="application/json")  # fmt: skip
    assert response.status_code == 202
    (job,) = _jobs(CONFIRM_JOB)

    slots.confirm_callback(*job.args())  # what the worker runs; no other job is run

    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.state == State.SUCCEEDED
    assert waiting.state == State.SUBMITTED and waiting.upstream_task_id == NEXT_ID
    assert not _jobs(SUBMIT_JOB)


def test_a_callback_that_does_not_end_the_task_claims_nothing(
    running_and_waiting, upstream, broker
):
    running, waiting = running_and_waiting
    upstream.mock.replace("GET", f"{BASE}/tasks/{UPSTREAM_ID}",
                          json=task_json(status_name="processing"))  # fmt: skip

    slots.confirm_callback(running.pk)

    running.refresh_from_db()
    waiting.refresh_from_db()
    assert running.state == State.PROCESSING and waiting.state == State.QUEUED
