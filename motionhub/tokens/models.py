"""Personal API tokens (stored as a hash) and the answers kept for Idempotency-Key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """One person's token for scripts. The secret itself is shown once and never stored: only
    its SHA-256 (a random 256-bit secret needs no slow hash) and its first characters, which
    is how the person recognises it on the page."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="token_owner_newest")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with `Idempotency-Key`, kept 24 hours per person.

    The unique (owner, key) constraint is what makes two concurrent requests with one key do
    the work once: the second one's insert waits for, then collides with, the first one's.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and body: the same key with another request is a client's mistake.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="tokens_one_answer_per_key")
        ]
        indexes = [models.Index(fields=["owner", "created_at"], name="idempotency_owner_age")]

    def __str__(self) -> str:
        return f"{self.key} of {self.owner_id}"
