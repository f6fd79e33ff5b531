"""Nothing waits for ever without a word (issue 13, item 4).

Before: the dispatcher looked only at the 50 oldest queued tasks, so 50 tasks pinned to a full
account blocked every other account; a task pinned to a disabled or removed account waited
silently; a task whose readings failed for good (401/402/596) kept its slot for ever; a
double-clicked Retry made two paid tasks.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.audit.models import AuditEntry
from motionhub.tasks import accept, dispatch, pinned, track
from motionhub.tasks.models import IN_FLIGHT, MotionTask, State, TaskEvent

from .conftest import BASE, task_json


def _queued(account: KlingAccount | None, n: int) -> list[MotionTask]:
    return [
        MotionTask.objects.create(name=f"q{i}", account=account, auto_account=account is None)
        for i in range(n)
    ]


# --- the dispatcher -------------------------------------------------------------------------


def test_sixty_tasks_pinned_to_a_full_account_do_not_block_a_free_one(account, connection):
    KlingAccount.objects.filter(pk=account.pk).update(max_jobs=1)
    MotionTask.objects.create(name="busy", account=account, state=State.PROCESSING)
    _queued(account, 60)
    free = KlingAccount.objects.create(connection=connection, email="free@example.com")
    (waiting,) = _queued(free, 1)

    assert dispatch.run() == 1

    waiting.refresh_from_db()
    assert waiting.state == State.UPLOADING and waiting.account == free
    assert MotionTask.objects.filter(account=account, state=State.QUEUED).count() == 60


def test_tasks_pinned_to_disabled_or_removed_accounts_do_not_block_automatic_ones(
    account, connection
):
    off = KlingAccount.objects.create(connection=connection, email="off@example.com",
                                      enabled=False, max_jobs=50)  # fmt: skip
    gone = KlingAccount.objects.create(connection=connection, email="gone@example.com",
                                       removed_at=timezone.now(), max_jobs=50)  # fmt: skip
    _queued(off, 30)
    _queued(gone, 30)
    (auto,) = _queued(None, 1)

    assert dispatch.run() == 1

    auto.refresh_from_db()
    assert auto.state == State.UPLOADING and auto.account == account


# --- pinned to an account that cannot take the task -----------------------------------------


@pytest.fixture
def stuck(upload, account):
    task = upload(account, "Pinned")
    KlingAccount.objects.filter(pk=account.pk).update(enabled=False)
    return task


def test_a_task_pinned_to_a_disabled_account_says_why_once(stuck, viewer_client):
    events = TaskEvent.objects.filter(task=stuck).count()

    assert pinned.note_unusable() == 1
    assert pinned.note_unusable() == 0  # said once, not on every beat

    stuck.refresh_from_db()
    assert stuck.error_category == pinned.UNUSABLE
    assert "A is disabled" in stuck.error_message
    assert TaskEvent.objects.filter(task=stuck).count() == events
    page = viewer_client.get(f"/tasks/{stuck.pk}/status/").content.decode()
    assert "A is disabled" in page and "Move the task to another account" in page


def test_a_task_pinned_to_a_removed_account_says_so(stuck, account):
    KlingAccount.objects.filter(pk=account.pk).update(removed_at=timezone.now())

    pinned.note_unusable()

    stuck.refresh_from_db()
    assert "A was removed" in stuck.error_message


def test_the_note_goes_once_the_account_is_enabled_again(stuck, account):
    pinned.note_unusable()
    KlingAccount.objects.filter(pk=account.pk).update(enabled=True)

    pinned.note_unusable()

    stuck.refresh_from_db()
    assert (stuck.error_category, stuck.error_message) == ("", "")


def test_an_operator_moves_a_stuck_task_to_another_account(
    stuck, connection, operator_client, django_capture_on_commit_callbacks
):
    pinned.note_unusable()
    other = KlingAccount.objects.create(connection=connection, email="b@example.com", label="B")
    page = operator_client.get(f"/tasks/{stuck.pk}/").content.decode()
    assert f'action="/tasks/{stuck.pk}/move/"' in page and 'value="auto"' in page
    assert f'value="{other.pk}"' in page

    response = operator_client.post(f"/tasks/{stuck.pk}/move/", {"account": other.pk})

    assert response.status_code == 302
    stuck.refresh_from_db()
    assert (stuck.account, stuck.auto_account, stuck.error_message) == (other, False, "")
    assert TaskEvent.objects.filter(task=stuck, detail="Moved to B by bob.").exists()
    entry = AuditEntry.objects.get(action="task.move")
    assert entry.outcome == "ok" and "to B" in entry.detail
    assert dispatch.run() == 1  # and it starts there


def test_a_stuck_task_can_be_moved_to_automatic(stuck, operator_client):
    operator_client.post(f"/tasks/{stuck.pk}/move/", {"account": "auto"})

    stuck.refresh_from_db()
    assert stuck.auto_account and stuck.account is None


@pytest.mark.parametrize("choice", ["disabled", "removed", "nonsense"])
def test_a_task_cannot_be_moved_to_an_account_that_cannot_take_it(
    stuck, account, connection, operator_client, choice
):
    removed = KlingAccount.objects.create(connection=connection, email="r@example.com",
                                          removed_at=timezone.now())  # fmt: skip
    target = {"disabled": account.pk, "removed": removed.pk, "nonsense": "x"}[choice]

    operator_client.post(f"/tasks/{stuck.pk}/move/", {"account": target})

    stuck.refresh_from_db()
    assert stuck.account == account and not stuck.auto_account


def test_only_a_queued_task_can_be_moved_and_the_refusal_is_audited(
    stuck, connection, operator_client
):
    other = KlingAccount.objects.create(connection=connection, email="b@example.com")
    MotionTask.objects.filter(pk=stuck.pk).update(state=State.UPLOADING)

    operator_client.post(f"/tasks/{stuck.pk}/move/", {"account": other.pk})

    stuck.refresh_from_db()
    assert stuck.account != other
    assert AuditEntry.objects.get(action="task.move").outcome == "refused"


# --- readings that fail for good ------------------------------------------------------------


@pytest.fixture
def tracked(account):
    return MotionTask.objects.create(
        name="tracked", account=account, state=State.SUBMITTED, upstream_task_id=7,
        next_poll_at=timezone.now(),
    )  # fmt: skip


def _poll_again(task: MotionTask, failing_for: float | None = None) -> None:
    updates = {"next_poll_at": timezone.now()}
    if failing_for is not None:
        updates["read_failing_since"] = timezone.now() - timedelta(seconds=failing_for)
    MotionTask.objects.filter(pk=task.pk).update(**updates)
    track.poll_due()
    task.refresh_from_db()


@pytest.mark.parametrize("status", [401, 402, 596])
def test_readings_failing_for_good_give_the_slot_back_after_the_bound(
    tracked, account, upstream, settings, status
):
    settings.MOTIONHUB_TRACK_GIVE_UP_SECONDS = 600
    upstream.mock.get(f"{BASE}/tasks/7", status=status, json={"error": "no"})

    _poll_again(tracked)
    assert tracked.state == State.SUBMITTED and tracked.read_failing_since is not None
    _poll_again(tracked, failing_for=599)
    assert tracked.state == State.SUBMITTED
    _poll_again(tracked, failing_for=601)

    assert tracked.state == State.NEEDS_ATTENTION
    assert "gave its slot back" in tracked.error_message and tracked.next_poll_at is None
    assert not MotionTask.objects.filter(account=account, state__in=IN_FLIGHT).exists()


def test_upstream_trouble_never_gives_up_and_a_good_reading_starts_the_count_again(
    tracked, upstream, settings
):
    settings.MOTIONHUB_TRACK_GIVE_UP_SECONDS = 600
    upstream.mock.get(f"{BASE}/tasks/7", status=503, json={"error": "down"})
    upstream.mock.get(f"{BASE}/tasks/7", json=task_json(7, "processing"))

    _poll_again(tracked, failing_for=3600)
    assert tracked.state == State.SUBMITTED
    _poll_again(tracked)

    assert tracked.state == State.PROCESSING and tracked.read_failing_since is None


# --- Retry, once ----------------------------------------------------------------------------


@pytest.fixture
def failed(upload, account):
    task = upload(account, "Failed")
    MotionTask.objects.filter(pk=task.pk).update(state=State.FAILED)
    task.refresh_from_db()
    return task


def test_a_double_clicked_retry_makes_one_new_task(failed, operator_client):
    first = operator_client.post(f"/tasks/{failed.pk}/retry/")
    second = operator_client.post(f"/tasks/{failed.pk}/retry/")

    (retry,) = MotionTask.objects.filter(retry_of=failed)
    assert first["Location"] == second["Location"] == f"/tasks/{retry.pk}/"
    assert AuditEntry.objects.filter(action="task.retry").count() == 1


def test_a_retry_of_the_retry_is_a_new_task(failed, bob):
    retry, made = accept.retry(failed, bob)
    MotionTask.objects.filter(pk=retry.pk).update(state=State.FAILED)
    again, made_again = accept.retry(retry, bob)

    assert made and made_again and again.retry_of_id == retry.pk


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_of_one_task_make_one_new_task(bob):
    conn = Connection(name="Race", base_url=BASE)
    conn.set_token("user:1-race")
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email="r@example.com")
    task = MotionTask.objects.create(name="failed", account=account, state=State.FAILED)
    start = threading.Barrier(4)
    made, errors = [], []

    def click() -> None:
        try:
            start.wait()
            made.append(accept.retry(MotionTask.objects.get(pk=task.pk), bob))
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert MotionTask.objects.filter(retry_of=task).count() == 1
    assert len({new.pk for new, _ in made}) == 1
    assert sorted(created for _, created in made) == [False, False, False, True]
