"""Everything the sandbox knows lives here, so web and worker processes see the same world.

A useapi API token is a namespace: its accounts, uploads and tasks are invisible to other tokens.
Only a SHA-256 of the token is stored, never the token; Kling passwords are not stored at all.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

DEFAULT_CREDITS = 56000
# What each task takes from the account's balance, in Kling's points (credits x 100, reference
# §13): charged when the create call is accepted, so the spend appears in the balance readings.
TASK_COST = 100


def _rate(help_text: str) -> models.FloatField:
    return models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=help_text,
    )


def kling_id() -> int:
    """A Kling-style task/work id: 16 digits, large like Kling's own but within JavaScript's
    safe integer range (at most 2**53 - 1).

    Ids above 2**53 broke the clients people actually point at the sandbox: a Node script
    parses JSON numbers as doubles, rounds such an id, and then polls a task "not found". Our
    own code stores ids as 64-bit integers whatever their size (see tests/useapi for the
    parsers' handling of larger ones).
    """
    return random.randrange(10**15, 2**53)


class SandboxConfig(models.Model):
    """The one row of sandbox-wide settings (pk 1), editable in the Django admin."""

    SHAPE_2025 = "2025"
    SHAPE_2026 = "2026"
    SHAPES = [
        (SHAPE_2025, "October 2025: workId motions, motion-upload"),
        (SHAPE_2026, "January 2026: motion assets (assetId, url)"),
    ]

    shape = models.CharField(
        max_length=4,
        choices=SHAPES,
        default=SHAPE_2025,
        help_text="Which GET /videos/motions answer the sandbox gives.",
    )
    rate_429 = _rate("Share of authorised requests answered 429 (no free slot), 0 to 1.")
    rate_500 = _rate("Share of authorised requests answered 500 (internal error), 0 to 1.")
    rate_503 = _rate("Share of authorised requests answered 503 with Retry-After, 0 to 1.")
    rate_502 = _rate(
        "Share of create calls a gateway answers 502 before they reach the sandbox (nothing is "
        "created), 0 to 1."
    )
    rate_504 = _rate(
        "Share of create calls whose answer a gateway replaces by a 504 after the task was "
        "created (the client cannot know it exists), 0 to 1."
    )
    rate_slow = _rate("Share of authorised requests answered only after slow_seconds, 0 to 1.")
    slow_seconds = models.FloatField(
        default=2.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(60.0)],
        help_text="Delay of a slow answer (injected, or for a +slow account).",
    )

    class Meta:
        verbose_name = "sandbox settings"
        verbose_name_plural = "sandbox settings"

    def __str__(self) -> str:
        return f"Sandbox settings (shape {self.shape})"

    @classmethod
    def load(cls) -> SandboxConfig:
        config, _ = cls.objects.get_or_create(pk=1)
        return config


class Account(models.Model):
    """A Kling account configured with POST /accounts under one API token."""

    namespace = models.CharField(max_length=64, help_text="SHA-256 of the API token.")
    email = models.CharField(max_length=254)
    max_jobs = models.PositiveSmallIntegerField()
    credits = models.IntegerField(default=DEFAULT_CREDITS)
    kling_user_id = models.BigIntegerField()
    session_expires = models.DateTimeField()
    created = models.DateTimeField(default=timezone.now)
    # Demo triggers on an existing account (state.py, the admin's actions, sandbox_trigger):
    # a broken session answers 596 to every call on the account until it is added again
    # (POST /accounts logs in anew); throttle_left create calls answer 429 before any succeeds.
    session_broken = models.BooleanField(default=False)
    throttle_left = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["namespace", "email"], name="sandbox_account_unique")
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def upsert(
        cls, namespace: str, email: str, max_jobs: int, credits: int | None = None
    ) -> Account:
        """Add the account, or update maxJobs (and credits when given) of an existing one."""
        defaults: dict = {
            "max_jobs": max_jobs,
            # useapi logs in again on every POST /accounts, which renews the session.
            "session_expires": timezone.now() + timedelta(days=30),
            "session_broken": False,
        }
        if credits is not None:
            defaults["credits"] = credits
        account, _ = cls.objects.update_or_create(
            namespace=namespace,
            email=email,
            defaults=defaults,
            create_defaults={
                **defaults,
                "kling_user_id": random.randrange(10_000_000, 99_999_999),
            },
        )
        return account


class Asset(models.Model):
    """A file uploaded with POST /assets, stored under MEDIA_ROOT/sandbox/."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=5)  # image | video | audio
    content_type = models.CharField(max_length=40)
    file_name = models.CharField(max_length=80, unique=True)
    cover_name = models.CharField(max_length=80, blank=True, help_text="Videos: the JPEG cover.")
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    has_audio = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file_name


class Task(models.Model):
    """A Kling task. Its status is not stored: it follows from `created` and the clock."""

    MOTION_PROCESS = "motion_control_motion_process"
    MOTION_CREATE = "m2v_motion_control"
    TYPES = [(MOTION_PROCESS, "motion upload"), (MOTION_CREATE, "motion create")]

    id = models.BigIntegerField(primary_key=True, default=kling_id)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tasks")
    type = models.CharField(max_length=40, choices=TYPES)
    scene = models.CharField(max_length=40)
    work_id = models.BigIntegerField(unique=True, default=kling_id)
    inputs = models.JSONField(default=list)
    arguments = models.JSONField(default=list)
    # File names (under the sandbox files view) and metadata of the work the task produces.
    output = models.JSONField(default=dict)
    reply_url = models.CharField(max_length=1024, blank=True)
    reply_ref = models.CharField(max_length=1024, blank=True)
    # Absolute ".../files/" prefix as the creating request saw the host: URLs in callbacks and
    # later reads match the ones the client was given, even when built with no request at hand.
    base_url = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    # The last status announced. Only a conditional update that raises it sends a callback, so
    # each status change is delivered at most once even with several processes observing.
    last_notified_status = models.PositiveSmallIntegerField(default=5)

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Callback(models.Model):
    """One replyUrl delivery: recorded before the POST, completed after it."""

    task_id = models.BigIntegerField(db_index=True)  # not a FK: the record outlives the task
    status = models.PositiveSmallIntegerField(help_text="The task status announced.")
    url = models.CharField(max_length=1024)
    payload = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"task {self.task_id} status {self.status} → {self.http_status or self.error or '…'}"


class CreateCall(models.Model):
    """Every create request that made a task, so tests can prove nothing was created twice."""

    namespace = models.CharField(max_length=64, db_index=True)
    email = models.CharField(max_length=254)
    type = models.CharField(max_length=40)
    task_id = models.BigIntegerField()
    body = models.JSONField(help_text="The request's fields (create bodies carry no secrets).")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.type} by {self.email} → task {self.task_id}"
