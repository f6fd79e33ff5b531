"""The Alerts page's admin forms: each rule on or off and its N, the e-mail recipients and the
webhook (its secret write-only). Every change is one audit entry; a refused form says why."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from motionhub import audit
from motionhub.alerts import webhook as webhook_sender
from motionhub.alerts.conditions import defaults
from motionhub.alerts.models import AlertRule, Kind, Recipient, Webhook
from motionhub.core.roles import admin_required

MAX_THRESHOLD = 1_000_000_000


class RuleForm(forms.Form):
    enabled = forms.BooleanField(required=False)
    threshold = forms.IntegerField(required=False, min_value=0, max_value=MAX_THRESHOLD)


class RecipientForm(forms.Form):
    email = forms.EmailField(max_length=254)


class WebhookForm(forms.Form):
    url = forms.URLField(label="Webhook URL", max_length=500, assume_scheme="https")
    # Write-only: never rendered with its value; left empty it keeps the secret already set.
    secret = forms.CharField(label="Signing secret", required=False, max_length=200, strip=True,
                             widget=forms.PasswordInput(render_value=False))  # fmt: skip
    clear_secret = forms.BooleanField(label="Send unsigned (forget the secret)", required=False)

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("The webhook must be an http(s) URL.")
        return url


def _refused(request, form) -> None:
    errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
    messages.error(request, f"Not saved — {errors}")


@admin_required
@require_POST
def rule(request, kind: str):
    if kind not in Kind.values:
        return redirect("alerts:index")
    form = RuleForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("alerts:index")
    label = Kind(kind).label
    has_n = defaults()[kind] is not None
    threshold = form.cleaned_data["threshold"] if has_n else None
    with transaction.atomic():
        saved, _ = AlertRule.objects.update_or_create(
            kind=kind, defaults={"enabled": form.cleaned_data["enabled"], "threshold": threshold}
        )
        state = "on" if saved.enabled else "off"
        n = f", N = {threshold}" if threshold is not None else (", N = default" if has_n else "")
        audit.record(request, audit.Action.ALERT_RULE_CHANGE, target=saved, target_label=label,
                     detail=f"{label}: {state}{n}")  # fmt: skip
    messages.success(request, f"“{label}” is {state}{n}.")
    return redirect("alerts:index")


@admin_required
@require_POST
def recipient_add(request):
    form = RecipientForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("alerts:index")
    email = form.cleaned_data["email"]
    with transaction.atomic():
        added, created = Recipient.objects.get_or_create(email=email)
        if created:
            audit.record(request, audit.Action.ALERT_RECIPIENT_ADD, target=added,
                         target_label=email)  # fmt: skip
    messages.success(request, f"{email} gets the alerts." if created else f"{email} was there.")
    return redirect("alerts:index")


@admin_required
@require_POST
def recipient_remove(request, pk: int):
    found = get_object_or_404(Recipient, pk=pk)
    with transaction.atomic():
        audit.record(request, audit.Action.ALERT_RECIPIENT_REMOVE, target=found,
                     target_label=found.email)  # fmt: skip
        found.delete()
    messages.success(request, f"{found.email} no longer gets the alerts.")
    return redirect("alerts:index")


@admin_required
@require_POST
def webhook_set(request):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("alerts:index")
    data = form.cleaned_data
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().filter(pk=1).first() or Webhook(pk=1)
        hook.url = data["url"]
        if data["clear_secret"]:
            hook.set_secret("")
        elif data["secret"]:
            hook.set_secret(data["secret"])
        hook.save()
        # The host only (a Slack URL's path is its secret), and never the signing secret.
        signed = "signed" if hook.signed else "unsigned"
        audit.record(request, audit.Action.ALERT_WEBHOOK_SET, target=hook,
                     target_label=webhook_sender.where(hook.url),
                     detail=f"{webhook_sender.where(hook.url)} ({signed})")  # fmt: skip
    messages.success(request, f"Alerts are posted to {webhook_sender.where(hook.url)} ({signed}).")
    return redirect("alerts:index")


@admin_required
@require_POST
def webhook_remove(request):
    hook = Webhook.objects.filter(pk=1).first()
    if hook is not None:
        with transaction.atomic():
            audit.record(request, audit.Action.ALERT_WEBHOOK_REMOVE, target=hook,
                         target_label=webhook_sender.where(hook.url))  # fmt: skip
            hook.delete()
        messages.success(request, "The page's webhook is removed.")
    return redirect("alerts:index")
