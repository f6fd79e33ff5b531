"""Hand queued tasks to free slots, never more than an account's maxJobs at once.

Slots are counted in the database, inside a transaction that locks the account row
(`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), so the
limit holds with any number of workers on any number of hosts.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.accounts.models import KlingAccount
from motionhub.tasks import wake
from motionhub.tasks.models import IN_FLIGHT, MotionTask, State, TaskEvent

log = logging.getLogger(__name__)

BATCH = 50
SUBMIT_JOB = "motionhub.tasks.submit.run"


def soon() -> None:
    """Run the dispatcher in a worker once the current transaction commits (coalesced)."""
    wake.dispatch_soon()


def run(deadline: float | None = None, *, keep_first: list[int] | None = None) -> int:
    """Claim due queued tasks in fair-share order and enqueue their submission; the count.

    With `keep_first` (a list), the first task claimed is not enqueued but appended to it: the
    caller (the dispatcher job, slots.py) submits it itself, one broker hop sooner. The others
    are still enqueued, each a job of its own, so one slow upload never holds up the rest.

    Only tasks some account can take now are looked at: pinned to an enabled account with a
    free slot, or "automatic" while any such account has credits. The query skips the rest, so
    however many tasks wait for a full, disabled or removed account, the others behind them
    start. `deadline` (time.monotonic()) stops the run early; the rest waits for the next one.
    """
    now = timezone.now()
    usable = KlingAccount.active.usable().annotate(
        busy=Count("tasks", filter=Q(tasks__state__in=IN_FLIGHT))
    )
    free = {a.pk: a for a in usable if a.busy < a.max_jobs}
    for_auto = [pk for pk, a in free.items() if a.credits is None or a.credits > 0]
    takeable = Q(auto_account=False, account_id__in=list(free))
    if for_auto:
        takeable |= Q(auto_account=True) | Q(account__isnull=True)
    due = fair_share(
        MotionTask.objects.filter(state=State.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .filter(takeable)
    ).values_list("pk", flat=True)[:BATCH]
    # Accounts found full during this run: the tasks after are not tried on them again, and
    # once every account is full the rest of the queue waits for a slot to free up.
    full: set[int] = set()
    started = 0
    for task_id in list(due) if free else []:
        if set(free) <= full or (deadline is not None and time.monotonic() > deadline):
            break
        try:
            claimed = claim(task_id, full)
        except Exception:  # one task's trouble must not stop the queue behind it
            log.exception("dispatch: claiming task %s failed; it is tried again later", task_id)
            continue
        if claimed:
            if keep_first is not None and not keep_first:
                keep_first.append(task_id)
            else:
                async_task(SUBMIT_JOB, task_id, task_name=f"submit-{task_id}")
            started += 1
    return started


def fair_share(queued: QuerySet) -> QuerySet:
    """Queued tasks in turns across submitters: everyone's oldest first, then everyone's
    second oldest, and so on (oldest first within a turn), so a batch of 200 from one person
    does not hold every slot while a colleague's single upload waits behind it.
    """
    turn = Window(
        RowNumber(), partition_by=[F("submitted_by_id")], order_by=[F("created_at"), F("id")]
    )
    return queued.annotate(turn=turn).order_by("turn", "created_at", "id")


def in_flight(account_id: int) -> int:
    return MotionTask.objects.filter(account_id=account_id, state__in=IN_FLIGHT).count()


def claim(task_id: int, full: set[int] | None = None) -> bool:
    """Give the task a slot (queued → uploading) if its account, or any account, has one free.

    `full` collects the accounts found without a free slot (and skips those already in it).
    """
    full = set() if full is None else full
    task = MotionTask.objects.filter(pk=task_id, state=State.QUEUED).first()
    if task is None:
        return False
    for account in _candidates(task):
        # A plain read first: a full account is skipped without a write transaction. Every
        # accept, back-off and finish starts a dispatcher, and each tries up to BATCH tasks; had
        # each try taken the lock, a long queue behind full accounts would keep SQLite's single
        # write lock (or the account rows on PostgreSQL) busy with claims that cannot succeed,
        # stalling every other writer. A stale "full" is harmless: freeing a slot is a state
        # change that starts a dispatcher again (timeline.move). The locked count below decides.
        if account.pk in full or in_flight(account.pk) >= account.max_jobs:
            full.add(account.pk)
            continue
        # One short transaction per account, each locking one account row: no deadlocks
        # between dispatchers, and the conditional update makes exactly one of them win.
        with transaction.atomic():
            locked = KlingAccount.active.select_for_update().usable().filter(pk=account.pk).first()
            if locked is None:
                continue
            busy = in_flight(locked.pk)
            if busy >= locked.max_jobs:
                full.add(locked.pk)
                continue
            now = timezone.now()
            won = MotionTask.objects.filter(pk=task_id, state=State.QUEUED).update(
                state=State.UPLOADING, account=locked, claimed_at=now, updated_at=now
            )
            if not won:
                return False  # canceled, or claimed by another dispatcher meanwhile
            # Queued and uploading are both "in progress" on the home page: nothing to recount
            # (rollup.py), which keeps its shared count rows out of this transaction.
            TaskEvent.objects.create(
                task_id=task_id,
                from_state=State.QUEUED,
                to_state=State.UPLOADING,
                source=TaskEvent.Source.WORKER,
                detail=f"Slot taken on {locked.display_name} ({busy + 1}/{locked.max_jobs}).",
            )
            return True
    return False


def _candidates(task: MotionTask) -> list[KlingAccount]:
    if not task.auto_account and task.account_id:
        return list(KlingAccount.active.usable().filter(pk=task.account_id))
    # "Automatic": enabled accounts with credits left, the least busy first.
    accounts = (
        KlingAccount.active.usable()
        .exclude(credits__lte=0)
        .annotate(busy=Count("tasks", filter=Q(tasks__state__in=IN_FLIGHT)))
    )
    return sorted(accounts, key=lambda a: (a.busy / max(a.max_jobs, 1), a.busy, a.pk))
