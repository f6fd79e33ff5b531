"""The per-account slot limit holds when several workers claim at the same moment.

Each thread has its own database connection, so this races real transactions: on PostgreSQL
(the second pass of .ci/run) the account row lock decides, on SQLite the IMMEDIATE write lock.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection as default_connection
from django.db import connections

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.tasks import dispatch
from motionhub.tasks.models import IN_FLIGHT, MotionTask, State

WORKERS = 4
TASKS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_exceed_an_accounts_max_jobs():
    conn = Connection(name="Race", base_url="https://api.useapi.test/v1/kling")
    conn.set_token("user:1-race")
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email="r@example.com", max_jobs=3)
    other = KlingAccount.objects.create(connection=conn, email="s@example.com", max_jobs=2)
    ids = [
        MotionTask.objects.create(name=f"t{n}", auto_account=True, state=State.QUEUED).pk
        for n in range(TASKS)
    ]
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            start.wait()
            # Each worker walks the queue from a different place, as real dispatchers would.
            for task_id in ids[offset:] + ids[:offset]:
                dispatch.claim(task_id)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n * 3,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    in_flight = MotionTask.objects.filter(state__in=IN_FLIGHT)
    assert in_flight.filter(account=account).count() == 3
    assert in_flight.filter(account=other).count() == 2
    assert MotionTask.objects.filter(state=State.QUEUED).count() == TASKS - 5
    print(f"\nslot race on {default_connection.vendor}: {WORKERS} workers, {TASKS} tasks, 5 slots")
