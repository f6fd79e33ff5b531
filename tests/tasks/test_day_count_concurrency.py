"""The home page's per-day counts stay exact when several workers create and move tasks at once.

Each thread has its own database connection, so this races real transactions on the real
database, as test_slot_limit_concurrency.py does: on PostgreSQL (the second pass of .ci/run)
the upsert's row lock decides, on SQLite the IMMEDIATE write lock. The threads all count on
today's row, and race each other for the same tasks, so a read-modify-write anywhere would
lose or double a count.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection as default_connection
from django.db import connections

from motionhub.tasks import daycount, timeline
from motionhub.tasks.models import MotionTask, State, TaskDayCount

WORKERS = 4
SHARED = 12  # tasks every worker tries to finish, each its own way: one of them wins
OWN = 6  # tasks each worker creates and finishes alone

# What each worker tries to make of a shared task; exactly one move per task succeeds.
ENDINGS = (State.SUCCEEDED, State.FAILED, State.CANCELED, State.NEEDS_ATTENTION)


def plain_count() -> Counter:
    return Counter(
        (daycount.day_of(created), daycount.outcome_of(state))
        for created, state in MotionTask.objects.values_list("created_at", "state")
    )


def kept_counts() -> Counter:
    counts = Counter()
    for row in TaskDayCount.objects.all():
        for outcome in TaskDayCount.OUTCOMES:
            if getattr(row, outcome):
                counts[row.day, outcome] = getattr(row, outcome)
    return counts


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_keep_the_day_counts_exact(monkeypatch):
    # Finishing a task wakes the dispatcher through django-q; this test only counts.
    monkeypatch.setattr("motionhub.tasks.dispatch.soon", lambda: None)
    shared = [MotionTask.objects.create(name=f"shared {n}").pk for n in range(SHARED)]
    for pk in shared:
        timeline.move(pk, [State.QUEUED], State.PROCESSING, source="worker")
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []
    wins = Counter()

    def worker(n: int) -> None:
        try:
            start.wait()
            ending = ENDINGS[n % len(ENDINGS)]
            for pk in shared[n:] + shared[:n]:  # from a different place each, as workers do
                if timeline.move(pk, [State.PROCESSING], ending, source="worker"):
                    wins[n] += 1
            for i in range(OWN):
                own = MotionTask.objects.create(name=f"worker {n} task {i}")
                timeline.move(own.pk, [State.QUEUED], State.UPLOADING, source="worker")
                timeline.move(own.pk, [State.UPLOADING], ENDINGS[i % len(ENDINGS)],
                              source="worker")  # fmt: skip
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert sum(wins.values()) == SHARED  # each shared task finished exactly once
    assert MotionTask.objects.count() == SHARED + WORKERS * OWN
    assert kept_counts() == plain_count()
    assert sum(kept_counts().values()) == SHARED + WORKERS * OWN
    print(f"\nday-count race on {default_connection.vendor}: {WORKERS} workers, exact")
