"""Where alerts go: the environment's simplest set-up plus what admins set on the Alerts page.

MOTIONHUB_ALERT_EMAILS and the Recipient rows are one list (each address once);
MOTIONHUB_ALERT_WEBHOOK_URL/SECRET and the page's Webhook are each posted to (one URL once,
the environment's secret winning).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from motionhub.alerts.models import Recipient, Webhook
from motionhub.core import crypto

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hook:
    url: str
    secret: str
    source: str  # "environment" | "page"


def emails() -> list[str]:
    found: dict[str, str] = {}
    for address in [*settings.MOTIONHUB_ALERT_EMAILS,
                    *Recipient.objects.values_list("email", flat=True)]:  # fmt: skip
        found.setdefault(address.strip().lower(), address.strip())
    return [address for address in found.values() if address]


def page_webhook() -> Webhook | None:
    return Webhook.objects.filter(pk=1).first()


def webhooks() -> list[Hook]:
    hooks = []
    if settings.MOTIONHUB_ALERT_WEBHOOK_URL:
        hooks.append(Hook(settings.MOTIONHUB_ALERT_WEBHOOK_URL,
                          settings.MOTIONHUB_ALERT_WEBHOOK_SECRET, "environment"))  # fmt: skip
    hook = page_webhook()
    if hook is not None and hook.url not in {h.url for h in hooks}:
        try:
            secret = hook.secret()
        except crypto.DecryptionError:
            # A rotated SECRET_KEY: the webhook is still told, unsigned, and the log says why.
            log.warning("the alert webhook's secret cannot be decrypted: sent unsigned")
            secret = ""
        hooks.append(Hook(hook.url, secret, "page"))
    return hooks
