"""useapi.net connections and the Kling accounts configured under them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from motionhub.core import crypto


class Connection(models.Model):
    """One useapi.net API token and the base URL it is used against."""

    name = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(max_length=300)
    # Fernet ciphertext of the API token; write-only in the UI (see crypto.py).
    token_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    def set_token(self, token: str) -> None:
        self.token_encrypted = crypto.encrypt(token)

    def client(self):
        """A useapi client for this connection (the only way code here reaches upstream)."""
        from motionhub.useapi import Client

        return Client(
            base_url=self.base_url,
            token=self.token,
            timeout=settings.USEAPI_TIMEOUT,
            upload_timeout=settings.USEAPI_UPLOAD_TIMEOUT,
        )


class ActiveAccounts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class KlingAccount(models.Model):
    """A Kling account configured at useapi under a connection, as we last saw it."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="accounts")
    email = models.EmailField()
    label = models.CharField(max_length=100, blank=True)
    max_jobs = models.PositiveSmallIntegerField(default=1)
    # Disabled accounts stay listed but take no new work.
    enabled = models.BooleanField(default=True)
    # True when a sync disabled the account (it had gone from useapi's list), so a later sync
    # that finds it again enables it again; a person's own disable is never undone that way.
    disabled_by_sync = models.BooleanField(default=False)
    session_expires_at = models.DateTimeField(null=True, blank=True)
    # Balance as GET /accounts/{email} reports it (`balance.total`); units are upstream's.
    credits = models.BigIntegerField(null=True, blank=True)
    # Jobs upstream reports as executing on this account (GET /scheduler/available).
    slots_in_use = models.PositiveSmallIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Removed accounts are kept (their tasks stay in the history) but hidden from lists.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager()
    active = ActiveAccounts()

    class Meta:
        ordering = ["connection__name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "email"], name="unique_account_per_conn")
        ]

    def __str__(self) -> str:
        return self.label or self.email

    @property
    def display_name(self) -> str:
        return self.label or self.email


class AccountChange(models.Model):
    """A requested change to Kling accounts, carried out upstream by a background job.

    Views never call upstream, so adding, updating, removing or syncing accounts is recorded
    here and done by `accounts.jobs.apply_account_change`. The Kling password needed by
    POST /accounts is held only encrypted and only until the job has sent it: the job wipes it
    whatever the outcome, so it is never stored beyond that one call.
    """

    class Action(models.TextChoices):
        ADD = "add", "Add account"
        UPDATE = "update", "Change maxJobs"
        REMOVE = "remove", "Remove account"
        SYNC = "sync", "Sync accounts"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    email = models.EmailField(blank=True)
    max_jobs = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=100, blank=True)
    secret_encrypted = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"], name="accountchange_state")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.email}".strip()

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
