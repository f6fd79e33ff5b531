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


class Health(models.TextChoices):
    """What the upstream last told of an account (health.py moves it; the timeline says why).

    "disabled" is not one of these: it is a person's `enabled`, shown by `health_label`.
    """

    ACTIVE = "active", "active"
    COOLING_DOWN = "cooling_down", "cooling down"
    NEEDS_RELOGIN = "needs_relogin", "needs re-login"
    OUT_OF_CREDITS = "out_of_credits", "out of credits"


class AccountQuerySet(models.QuerySet):
    def usable(self):
        """Accounts that may take new work: not removed, enabled, and healthy (a cool-down
        that is over counts as healthy; the health check records it as active again)."""
        return self.filter(removed_at__isnull=True, enabled=True).filter(
            models.Q(health=Health.ACTIVE)
            | models.Q(health=Health.COOLING_DOWN, health_until__lte=timezone.now())
        )


class ActiveAccounts(models.Manager.from_queryset(AccountQuerySet)):
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
    # Health as the upstream last told it (accounts/health.py); changes are in AccountHealthEvent.
    health = models.CharField(max_length=20, choices=Health.choices, default=Health.ACTIVE)
    health_until = models.DateTimeField(null=True, blank=True)  # the end of a cool-down
    health_reason = models.TextField(blank=True)
    # Consecutive 429s / upstream trouble on this account's calls; reset by a good answer.
    trouble_streak = models.PositiveSmallIntegerField(default=0)

    objects = AccountQuerySet.as_manager()
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

    @property
    def health_now(self) -> str:
        """The state a person reads: "disabled" (by a person) first, then the health."""
        return health_now(self.enabled, self.health, self.health_until)

    @property
    def health_label(self) -> str:
        return health_label(self.health_now, self.health_until)

    @property
    def is_usable(self) -> bool:
        return self.removed_at is None and self.health_now == Health.ACTIVE


def health_now(enabled: bool, health: str, until) -> str:
    """The state a person reads from an account's columns (the home page has no model rows)."""
    if not enabled:
        return "disabled"
    if health == Health.COOLING_DOWN and (until is None or until <= timezone.now()):
        return Health.ACTIVE
    return health


def health_label(state: str, until) -> str:
    if state == "disabled":
        return "disabled"
    if state == Health.COOLING_DOWN:
        return f"cooling down until {timezone.localtime(until):%H:%M}"
    return Health(state).label


class AccountHealthEvent(models.Model):
    """The account's health timeline: when and why each change happened."""

    account = models.ForeignKey(
        KlingAccount, on_delete=models.CASCADE, related_name="health_events"
    )
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    why = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"], name="accounthealth_newest")]

    def __str__(self) -> str:
        return f"{self.account} {self.from_state} → {self.to_state}"


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
