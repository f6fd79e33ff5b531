"""Account health: what the upstream tells of each Kling account, and the timeline of it.

    active ──596 / a Kling session error / an expired session──► needs re-login
       │    ──balance at or below MOTIONHUB_OUT_OF_CREDITS_AT, a credit error──► out of credits
       │    ──MOTIONHUB_COOLDOWN_AFTER 429s or upstream trouble in a row──► cooling down until …
       ▲                                                                        │
       └──── the health check (GET /accounts/{email}) reads it healthy again ◄──┘

Every change is one conditional update plus an AccountHealthEvent row (from, to, why), so two
workers telling the same news record it once. "disabled" is a person's `enabled`, not a health.
The dispatcher and "automatic" take only `KlingAccount.objects.usable()`.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motionhub.accounts.models import AccountHealthEvent, Health, KlingAccount
from motionhub.core import crypto
from motionhub.useapi import UseapiError
from motionhub.useapi.errors import (
    AccountSessionBroken,
    Moderation,
    NoFreeSlot,
    Unauthorized,
    UpstreamTrouble,
)

log = logging.getLogger(__name__)

SESSION_ERROR = re.compile(
    r"session (is |has )?(broken|expired|invalid)|re-?login|log ?in (again|required)|"
    r"not logged in|cookie (expired|invalid)",
    re.IGNORECASE,
)
CREDIT_ERROR = re.compile(
    r"(insufficient|not enough|out of|no) (credits?|balance|points)|balance (is )?(too low|"
    r"insufficient)|credits? (exhausted|insufficient)",
    re.IGNORECASE,
)


def classify(exc: UseapiError) -> str | None:
    """The health an error says the account has: needs re-login, out of credits, or None."""
    if isinstance(exc, Moderation):
        return None
    text = f"{exc.upstream_error} {exc.message}"
    if isinstance(exc, AccountSessionBroken) or exc.status == 596:
        return Health.NEEDS_RELOGIN
    if not isinstance(exc, Unauthorized) and SESSION_ERROR.search(text):
        return Health.NEEDS_RELOGIN
    if CREDIT_ERROR.search(text):
        return Health.OUT_OF_CREDITS
    return None


def change(account_id: int, to: str, why: str, *, until=None) -> bool:
    """Move the account to `to` (recorded with why); False when it was there already."""
    with transaction.atomic():
        current = (
            KlingAccount.objects.filter(pk=account_id).values_list("health", "health_until").first()
        )
        if current is None:
            return False
        state, was_until = current
        if state == to and (to != Health.COOLING_DOWN or (was_until and until <= was_until)):
            return False
        updated = KlingAccount.objects.filter(pk=account_id, health=state).update(
            health=to, health_until=until, health_reason=why, trouble_streak=0
        )
        if not updated:
            return False  # another worker changed it meanwhile: its row tells
        AccountHealthEvent.objects.create(
            account_id=account_id, from_state=state, to_state=to, why=why
        )
    if to == Health.ACTIVE:
        # Tasks may have waited for it: let the dispatcher look (named by path: tasks is above).
        from django_q.tasks import async_task

        transaction.on_commit(
            lambda: async_task("motionhub.tasks.dispatch.run", task_name="dispatch-health")
        )
    return True


def note_error(account_id: int | None, exc: UseapiError, *, where: str) -> str | None:
    """An upstream call for this account failed: change its health if the error says so.

    Returns the unhealthy state the error itself means (needs re-login, out of credits), else
    None; 429s and upstream trouble count towards a cool-down instead.
    """
    if account_id is None:
        return None
    state = classify(exc)
    if state is not None:
        change(account_id, state, f"{where}: {exc}")
        return state
    if isinstance(exc, NoFreeSlot | UpstreamTrouble):
        KlingAccount.objects.filter(pk=account_id).update(trouble_streak=F("trouble_streak") + 1)
        streak = KlingAccount.objects.values_list("trouble_streak", flat=True).get(pk=account_id)
        if streak >= settings.MOTIONHUB_COOLDOWN_AFTER:
            until = timezone.now() + timedelta(seconds=settings.MOTIONHUB_COOLDOWN_SECONDS)
            change(account_id, Health.COOLING_DOWN, f"{streak} answers in a row like this "
                   f"one: {where}: {exc}", until=until)  # fmt: skip
    return None


def note_ok(account_id: int | None) -> None:
    """A good answer for the account: its streak of trouble starts again from zero."""
    if account_id is not None:
        KlingAccount.objects.filter(pk=account_id, trouble_streak__gt=0).update(trouble_streak=0)


def observe(account_id: int, *, credits: int | None, session_expires_at) -> None:
    """GET /accounts/{email} answered: its balance and session say how the account is."""
    account = KlingAccount.objects.filter(pk=account_id).first()
    if account is None:
        return
    now = timezone.now()
    threshold = settings.MOTIONHUB_OUT_OF_CREDITS_AT
    if session_expires_at and session_expires_at <= now:
        expired = f"{session_expires_at:%Y-%m-%d %H:%M} UTC"
        change(account_id, Health.NEEDS_RELOGIN, f"The Kling session expired at {expired}.")
    elif credits is not None and credits <= threshold:
        change(account_id, Health.OUT_OF_CREDITS,
               f"The balance is {credits}, at or below {threshold}.")  # fmt: skip
    elif account.health == Health.COOLING_DOWN:
        if account.health_until is None or account.health_until <= now:
            change(account_id, Health.ACTIVE, "The cool-down is over and the account answers.")
    elif account.health != Health.ACTIVE:
        balance = "" if credits is None else f", balance {credits}"
        read = f"The health check read the account fine (GET /accounts/{{email}}{balance})."
        change(account_id, Health.ACTIVE, read)


def check_account(client, account: KlingAccount) -> None:
    """The cheap read: GET /accounts/{email}, then its balance and session decide."""
    try:
        details = client.get_account(account.email)
    except UseapiError as exc:
        KlingAccount.objects.filter(pk=account.pk).update(last_error=exc.explained)
        if classify(exc) is not None:
            note_error(account.pk, exc, where="Health check (GET /accounts/{email})")
        return
    updates = {"last_synced_at": timezone.now(), "last_error": ""}
    if details.credits is not None:
        updates["credits"] = details.credits
    if details.session_expires_at:
        updates["session_expires_at"] = details.session_expires_at
    KlingAccount.objects.filter(pk=account.pk).update(**updates)
    observe(account.pk, credits=details.credits, session_expires_at=details.session_expires_at)


def check_all() -> int:
    """Scheduled: read every enabled account once. Returns how many were read."""
    read = 0
    accounts = KlingAccount.active.filter(enabled=True).select_related("connection")
    clients: dict[int, object] = {}
    for account in accounts:
        try:
            if account.connection_id not in clients:
                clients[account.connection_id] = account.connection.client()
            check_account(clients[account.connection_id], account)
            read += 1
        except crypto.DecryptionError:
            log.warning("health check: connection %s has an unreadable token",
                        account.connection_id)  # fmt: skip
        except Exception:  # one account's trouble never stops the others
            log.exception("health check of account %s failed", account.pk)
    return read
