"""Alert rules, the alerts they raised (one open per condition) and every delivery of them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    RELOGIN = "relogin", "Account needs re-login"
    CREDITS = "credits_below", "Credits below N"
    SESSION = "session_expires", "Session expires within N days"
    FAILURES = "failures", "More than N failures in the last hour"
    ATTENTION = "attention", "A task needs attention"


class AlertRule(models.Model):
    """An admin's setting for one kind of alert; without a row the settings' default holds."""

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(default=True)
    # N of the rule's name (credits, days, failures); unused by the rules without one.
    threshold = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Alert(models.Model):
    """One condition while it holds: opened once, resolved once (never two open per key)."""

    key = models.CharField(max_length=120)  # the condition, e.g. "relogin:account:5"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    account = models.ForeignKey(
        "accounts.KlingAccount", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # The dedupe: a second worker opening the same condition fails here, and sends nothing.
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="one_open_alert_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Delivery(models.Model):
    """One alert told (or resolved) on one channel: sent or failed, and why."""

    class Event(models.TextChoices):
        FIRED = "fired", "fired"
        RESOLVED = "resolved", "resolved"

    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        WEBHOOK = "webhook", "webhook"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=10, choices=Event.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=300)  # addresses, or the webhook's host (never its path)
    ok = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.alert} {self.event} by {self.channel}"


class Recipient(models.Model):
    """An e-mail address an admin added on the Alerts page (beside MOTIONHUB_ALERT_EMAILS)."""

    email = models.EmailField(max_length=254, unique=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Webhook(models.Model):
    """The webhook an admin set on the Alerts page (one row, pk 1), beside the environment's.

    The secret is stored encrypted (core.crypto, as connection tokens are) and never shown back:
    the page says only whether one is set.
    """

    url = models.URLField(max_length=500)
    secret_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "alert webhook"

    @property
    def signed(self) -> bool:
        return bool(self.secret_encrypted)

    def set_secret(self, secret: str) -> None:
        from motionhub.core import crypto

        self.secret_encrypted = crypto.encrypt(secret) if secret else ""

    def secret(self) -> str:
        from motionhub.core import crypto

        return crypto.decrypt(self.secret_encrypted) if self.secret_encrypted else ""
