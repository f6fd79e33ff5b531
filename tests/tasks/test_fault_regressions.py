"""Bugs the fault run on the production topology found (tests/faults/), each pinned down here.

1. An "automatic" task that backed off and was then claimed by another account reused the
   assets it had uploaded to the first account: the create call named another account's files
   and upstream refused it (404 → rejected, "asset missing").
2. Dispatching behind full accounts took a write transaction (and the account row lock) for
   every queued task it looked at, up to 50 per run. Every accept, back-off and finish starts a
   dispatcher, so a long queue kept SQLite's one write lock busy with claims that could not
   succeed, and every other writer (submissions, polls, the sandbox) stalled into "database is
   locked".
3. The heartbeat loop ran for HEARTBEAT_SECONDS whatever the job timeout: with Q_TIMEOUT
   below it, django-q2 interrupted it every time (SIGALRM, possibly mid database call, which
   left a worker holding SQLite's write lock), and polling then waited for the schedule.
4. A submission job that outlived its claim (the sweep gave the task back to the queue and
   another account claimed it) still sent the create call, on the old account, while the task
   recorded the new one.
5. Any 5xx answer to the create call went to back-off and the call was sent again — for an
   "automatic" task on another account — although a 500, a gateway's 502 or 504 may come after
   the task was made upstream: a second paid job. Only a 503 that says the service is
   unavailable is a refusal; the rest are looked up first (reconcile.py).
"""

from __future__ import annotations

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.conf import Conf

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import callbacks, dispatch, heartbeat, submit, timeline
from motionhub.tasks.models import MotionTask, State

from .conftest import BASE, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"
# A refusal: the service says it is unavailable, so nothing was created and a resend is safe.
UNAVAILABLE = {"error": "Service temporarily unavailable, retry later", "code": 503}


def test_an_automatic_task_claimed_by_another_account_uploads_its_assets_again(
    upload, account, connection, upstream
):
    other = KlingAccount.objects.create(connection=connection, email="b@example.com", max_jobs=2)
    # b is half busy, so "automatic" first picks a (idle).
    MotionTask.objects.create(name="busy on b", account=other, state=State.PROCESSING)
    upstream.mock.post(UPLOAD_URL, status=503, json=UNAVAILABLE)
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(None, "auto")

    dispatch.run()  # claimed on a, assets uploaded to a, the create call answered 503
    task.refresh_from_db()
    assert (task.state, task.account) == (State.QUEUED, account)
    # Now a is full and b free: the retry goes to b.
    MotionTask.objects.filter(account=other).update(state=State.SUCCEEDED)
    for n in range(2):
        MotionTask.objects.create(name=f"busy on a {n}", account=account, state=State.PROCESSING)
    MotionTask.objects.filter(pk=task.pk).update(not_before=timezone.now())

    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.account) == (State.SUBMITTED, other)
    assert [email for _, email in upstream.assets] == [
        "a@example.com", "a@example.com", "b@example.com", "b@example.com",
    ]  # fmt: skip
    first, second = upstream.creates()
    assert first["email"] == "a@example.com" and first["resourceUrl"].endswith("/v0.mp4")
    assert second["email"] == "b@example.com" and second["resourceUrl"].endswith("/v2.mp4")
    assert second["coverUrl"].endswith("/i3.jpg")


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_5xx_that_may_have_made_the_task_is_looked_up_not_resent_on_another_account(
    upload, account, connection, upstream, status
):
    KlingAccount.objects.create(connection=connection, email="b@example.com", max_jobs=2)
    upstream.mock.post(UPLOAD_URL, status=status, json={"error": "Internal error"})
    task = upload(None, "auto")
    ref = callbacks.make_ref(task.pk, task.reply_nonce)
    upstream.mock.get(f"{BASE}/scheduler", json=[{"id": UPSTREAM_ID, "replyRef": ref}])

    dispatch.run()
    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.account, task.upstream_task_id) == (
        State.SUBMITTED, account, UPSTREAM_ID,
    )  # fmt: skip
    [sent] = upstream.creates()
    assert sent["email"] == "a@example.com"


def test_a_retry_on_the_same_account_still_reuses_its_assets(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, status=503, json=UNAVAILABLE)
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)
    dispatch.run()
    MotionTask.objects.filter(pk=task.pk).update(not_before=timezone.now())

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTED
    assert len(upstream.assets) == 2


def test_dispatching_behind_full_accounts_takes_no_lock(upload, account, upstream):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    MotionTask.objects.create(name="busy", account=account, state=State.PROCESSING)
    for n in range(5):
        upload(account, f"waiting {n}")
    upload(None, "waiting auto")

    with CaptureQueriesContext(connection) as queries:
        assert dispatch.run() == 0

    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    # No transaction (a savepoint inside the test's own), no row lock, no write.
    assert "SAVEPOINT" not in sql and "BEGIN" not in sql
    assert "FOR UPDATE" not in sql and "UPDATE " not in sql
    # Once every account is known full, the rest of the queue is not looked at one by one.
    assert len(queries.captured_queries) <= 6, [q["sql"] for q in queries.captured_queries]
    assert MotionTask.objects.filter(state=State.QUEUED).count() == 6


@pytest.mark.parametrize(
    ("timeout", "budget"), [(None, 55.0), (600, 55.0), (60, 45.0), (20, 15.0), (4, 1.0)]
)
def test_the_heartbeat_loop_ends_before_the_job_timeout(monkeypatch, timeout, budget):
    monkeypatch.setattr(Conf, "TIMEOUT", timeout)
    assert heartbeat._within_job_timeout(heartbeat.HEARTBEAT_SECONDS) == budget


def test_a_heartbeat_out_of_budget_hands_over_while_work_is_due_soon(db, monkeypatch, account):
    started = []
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(heartbeat, "async_task", lambda func, *a, **k: started.append(func))
    MotionTask.objects.create(
        name="tracked", account=account, state=State.SUBMITTED, upstream_task_id=1,
        next_poll_at=timezone.now() + timezone.timedelta(seconds=2),
    )  # fmt: skip

    heartbeat.run(budget=0.5)

    assert started == ["motionhub.tasks.heartbeat.run"]


def test_an_idle_heartbeat_hands_over_to_nobody(db, monkeypatch):
    started = []
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(heartbeat, "async_task", lambda func, *a, **k: started.append(func))

    heartbeat.run(budget=0.5)

    assert started == []


def test_a_submission_job_that_outlived_its_claim_sends_nothing(
    upload, account, connection, upstream
):
    other = KlingAccount.objects.create(connection=connection, email="b@example.com", max_jobs=2)
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(None, "auto")
    assert dispatch.claim(task.pk)  # claim 1, on a (both idle: the first)
    record_asset = upstream._asset

    def meanwhile(request):
        if not upstream.assets:
            # While this job uploads, the sweep gives the task back and b claims it (a is full).
            timeline.move(task.pk, [State.UPLOADING], State.QUEUED, source="system",
                          detail="The worker stopped while uploading; queued again.")  # fmt: skip
            for n in range(2):
                MotionTask.objects.create(name=f"a{n}", account=account, state=State.PROCESSING)
            assert dispatch.claim(task.pk)  # claim 2, on b
        return record_asset(request)

    upstream.mock.remove(responses.POST, f"{BASE}/assets/")
    upstream.mock.add_callback(responses.POST, f"{BASE}/assets/", callback=meanwhile)

    submit.run(task.pk)  # the job of claim 1

    task.refresh_from_db()
    assert (task.state, task.account) == (State.UPLOADING, other)
    assert upstream.creates() == []

    submit.run(task.pk)  # the job of claim 2

    task.refresh_from_db()
    assert (task.state, task.account) == (State.SUBMITTED, other)
    [sent] = upstream.creates()
    assert sent["email"] == "b@example.com"
