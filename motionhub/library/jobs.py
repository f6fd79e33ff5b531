"""Background jobs of the library: refreshing the cache and deleting motions upstream.

Views never call upstream: they record what was asked (LibrarySync.requested_at, a
MotionDeletion row) and enqueue a job on commit. Each job claims its work with a conditional
update, so a job django-q2 runs twice does the work once.

    motionhub.library.jobs.refresh_account(account_id)   GET /videos/motions (mine, official)
    motionhub.library.jobs.refresh_all()                 the 15-minute schedule
    motionhub.library.jobs.delete_motion(deletion_id)    DELETE /tasks/{taskId}
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from motionhub import audit
from motionhub.accounts.models import KlingAccount
from motionhub.core import crypto
from motionhub.library import cache
from motionhub.library.models import (
    DeletionState,
    LibrarySync,
    Motion,
    MotionDeletion,
    Origin,
)
from motionhub.useapi import UseapiError
from motionhub.useapi.errors import NotFound

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AbstractBaseUser

    from motionhub.useapi import Client
    from motionhub.useapi import Motion as UpstreamMotion

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most GET /videos/motions?mine=true accepts
MAX_PAGES = 50  # 5,000 motions: far beyond any team's library, short of a runaway loop
REFRESH_JOB = "motionhub.library.jobs.refresh_account"
DELETE_JOB = "motionhub.library.jobs.delete_motion"


def _stale_after() -> timedelta:
    # A job django-q2 has not finished within its retry window belongs to a dead worker.
    return timedelta(seconds=settings.Q_CLUSTER["retry"])


# -- refresh ------------------------------------------------------------------------------------


def request_refresh(account_ids: Iterable[int]) -> None:
    """Note that a refresh was asked for and enqueue it once the transaction commits."""
    now = timezone.now()
    for account_id in account_ids:
        LibrarySync.objects.get_or_create(account_id=account_id)
        LibrarySync.objects.filter(account_id=account_id).update(requested_at=now)
        transaction.on_commit(
            lambda account_id=account_id: async_task(
                REFRESH_JOB, account_id, task_name=f"library-refresh-{account_id}"
            )
        )


def refresh_account(account_id: int) -> None:
    """Job: read both motion lists of one account and replace its cached library."""
    account = KlingAccount.active.select_related("connection").filter(pk=account_id).first()
    if account is None:
        return
    sync, _ = LibrarySync.objects.get_or_create(account=account)
    started = timezone.now()
    claimed = (
        LibrarySync.objects.filter(pk=sync.pk)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=started - _stale_after()))
        .update(running_since=started, last_attempt_at=started)
    )
    if not claimed:
        return  # another run holds it; a request made meanwhile is picked up when it ends
    updates: dict = {}
    try:
        updates = _refresh(account, started)
    except Exception:
        updates = {"last_error": "The refresh stopped on an unexpected error; see the logs."}
        raise
    finally:
        LibrarySync.objects.filter(pk=sync.pk).update(
            running_since=None, finished_at=timezone.now(), **updates
        )
    again = LibrarySync.objects.filter(pk=sync.pk, requested_at__gt=started).exists()
    if again:
        # Someone asked while this run was reading (e.g. an upload just succeeded): the answer
        # may predate what they expect to see.
        async_task(REFRESH_JOB, account.pk, task_name=f"library-refresh-{account.pk}")


def _refresh(account: KlingAccount, started: datetime) -> dict:
    """Both lists, each replaced only if read in full; the sync fields to record."""
    try:
        client = account.connection.client()
    except crypto.DecryptionError:
        return {"last_error": "The connection's API token cannot be decrypted. Enter it again."}
    errors: list[str] = []
    updates: dict = {}
    for kind, label in ((Origin.MINE, "Our motions"), (Origin.OFFICIAL, "Official motions")):
        try:
            motions, complete = _read(client, account.email, kind)
        except UseapiError as exc:
            log.warning("library refresh of account %s (%s) failed: %s", account.pk, kind, exc)
            errors.append(f"{label}: {exc.explained}")
            continue
        if kind == Origin.MINE:
            motions = _without_just_deleted(account, motions, started)
        count = cache.replace(account, kind, motions, seen_at=started, complete=complete)
        if kind == Origin.OFFICIAL:
            updates |= {"official_count": count, "official_synced_at": started}
            continue
        updates["mine_count"] = count
        if not complete:
            limit = MAX_PAGES * PAGE_SIZE
            errors.append(f"{label}: stopped after {limit} motions; older ones may be missing.")
    updates["last_error"] = " ".join(errors)
    if not errors:
        updates["last_synced_at"] = started
    return updates


def _read(client: Client, email: str, kind: str) -> tuple[list[UpstreamMotion], bool]:
    if kind == Origin.OFFICIAL:
        return client.list_motions(email=email, mine=False), True  # never paginated
    return _read_mine(client, email)


def _without_just_deleted(
    account: KlingAccount, motions: list[UpstreamMotion], started: datetime
) -> list[UpstreamMotion]:
    # A deletion that finished while this refresh was reading: upstream listed the motion
    # before it went, so caching it again would bring back a card that was just removed.
    gone = set(
        MotionDeletion.objects.filter(
            account=account, state=DeletionState.DONE, finished_at__gte=started
        ).values_list("upstream_task_id", flat=True)
    )
    return [m for m in motions if m.task_id not in gone] if gone else motions


def _read_mine(client: Client, email: str) -> tuple[list[UpstreamMotion], bool]:
    """Every page of the account's own motions; (motions, read in full).

    Pages of PAGE_SIZE until a short one. The 2026 API ignores paging and answers the whole list
    each time, so a page that brings nothing new also ends the walk.
    """
    found: list[UpstreamMotion] = []
    seen: set[str] = set()
    for page_num in range(1, MAX_PAGES + 1):
        page = client.list_motions(email=email, mine=True, page_num=page_num, page_size=PAGE_SIZE)
        fresh = [m for m in page if m.key not in seen]
        found.extend(fresh)
        seen.update(m.key for m in fresh)
        if len(page) < PAGE_SIZE or not fresh:
            return found, True
    return found, False


def refresh_all() -> None:
    """Scheduled: refresh every enabled account (one job each, so a slow account delays no
    other), and pick up deletions whose worker died."""
    account_ids = list(
        KlingAccount.active.filter(enabled=True).order_by("pk").values_list("pk", flat=True)
    )
    request_refresh(account_ids)
    _sweep_deletions()


# -- delete -------------------------------------------------------------------------------------


def request_deletions(
    motions: Iterable[Motion], user: AbstractBaseUser
) -> list[tuple[Motion, MotionDeletion]]:
    """Record one deletion per deletable motion and enqueue its job on commit.

    Motions that cannot be deleted or already have a deletion under way are skipped; the
    (motion, deletion) pairs actually requested are returned.
    """
    requested = []
    for motion in motions:
        if not motion.can_be_deleted:
            continue
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not undo the others
                deletion = MotionDeletion.objects.create(
                    account_id=motion.account_id,
                    motion_ref=motion.pk,
                    motion_key=motion.key,
                    motion_name=motion.shown_name,
                    upstream_task_id=motion.task_id,
                    requested_by=user,
                    requested_by_name=user.get_username(),
                )
        except IntegrityError:
            continue  # someone else's deletion of this task is already under way
        transaction.on_commit(
            lambda pk=deletion.pk: async_task(DELETE_JOB, pk, task_name=f"motion-delete-{pk}")
        )
        requested.append((motion, deletion))
    return requested


def delete_motion(deletion_id: int) -> None:
    """Job: DELETE /tasks/{taskId} for one requested deletion, and record how it ended."""
    claimed = MotionDeletion.objects.filter(pk=deletion_id, state=DeletionState.PENDING).update(
        state=DeletionState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already carried out by an earlier run of this job
    deletion = MotionDeletion.objects.select_related("account__connection", "requested_by").get(
        pk=deletion_id
    )
    account = deletion.account
    try:
        account.connection.client().delete_task(deletion.upstream_task_id, email=account.email)
    except NotFound:
        # The goal is reached either way: someone (or Kling) removed it already.
        _finish(deletion, DeletionState.DONE, "It was already gone upstream.")
    except UseapiError as exc:
        _finish(deletion, DeletionState.FAILED, exc.explained)
    except crypto.DecryptionError:
        message = "The connection's API token cannot be decrypted. Enter it again."
        _finish(deletion, DeletionState.FAILED, message)
    else:
        _finish(deletion, DeletionState.DONE, "Deleted upstream.")


def _finish(deletion: MotionDeletion, state: str, message: str) -> None:
    with transaction.atomic():
        MotionDeletion.objects.filter(pk=deletion.pk).update(
            state=state, message=message, finished_at=timezone.now()
        )
        if state == DeletionState.DONE:
            removed, _ = Motion.objects.filter(
                account_id=deletion.account_id, kind=Origin.MINE, task_id=deletion.upstream_task_id
            ).delete()
            if removed:
                LibrarySync.objects.filter(
                    account_id=deletion.account_id, mine_count__gte=removed
                ).update(mine_count=F("mine_count") - removed)
        audit.record(
            None,
            audit.Action.MOTION_DELETE,
            actor=deletion.requested_by,
            actor_name=deletion.requested_by_name,
            target_type="library.motion",
            target_id=deletion.upstream_task_id,
            target_label=deletion.motion_name,
            account=deletion.account,
            outcome=audit.Outcome.OK if state == DeletionState.DONE else audit.Outcome.FAILED,
            detail=f"DELETE /tasks/{deletion.upstream_task_id}: {message}",
        )


def _sweep_deletions() -> None:
    """Deletions stuck `running` lost their worker: run them again. DELETE is safe to repeat
    (a second one answers 404, which counts as done)."""
    cutoff = timezone.now() - _stale_after()
    stuck = MotionDeletion.objects.filter(state=DeletionState.RUNNING, started_at__lt=cutoff)
    for pk in list(stuck.values_list("pk", flat=True)):
        if MotionDeletion.objects.filter(pk=pk, state=DeletionState.RUNNING).update(
            state=DeletionState.PENDING
        ):
            async_task(DELETE_JOB, pk, task_name=f"motion-delete-{pk}")
