"""Slot hand-over latency: fewer broker hops between a freed slot and the next create call,
without giving up any guarantee (slots counted under a lock, claims by conditional update,
one job per further submission). Timings are the slot bench's (bench/slots.py), not asserted."""

from __future__ import annotations

import pytest
from django_q.conf import Conf
from django_q.models import OrmQ

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import slots
from motionhub.tasks.dispatch import SUBMIT_JOB
from motionhub.tasks.models import MotionTask, State

from .conftest import task_json

UPLOAD_URL = "https://api.useapi.test/v1/kling/videos/motion-upload"


def _jobs(func: str) -> list[OrmQ]:
    return [job for job in OrmQ.objects.all() if job.func() == func]


@pytest.fixture
def broker(monkeypatch):
    """Jobs go to the (database) broker, so the test can see which were enqueued."""
    monkeypatch.setattr(Conf, "SYNC", False)


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
