"""Failures on demand: markers in a Kling account's email, the 402 token, and injected faults.

A marker is a `+word` in the email's local part (`demo+moderation@sandbox.test`), so a person can
provoke each failure from the dashboard by adding such an account. See README.md for the list.
"""

from __future__ import annotations

import random
import time

from django.db.models import F

from motionhub.sandbox import errors
from motionhub.sandbox.models import TASK_COST, Account, SandboxConfig

MARKERS = frozenset(
    {"moderation", "invalid", "busy", "down", "broken", "fail", "gone", "slow", "nomatch", "poor"}
)
# The useapi user number whose tokens (`user:402-…`) answer 402 everywhere.
SUBSCRIPTION_LAPSED_USER = 402

# Kling's moderation answer, exact from the motion-upload spec (seed).
MODERATION = {
    "error": (
        "The content you uploaded appears to violate the community guidelines. (CM_EXT.POther)"
    ),
    "message": "Service busy (CM_EXT.POther)",
}
CREDIT_TEXT = "Insufficient credits: the account balance is too low (sandbox +poor)"
FAILURE_TEXT = "Generation failed: Kling could not process the input (sandbox +fail)"


def markers(email: str) -> frozenset[str]:
    local = email.split("@", 1)[0].lower()
    return frozenset(local.split("+")[1:]) & MARKERS


def roll_faults(config: SandboxConfig) -> None:
    """Injected faults, one independent roll per kind (all rates are 0 by default)."""
    if random.random() < config.rate_slow:
        time.sleep(config.slow_seconds)
    if random.random() < config.rate_503:
        raise errors.unavailable()
    if random.random() < config.rate_500:
        raise errors.internal_error()
    if random.random() < config.rate_429:
        raise errors.no_free_slot("every configured account is at capacity")


def roll_gateway_before(config: SandboxConfig) -> None:
    """A create call a gateway refuses before it reaches the service: nothing is created."""
    if random.random() < config.rate_502:
        raise errors.bad_gateway()


def roll_gateway_after(config: SandboxConfig) -> None:
    """A create call that made its task, whose answer a gateway then loses (a 504)."""
    if random.random() < config.rate_504:
        raise errors.gateway_timeout()


def check_account(account: Account, config: SandboxConfig) -> None:
    """Markers that affect every call working with the account (except adding/removing it)."""
    found = markers(account.email)
    if "slow" in found:
        time.sleep(config.slow_seconds)
    if "down" in found:
        raise errors.unavailable()
    if "broken" in found or account.session_broken:
        raise errors.Refusal(596, "Account session is broken")


def check_create(account: Account) -> None:
    """Markers that refuse create calls, after their parameters were found valid."""
    found = markers(account.email)
    if "poor" in found:
        raise errors.Refusal(400, {"error": CREDIT_TEXT, "message": "Bad Request"})
    if "busy" in found:
        raise errors.no_free_slot(f"account {account.email} is at capacity")
    # A 429 streak: one conditional decrement per refused call, so each counts once.
    if Account.objects.filter(pk=account.pk, throttle_left__gt=0).update(
        throttle_left=F("throttle_left") - 1
    ):
        raise errors.no_free_slot(f"account {account.email} is at capacity (sandbox throttle)")
    if "invalid" in found:
        raise errors.Refusal(
            400, {"error": "Parameter error (VALID.ParamError)", "message": "Bad Request"}
        )
    if "moderation" in found:
        raise errors.Refusal(500, MODERATION)


def charge(account: Account) -> None:
    """Take TASK_COST from the locked account's balance, or refuse as Kling does when short."""
    if account.credits < TASK_COST:
        text = (f"Insufficient credits: the account balance is too low ({account.credits} "
                f"points, a task needs {TASK_COST})")  # fmt: skip
        raise errors.Refusal(400, {"error": text, "message": "Bad Request"})
    Account.objects.filter(pk=account.pk).update(credits=F("credits") - TASK_COST)
