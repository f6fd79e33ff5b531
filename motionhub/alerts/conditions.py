"""What holds now: each condition worth an alert, keyed so the same one is never told twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from motionhub.accounts.models import Health, KlingAccount
from motionhub.alerts.models import AlertRule, Kind
from motionhub.tasks.models import MotionTask, State, TaskEvent

FAILED = (State.FAILED, State.REJECTED, State.NEEDS_ATTENTION)
NAMED = 5  # tasks named in the "needs attention" text


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    text: str
    account_id: int | None = None


def defaults() -> dict[str, int | None]:
    return {
        Kind.RELOGIN: None,
        Kind.CREDITS: settings.MOTIONHUB_ALERT_CREDITS_BELOW,
        Kind.SESSION: settings.MOTIONHUB_ALERT_SESSION_DAYS,
        Kind.FAILURES: settings.MOTIONHUB_ALERT_FAILURES_PER_HOUR,
        Kind.ATTENTION: None,
    }


def rules() -> dict[str, int | None]:
    """The enabled rules and their N: an admin's AlertRule rows over the settings' defaults."""
    wanted = defaults()
    for rule in AlertRule.objects.all():
        if not rule.enabled:
            wanted.pop(rule.kind, None)
        elif rule.threshold is not None:
            wanted[rule.kind] = rule.threshold
    return wanted


def current() -> dict[str, Condition]:
    now = timezone.now()
    wanted = rules()
    found: list[Condition] = []
    accounts = KlingAccount.active.filter(enabled=True).select_related("connection")
    if Kind.RELOGIN in wanted:
        for a in accounts.filter(health=Health.NEEDS_RELOGIN):
            why = f": {a.health_reason}" if a.health_reason else ""
            found.append(Condition(f"relogin:account:{a.pk}", Kind.RELOGIN,
                                   f"Kling account {a.display_name} needs re-login{why}",
                                   a.pk))  # fmt: skip
    if (n := wanted.get(Kind.CREDITS)) is not None:
        for a in accounts.filter(credits__isnull=False, credits__lt=n):
            found.append(Condition(f"credits:account:{a.pk}", Kind.CREDITS,
                                   f"Kling account {a.display_name} has {a.credits} credits "
                                   f"left (below {n}).", a.pk))  # fmt: skip
    if (n := wanted.get(Kind.SESSION)) is not None:
        soon = accounts.filter(session_expires_at__isnull=False,
                               session_expires_at__lte=now + timedelta(days=n))  # fmt: skip
        for a in soon:
            found.append(Condition(f"session:account:{a.pk}", Kind.SESSION,
                                   f"The Kling session of {a.display_name} expires "
                                   f"{a.session_expires_at:%Y-%m-%d %H:%M} UTC (within {n} "
                                   "days): re-add the account.", a.pk))  # fmt: skip
    if (n := wanted.get(Kind.FAILURES)) is not None:
        failures = (
            TaskEvent.objects.filter(at__gte=now - timedelta(hours=1), to_state__in=FAILED)
            .exclude(from_state=F("to_state"))
            .count()
        )
        if failures > n:
            text = f"{failures} tasks failed in the last hour (more than {n})."
            found.append(Condition("failures", Kind.FAILURES, text))
    if Kind.ATTENTION in wanted:
        stuck = MotionTask.objects.filter(state=State.NEEDS_ATTENTION)
        count = stuck.count()
        if count:
            newest = stuck.order_by("-updated_at").values_list("pk", "name")[:NAMED]
            names = ", ".join(f"#{pk} {name}" for pk, name in newest)
            more = f" and {count - NAMED} more" if count > NAMED else ""
            found.append(Condition("attention", Kind.ATTENTION,
                                   f"{count} task(s) need attention: {names}{more}."))  # fmt: skip
    return {c.key: c for c in found}
