"""One bad task or account never stops tracking, and the heartbeat's lease never runs out under it.

Issue 13, item 3: a DecryptionError from a connection or a failing task_succeeded receiver used
to kill every beat (and the same task came first again); the lease (85 s, never renewed) could
run out mid-loop while a slow upstream held the reads, letting a second heartbeat in.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.core.models import Lease
from motionhub.tasks import heartbeat, track
from motionhub.tasks.models import MotionTask, State

from .conftest import BASE, task_json


def _tracked(account: KlingAccount, upstream_id: int, name: str = "t") -> MotionTask:
    return MotionTask.objects.create(
        name=name, account=account, state=State.SUBMITTED, upstream_task_id=upstream_id,
        next_poll_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip


@pytest.fixture
def broken_account(db) -> KlingAccount:
    """An account whose connection's token cannot be decrypted (the encryption key changed)."""
    conn = Connection.objects.create(name="Old key", base_url=BASE, token_encrypted="gAAAA-not")
    return KlingAccount.objects.create(connection=conn, email="old@example.com", max_jobs=5)


def test_a_task_whose_token_cannot_be_decrypted_does_not_stop_the_others(
    account, broken_account, upstream
):
    poison = _tracked(broken_account, 1, "poison")
    fine = _tracked(account, 2, "fine")
    upstream.mock.get(f"{BASE}/tasks/2", json=task_json(2, "succeed", final=True))

    track.poll_due()

    fine.refresh_from_db()
    poison.refresh_from_db()
    assert fine.state == State.SUCCEEDED
    assert poison.state == State.SUBMITTED  # still tracked, read again later, not first again
    assert poison.error_category == "token_unreadable"
    assert "Enter the token again" in poison.error_message
    assert poison.next_poll_at > timezone.now()


def test_a_poisoned_task_is_read_again_once_its_turn_comes_back(account, broken_account, upstream):
    poison = _tracked(broken_account, 1, "poison")
    track.poll_due()
    # Someone enters the token again; the task's next turn comes.
    broken_account.connection.set_token("user:1-fixed")
    broken_account.connection.save()
    MotionTask.objects.filter(pk=poison.pk).update(next_poll_at=timezone.now())
    upstream.mock.get(f"{BASE}/tasks/1", json=task_json(1, "succeed", final=True))

    track.poll_due()

    poison.refresh_from_db()
    assert poison.state == State.SUCCEEDED and poison.read_failing_since is None


def test_a_failing_task_succeeded_receiver_neither_stops_tracking_nor_undoes_the_success(
    account, upstream, caplog
):
    first, second = _tracked(account, 1, "first"), _tracked(account, 2, "second")
    for n in (1, 2):
        upstream.mock.get(f"{BASE}/tasks/{n}", json=task_json(n, "succeed", final=True))

    def broken_receiver(**kwargs):
        raise RuntimeError("a listener's own bug")

    track.task_succeeded.connect(broken_receiver)
    try:
        track.poll_due()
    finally:
        track.task_succeeded.disconnect(broken_receiver)

    assert set(MotionTask.objects.filter(pk__in=[first.pk, second.pk])
               .values_list("state", flat=True)) == {State.SUCCEEDED}  # fmt: skip
    assert "task_succeeded receiver" in caplog.text and "RuntimeError" in caplog.text


def test_the_heartbeat_goes_on_past_a_poisoned_task(account, broken_account, upstream, settings):
    settings.MOTIONHUB_POLL_SECONDS = 0.05
    _tracked(broken_account, 1, "poison")
    fine = _tracked(account, 2, "fine")
    upstream.mock.get(f"{BASE}/tasks/2", json=task_json(2, "processing"))
    upstream.mock.get(f"{BASE}/tasks/2", json=task_json(2, "succeed", final=True))

    heartbeat.run(budget=3)

    fine.refresh_from_db()
    assert fine.state == State.SUCCEEDED


def test_a_failing_account_costs_one_reading_per_round_and_the_others_go_on(
    account, connection, upstream, settings
):
    settings.MOTIONHUB_POLLS_PER_ACCOUNT = 3
    slow = KlingAccount.objects.create(connection=connection, email="slow@example.com", max_jobs=5)
    for n in range(3):
        _tracked(slow, 100 + n)
        upstream.mock.get(f"{BASE}/tasks/{100 + n}", status=503, json={"error": "timeout"})
        _tracked(account, 200 + n)
        upstream.mock.get(f"{BASE}/tasks/{200 + n}", json=task_json(200 + n, "processing"))

    assert track.poll_due() == 4

    read = [c.request.url.split("/tasks/")[1].split("?")[0] for c in upstream.mock.calls]
    assert sorted(read) == ["100", "200", "201", "202"]


def test_no_reading_starts_unless_it_can_end_before_the_deadline(account, upstream, settings):
    settings.USEAPI_TIMEOUT = 30
    _tracked(account, 1)

    assert track.poll_due(deadline=time.monotonic() + 20) == 0
    assert len(upstream.mock.calls) == 0


# --- the lease ------------------------------------------------------------------------------


def test_a_lease_is_renewed_only_by_its_holder_and_only_while_it_lasts(db):
    assert Lease.acquire("job", "me", 60)

    assert Lease.renew("job", "me", 120)
    assert not Lease.renew("job", "someone else", 120)
    assert Lease.objects.get(name="job").expires_at > timezone.now() + timedelta(seconds=100)
    Lease.objects.filter(name="job").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not Lease.renew("job", "me", 60)  # ran out: someone else may hold it by now


def test_the_heartbeat_renews_its_lease_every_round_and_no_second_one_starts_meanwhile(
    account, upstream, settings
):
    settings.MOTIONHUB_POLL_SECONDS = 0.3
    _tracked(account, 1)
    seen = []

    def answer(request):
        lease = Lease.objects.get(name=heartbeat.LEASE)
        seen.append((lease.holder, lease.expires_at))
        heartbeat.run(budget=1)  # a second heartbeat, started meanwhile: refused by the lease
        return 200, {}, json.dumps(task_json(1, "processing"))

    upstream.mock.add_callback(responses.GET, f"{BASE}/tasks/1", callback=answer)

    heartbeat.run(budget=2)

    assert len(seen) >= 3  # the second heartbeat read nothing: one reading per round
    assert len({holder for holder, _ in seen}) == 1
    expiries = [at for _, at in seen]
    assert expiries == sorted(expiries) and len(set(expiries)) == len(expiries)  # renewed
    assert not Lease.objects.filter(name=heartbeat.LEASE).exists()  # released at the end


def test_a_heartbeat_that_lost_its_lease_stops(account, upstream, settings):
    settings.MOTIONHUB_POLL_SECONDS = 0.05
    _tracked(account, 1)
    reads = []

    def answer(request):
        reads.append(1)
        # The lease was lost (it ran out, or someone cleared it); another heartbeat has it now.
        Lease.objects.filter(name=heartbeat.LEASE).update(
            holder="another-host", expires_at=timezone.now() + timedelta(seconds=60)
        )
        return 200, {}, json.dumps(task_json(1, "processing"))

    upstream.mock.add_callback(responses.GET, f"{BASE}/tasks/1", callback=answer)

    heartbeat.run(budget=3)

    assert len(reads) == 1
    assert Lease.objects.get(name=heartbeat.LEASE).holder == "another-host"  # left alone


def test_the_lease_covers_each_round_with_room_for_one_reading(account, upstream, settings):
    settings.USEAPI_TIMEOUT = 2
    _tracked(account, 1)
    left = []

    def answer(request):
        expires = Lease.objects.get(name=heartbeat.LEASE).expires_at
        left.append((expires - timezone.now()).total_seconds())
        return 200, {}, json.dumps(task_json(1, "succeed", final=True))

    upstream.mock.add_callback(responses.GET, f"{BASE}/tasks/1", callback=answer)

    heartbeat.run(budget=5)

    # The reading started with at least the read timeout left on the lease, and the lease is
    # short (a read plus LEASE_MARGIN), so a heartbeat that died frees it soon.
    assert left and 2 <= left[0] <= 2 + heartbeat.LEASE_MARGIN
