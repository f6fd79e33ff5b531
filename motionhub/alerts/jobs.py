"""The alerts job (scheduled every minute): open an alert for each new condition, resolve the
ones that cleared, and tell each once per channel — never twice, with any number of workers.

The open alerts are read before the conditions, so an alert another worker opens meanwhile is
never resolved by this run's older view. Opening is an insert that the partial unique constraint
(one open alert per key) lets only one worker win; resolving is a conditional update. Only the
winner delivers, and every delivery, sent or failed, is a Delivery row and an audit entry.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from motionhub import audit
from motionhub.alerts import channels, conditions, webhook
from motionhub.alerts.models import Alert, Delivery
from motionhub.audit.actions import Action, Outcome

log = logging.getLogger(__name__)


def evaluate() -> dict[str, int]:
    """Returns how many alerts were opened and resolved."""
    still_open = {a.key: a for a in Alert.objects.filter(resolved_at__isnull=True)}
    now_holding = conditions.current()
    opened = resolved = 0
    for key, condition in now_holding.items():
        if key in still_open:
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(key=key, kind=condition.kind, text=condition.text,
                                             account_id=condition.account_id)  # fmt: skip
        except IntegrityError:
            continue  # another worker opened it: it tells
        opened += 1
        deliver(alert, Delivery.Event.FIRED)
    for key, alert in still_open.items():
        if key in now_holding:
            continue
        now = timezone.now()
        if Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
            alert.resolved_at = now
            resolved += 1
            deliver(alert, Delivery.Event.RESOLVED)
    return {"opened": opened, "resolved": resolved}


def message(alert: Alert, event: str) -> str:
    if event == Delivery.Event.RESOLVED:
        return f"Resolved: {alert.text}"
    return alert.text


def deliver(alert: Alert, event: str) -> list[Delivery]:
    done = []
    text = message(alert, event)
    emails = channels.emails()
    if emails:
        done.append(_email(alert, event, text, emails))
    for hook in channels.webhooks():
        done.append(_webhook(alert, event, text, hook))
    return done


def _email(alert: Alert, event: str, text: str, emails: list[str]) -> Delivery:
    subject = f"[MotionHub] {'Resolved' if event == Delivery.Event.RESOLVED else 'Alert'}: "
    subject += alert.get_kind_display()
    body = f"{text}\n\nOpened {alert.opened_at:%Y-%m-%d %H:%M:%S} UTC."
    if alert.resolved_at:
        body += f" Resolved {alert.resolved_at:%Y-%m-%d %H:%M:%S} UTC."
    error = ""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except Exception as exc:  # any SMTP or socket failure: recorded, the next channel goes on
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record(alert, event, Delivery.Channel.EMAIL, ", ".join(emails), error=error)


def _webhook(alert: Alert, event: str, text: str, hook: channels.Hook) -> Delivery:
    url = hook.url
    payload = {
        "text": f"MotionHub: {text}",
        "alert": {
            "id": alert.pk,
            "key": alert.key,
            "kind": alert.kind,
            "event": event,
            "opened_at": alert.opened_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
            "account": alert.account.display_name if alert.account else None,
        },
    }
    sent = webhook.post(
        url,
        payload,
        secret=hook.secret,
        attempts=settings.MOTIONHUB_ALERT_WEBHOOK_ATTEMPTS,
        backoff=settings.MOTIONHUB_ALERT_WEBHOOK_BACKOFF_SECONDS,
    )
    return _record(alert, event, Delivery.Channel.WEBHOOK, webhook.where(url),
                   error="" if sent.ok else sent.error, attempts=sent.attempts)  # fmt: skip


def _record(alert: Alert, event: str, channel: str, target: str, *, error: str,
            attempts: int = 1) -> Delivery:  # fmt: skip
    delivery = Delivery.objects.create(alert=alert, event=event, channel=channel, target=target,
                                       ok=not error, attempts=attempts, error=error)  # fmt: skip
    if error:
        log.warning("alert %s (%s) by %s failed: %s", alert.pk, event, channel, error)
    audit.record(
        None,
        Action.ALERT_SENT if not error else Action.ALERT_FAILED,
        target=alert,
        target_label=alert.text[:200],
        account=alert.account,
        outcome=Outcome.OK if not error else Outcome.FAILED,
        detail=f"{event} by {channel} to {target}" + (f": {error}" if error else ""),
        actor_name="system",
    )
    return delivery
