"""Background jobs that keep Kling accounts in step with useapi.net.

Views never call upstream: they record an AccountChange and enqueue `apply_account_change`,
which claims the row with a conditional update (so a job that django-q2 runs twice does the work
once), talks to useapi through the client, and records the outcome.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from motionhub.accounts.models import AccountChange, Connection, KlingAccount
from motionhub.core import crypto
from motionhub.useapi import Account, UseapiError
from motionhub.useapi.errors import NotFound

log = logging.getLogger(__name__)

# A change still "running" after this long belongs to a worker that died; it is failed (and its
# password wiped) by `sync_all` so nothing lingers.
STALE_AFTER = timedelta(minutes=10)


def request_change(
    connection: Connection,
    action: str,
    *,
    user=None,
    email: str = "",
    max_jobs: int | None = None,
    password: str = "",
    label: str = "",
) -> AccountChange:
    """Record a change and enqueue the job that carries it out, once the transaction commits."""
    change = AccountChange.objects.create(
        connection=connection,
        action=action,
        email=email,
        max_jobs=max_jobs,
        label=label,
        secret_encrypted=crypto.encrypt(password) if password else "",
        requested_by=user if user and user.is_authenticated else None,
    )
    transaction.on_commit(
        lambda: async_task(
            "motionhub.accounts.jobs.apply_account_change",
            change.pk,
            task_name=f"account-change-{change.pk}",
        )
    )
    return change


def apply_account_change(change_id: int) -> None:
    claimed = AccountChange.objects.filter(pk=change_id, state=AccountChange.State.PENDING).update(
        state=AccountChange.State.RUNNING
    )
    if not claimed:
        return  # already done by an earlier run of this job
    change = AccountChange.objects.select_related("connection").get(pk=change_id)
    try:
        message = _carry_out(change)
    except UseapiError as exc:
        _finish(change, AccountChange.State.FAILED, exc.explained)
        if exc.category == "unauthorized":
            Connection.objects.filter(pk=change.connection_id).update(last_error=exc.explained)
    except crypto.DecryptionError as exc:
        _finish(change, AccountChange.State.FAILED, str(exc))
    else:
        _finish(change, AccountChange.State.DONE, message)


def _carry_out(change: AccountChange) -> str:
    conn = change.connection
    client = conn.client()
    if change.action in (AccountChange.Action.ADD, AccountChange.Action.UPDATE):
        password = crypto.decrypt(change.secret_encrypted)
        upstream = client.add_account(change.email, password, change.max_jobs)
        account = _store_account(conn, upstream, max_jobs=change.max_jobs, label=change.label)
        _refresh_details(client, account)
        verb = "added" if change.action == AccountChange.Action.ADD else "updated"
        return f"{account.email} {verb}: maxJobs {account.max_jobs}."
    if change.action == AccountChange.Action.REMOVE:
        with contextlib.suppress(NotFound):  # already gone upstream: the goal is reached
            client.delete_account(change.email)
        KlingAccount.objects.filter(connection=conn, email__iexact=change.email).update(
            removed_at=timezone.now(), enabled=False
        )
        return f"{change.email} removed."
    count = sync_connection(conn)
    return f"Synced {count} account(s)."


def _finish(change: AccountChange, state: str, message: str) -> None:
    # The password is wiped whatever happened: it was needed for exactly one call.
    AccountChange.objects.filter(pk=change.pk).update(
        state=state, message=message, secret_encrypted="", finished_at=timezone.now()
    )


def _store_account(
    conn: Connection, upstream: Account, *, max_jobs: int | None = None, label: str = ""
) -> KlingAccount:
    defaults = {"removed_at": None}
    if label:
        defaults["label"] = label
    if upstream.max_jobs or max_jobs:
        defaults["max_jobs"] = upstream.max_jobs or max_jobs
    if upstream.session_expires_at:
        defaults["session_expires_at"] = upstream.session_expires_at
    account, _ = KlingAccount.objects.update_or_create(
        connection=conn, email=upstream.email, defaults=defaults
    )
    return account


def _refresh_details(client, account: KlingAccount) -> None:
    """Balance and session from GET /accounts/{email}; a failure here is recorded, not raised."""
    try:
        details = client.get_account(account.email)
    except UseapiError as exc:
        KlingAccount.objects.filter(pk=account.pk).update(last_error=exc.explained)
        return
    updates = {"last_synced_at": timezone.now(), "last_error": ""}
    if details.credits is not None:
        updates["credits"] = details.credits
    if details.session_expires_at:
        updates["session_expires_at"] = details.session_expires_at
    if details.max_jobs:
        updates["max_jobs"] = details.max_jobs
    KlingAccount.objects.filter(pk=account.pk).update(**updates)


def sync_connection(conn: Connection) -> int:
    """Mirror GET /accounts (+ balances and slots) into KlingAccount rows. Returns the count.

    Raises UseapiError when the account list itself cannot be read; per-account detail
    failures are recorded on the account instead.
    """
    client = conn.client()
    try:
        upstream_accounts = client.list_accounts()
    except UseapiError as exc:
        Connection.objects.filter(pk=conn.pk).update(last_error=exc.explained)
        raise
    try:
        capacity = client.scheduler_available()
    except UseapiError:
        capacity = None  # slots are a nicety; the account list is what matters

    seen = []
    for upstream in upstream_accounts:
        account = _store_account(conn, upstream)
        seen.append(account.pk)
        _refresh_details(client, account)
        slot = capacity.for_email(account.email) if capacity else None
        if slot is not None:
            KlingAccount.objects.filter(pk=account.pk).update(slots_in_use=slot.executing or 0)
    # Accounts no longer configured upstream are kept for history, marked removed.
    conn.accounts.exclude(pk__in=seen).filter(removed_at__isnull=True).update(
        removed_at=timezone.now(), enabled=False
    )
    Connection.objects.filter(pk=conn.pk).update(last_synced_at=timezone.now(), last_error="")
    return len(seen)


def sync_all() -> None:
    """Scheduled: sync every connection, and fail changes whose worker died."""
    stale = AccountChange.objects.filter(
        state=AccountChange.State.RUNNING, created_at__lt=timezone.now() - STALE_AFTER
    )
    stale.update(
        state=AccountChange.State.FAILED,
        message="Interrupted: the worker stopped before finishing. Try again.",
        secret_encrypted="",
        finished_at=timezone.now(),
    )
    for conn in Connection.objects.all():
        try:
            sync_connection(conn)
        except UseapiError as exc:
            log.warning("sync of connection %s failed: %s", conn.pk, exc.category)
        except crypto.DecryptionError:
            Connection.objects.filter(pk=conn.pk).update(
                last_error="The stored API token cannot be decrypted. Enter it again."
            )
