"""The Alerts page: open alerts, the recent ones with every delivery, the rules and channels."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motionhub.alerts import channels, conditions, webhook
from motionhub.alerts.manage import WebhookForm
from motionhub.alerts.models import Alert, AlertRule, Delivery, Kind, Recipient
from motionhub.core.roles import can_administer, viewer_required

RECENT = 100


@viewer_required
@require_GET
def index(request):
    alerts = Alert.objects.select_related("account").prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("at", "id"))
    )[:RECENT]
    wanted = conditions.rules()
    known = conditions.defaults()
    custom = dict(AlertRule.objects.values_list("kind", "threshold"))
    rules = [
        {"kind": kind, "label": label, "on": kind in wanted, "n": wanted.get(kind),
         "has_n": known[kind] is not None, "default_n": known[kind],
         "custom_n": custom.get(kind)}
        for kind, label in Kind.choices
    ]  # fmt: skip
    url = settings.MOTIONHUB_ALERT_WEBHOOK_URL
    hook = channels.page_webhook()
    channels_shown = {
        "env_emails": settings.MOTIONHUB_ALERT_EMAILS,
        "email_count": len(channels.emails()),
        "webhook": webhook.where(url) if url else "",
        "signed": bool(settings.MOTIONHUB_ALERT_WEBHOOK_SECRET),
        # The page's webhook: its host only, as the environment's; never the secret.
        "page_webhook": hook,
        "page_webhook_host": webhook.where(hook.url) if hook else "",
    }
    context = {"alerts": alerts, "rules": rules, "channels": channels_shown,
               "recipients": list(Recipient.objects.all())}  # fmt: skip
    if can_administer(request.user):
        # Never prefilled: the URL's path may be its secret, as the signing secret is.
        context["webhook_form"] = WebhookForm()
    return render(request, "alerts/index.html", context)
