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

from motionhub.accounts import health
from motionhub.accounts.models import AccountChange, Connection, KlingAccount
from motionhub.core import crypto
from motionhub.useapi import Account, UseapiError
from motionhub.useapi.errors import NotFound

log = logging.getLogger(__name__)

# A change still pending or running after this long belongs to a job that was lost or a worker
# that died; `sync_all` fails it (and wipes its password) so nothing lingers.
STALE_AFTER = timedelta(minutes=10)
NO_ACCOUNT_LIST = (
    "useapi.net answered 404 for the account list: either no Kling account is configured "
    "there, or the connection's base URL is wrong. Nothing was changed here; check the base "
    "URL, or add an account."
)


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
        adding = change.action == AccountChange.Action.ADD
        account = _store_account(conn, upstream, max_jobs=change.max_jobs, label=change.label,
                                 enable=adding)  # fmt: skip
        _refresh_details(client, account)
        verb = "added" if change.action == AccountChange.Action.ADD else "updated"
        return f"{account.email} {verb}: maxJobs {account.max_jobs}."
    if change.action == AccountChange.Action.REMOVE:
        with contextlib.suppress(NotFound):  # already gone upstream: the goal is reached
            client.delete_account(change.email)
        KlingAccount.objects.filter(connection=conn, email__iexact=change.email).update(
            removed_at=timezone.now(), enabled=False, disabled_by_sync=False
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
    conn: Connection,
    upstream: Account,
    *,
    max_jobs: int | None = None,
    label: str = "",
    enable: bool = False,
) -> KlingAccount:
    """Create or update the account as upstream has it; `enable` when a person added it.

    An account a sync had disabled (it had gone from useapi's list) is enabled again now that it
    is back; one a person disabled stays disabled.
    """
    KlingAccount.objects.filter(
        connection=conn, email=upstream.email, disabled_by_sync=True
    ).update(enabled=True, disabled_by_sync=False)
    defaults = {"removed_at": None}
    if enable:
        defaults.update(enabled=True, disabled_by_sync=False)
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
        if health.classify(exc) is not None:
            health.note_error(account.pk, exc, where="Sync (GET /accounts/{email})")
        return
    updates = {"last_synced_at": timezone.now(), "last_error": ""}
    if details.credits is not None:
        updates["credits"] = details.credits
    if details.session_expires_at:
        updates["session_expires_at"] = details.session_expires_at
    if details.max_jobs:
        updates["max_jobs"] = details.max_jobs
    KlingAccount.objects.filter(pk=account.pk).update(**updates)
    health.observe(account.pk, credits=details.credits,
                   session_expires_at=details.session_expires_at)  # fmt: skip


def sync_connection(conn: Connection) -> int:
    """Mirror GET /accounts (+ balances and slots) into KlingAccount rows. Returns the count.

    Raises UseapiError when the account list itself cannot be read; per-account detail
    failures are recorded on the account instead.
    """
    client = conn.client()
    try:
        upstream_accounts = client.list_accounts()
    except NotFound as exc:
        # Not "no accounts": marking every account removed on a wrong base URL would stop all
        # work; nothing changes, and the connection says why.
        Connection.objects.filter(pk=conn.pk).update(last_error=NO_ACCOUNT_LIST)
        raise UseapiError(NO_ACCOUNT_LIST, status=404) from exc
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
    # Accounts no longer configured upstream are kept for history, marked removed; those this
    # disables are marked so, to be enabled again should they come back.
    gone = conn.accounts.exclude(pk__in=seen).filter(removed_at__isnull=True)
    gone.filter(enabled=True).update(enabled=False, disabled_by_sync=True)
    gone.update(removed_at=timezone.now(), enabled=False)
    Connection.objects.filter(pk=conn.pk).update(last_synced_at=timezone.now(), last_error="")
    return len(seen)


def sync_all() -> None:
    """Scheduled: sync every connection, and end changes whose job was lost or worker died."""
    wipe_stale_changes()
    for conn in Connection.objects.all():
        try:
            sync_connection(conn)
        except UseapiError as exc:
            log.warning("sync of connection %s failed: %s", conn.pk, exc.category)
        except crypto.DecryptionError:
            Connection.objects.filter(pk=conn.pk).update(
                last_error="The stored API token cannot be decrypted. Enter it again."
            )


def wipe_stale_changes() -> None:
    """No password outlives its change: a change still pending (its job lost) or running (its
    worker died) after STALE_AFTER is failed, and any final change still holding one is wiped.
    """
    now = timezone.now()
    AccountChange.objects.filter(
        state__in=(AccountChange.State.PENDING, AccountChange.State.RUNNING),
        created_at__lt=now - STALE_AFTER,
    ).update(
        state=AccountChange.State.FAILED,
        message="Interrupted: the change was not carried out in time. Try again.",
        secret_encrypted="",
        finished_at=now,
    )
    AccountChange.objects.filter(
        state__in=(AccountChange.State.DONE, AccountChange.State.FAILED)
    ).exclude(secret_encrypted="").update(secret_encrypted="")
