"""The Alerts page: open alerts, the recent ones with every delivery, the rules and channels."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motionhub.alerts import conditions, webhook
from motionhub.alerts.models import Alert, Delivery, Kind
from motionhub.core.roles import viewer_required

RECENT = 100


@viewer_required
@require_GET
def index(request):
    alerts = Alert.objects.select_related("account").prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("at", "id"))
    )[:RECENT]
    wanted = conditions.rules()
    rules = [
        {"label": label, "on": kind in wanted, "n": wanted.get(kind)}
        for kind, label in Kind.choices
    ]
    url = settings.MOTIONHUB_ALERT_WEBHOOK_URL
    channels = {
        "emails": settings.MOTIONHUB_ALERT_EMAILS,
        "webhook": webhook.where(url) if url else "",
        "signed": bool(settings.MOTIONHUB_ALERT_WEBHOOK_SECRET),
    }
    return render(request, "alerts/index.html",
                  {"alerts": alerts, "rules": rules, "channels": channels})  # fmt: skip
