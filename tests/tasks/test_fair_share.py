"""Fair share: the dispatcher takes queued tasks in turns across submitters (oldest first within
each), never over an account's maxJobs, so one person's big run does not starve a colleague."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_q.models import OrmQ

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import dispatch
from motionhub.tasks.models import IN_FLIGHT, Batch, MotionTask, State


def _queued(who, n: int, *, start, name: str, batch=None) -> list[MotionTask]:
    return [
        MotionTask.objects.create(name=f"{name} {i}", submitted_by=who, auto_account=True,
                                  batch=batch, created_at=start + timedelta(seconds=i))
        for i in range(n)
    ]  # fmt: skip


def test_a_single_upload_is_dispatched_among_the_first_while_a_colleagues_batch_of_20_waits(
    account, connection, bob, alice, database_broker
):
    KlingAccount.objects.create(connection=connection, email="b@example.com", max_jobs=1)
    start = timezone.now() - timedelta(hours=1)
    run = _queued(bob, 20, start=start, name="Run", batch=Batch.objects.create(created_by=bob))
    (single,) = _queued(alice, 1, start=start + timedelta(minutes=5), name="Single")

    started = dispatch.run()

    claimed = MotionTask.objects.filter(state__in=IN_FLIGHT)
    assert started == 3 == claimed.count()  # 2 + 1 slots, never more
    assert set(claimed) == {run[0], run[1], single}
    assert OrmQ.objects.count() == 3  # one submission job each, through django-q2's broker
    for acc in KlingAccount.objects.all():
        assert acc.tasks.filter(state__in=IN_FLIGHT).count() <= acc.max_jobs


def test_turns_go_round_every_submitter_oldest_first_within_each(bob, alice, charlie):
    start = timezone.now() - timedelta(hours=1)
    a = _queued(bob, 3, start=start, name="A")
    b = _queued(alice, 2, start=start + timedelta(minutes=1), name="B")
    c = _queued(charlie, 1, start=start + timedelta(minutes=2), name="C")

    order = list(dispatch.fair_share(MotionTask.objects.filter(state=State.QUEUED)))

    assert order == [a[0], b[0], c[0], a[1], b[1], a[2]]
