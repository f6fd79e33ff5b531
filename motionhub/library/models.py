"""The local cache of each account's motions, its sync state, and requested deletions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motionhub.useapi.links import http_url


class Origin(models.TextChoices):
    MINE = "mine", "Our motions"
    OFFICIAL = "official", "Official motions"


class Motion(models.Model):
    """One motion as the account's last successful refresh listed it (GET /videos/motions).

    Official motions are the same for every account of a connection, but they are cached per
    account all the same: upstream lists them per account (`email`), so one refresh job, one
    sync status and one replace rule serve both kinds, an account that cannot be read shows its
    own warning, and a removed account takes its rows with it. The cost is a few dozen
    duplicated rows per account; the all-accounts view shows each connection's list once.
    """

    account = models.ForeignKey(
        "accounts.KlingAccount", on_delete=models.CASCADE, related_name="library_motions"
    )
    kind = models.CharField(max_length=10, choices=Origin.choices)
    # The client's stable key: "work:<workId>", "asset:<assetId>" or "url:<hash>".
    key = models.CharField(max_length=255)
    shape = models.CharField(max_length=4, blank=True)  # "2025" or "2026": which API generation
    name = models.CharField(max_length=300)
    tag = models.CharField(max_length=100, blank=True)
    # Upstream ids are large integers: 64-bit, never floats.
    work_id = models.BigIntegerField(null=True, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True)  # 2025 "mine": what DELETE takes
    asset_id = models.CharField(max_length=255, blank=True)
    video_url = models.TextField(blank=True)
    cover_url = models.TextField(blank=True)
    bvh_url = models.TextField(blank=True)
    binary_url = models.TextField(blank=True)
    duration_ms = models.BigIntegerField(null=True, blank=True)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    upstream_created_at = models.DateTimeField(null=True, blank=True)
    # The upload task of ours that produced this motion, matched at refresh time (so the page
    # needs no JSON lookups); null for motions uploaded outside MotionHub and official ones.
    source_task = models.ForeignKey(
        "motions.MotionTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Upstream's own order (newest first for "mine"), kept so the page shows it that way.
    position = models.PositiveIntegerField(default=0)
    raw = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account_id", "position", "id"]
        constraints = [
            # Per kind as well as per account: a refresh replaces one kind's set, so a key that
            # ever appeared in both lists must not make one kind's refresh steal the other's row.
            models.UniqueConstraint(
                fields=["account", "kind", "key"], name="library_motion_unique_key"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "account", "position"], name="library_motion_list"),
            models.Index(fields=["account", "task_id"], name="library_motion_task"),
        ]

    def __str__(self) -> str:
        return self.name

    # The kept files of the upload that made this motion ({kind: KeptFile}), when a page
    # attached them (listing.attach_kept): the kept copy is shown, upstream's link only without.
    kept: dict | None = None

    def _kept_url(self, kind: str) -> str:
        kept = (self.kept or {}).get(kind)
        return kept.url if kept is not None else ""

    @property
    def cover_src(self) -> str:
        return self._kept_url("cover") or http_url(self.cover_url)

    @property
    def video_src(self) -> str:
        return http_url(self.video_url)

    @property
    def bvh_href(self) -> str:
        return self._kept_url("bvh") or http_url(self.bvh_url)

    @property
    def binary_href(self) -> str:
        return self._kept_url("binary") or http_url(self.binary_url)

    @property
    def duration_s(self) -> float | None:
        if self.duration_ms is None or self.duration_ms <= 0:
            return None
        return round(self.duration_ms / 1000, 1)

    @property
    def upstream_id(self) -> str:
        """The id a person would quote: workId, else assetId, else our key."""
        if self.work_id is not None:
            return str(self.work_id)
        return self.asset_id or self.key

    @property
    def is_mine(self) -> bool:
        return self.kind == Origin.MINE

    @property
    def shown_name(self) -> str:
        """The name a person gave it on our upload form, else upstream's (Kling names custom
        motions "Custom motion <date>"). Load with select_related("source_task")."""
        return self.source_task.name if self.source_task_id else self.name

    def task_input(self) -> dict:
        """What a motion-create task records of the motion it applies."""
        return {
            "name": self.shown_name,
            "upstream_name": self.name,
            "key": self.key,
            "work_id": self.work_id,
            "cover_url": self.cover_url,
            "video_url": self.video_url,
            "official": not self.is_mine,
        }

    @property
    def can_be_deleted(self) -> bool:
        # Only the 2025 API offers a way (DELETE /tasks/{taskId}); never guess one for 2026.
        return self.kind == Origin.MINE and self.task_id is not None


class LibrarySync(models.Model):
    """How each account's library refresh went: one row per account."""

    account = models.OneToOneField(
        "accounts.KlingAccount", on_delete=models.CASCADE, related_name="library_sync"
    )
    # When the last refresh read both lists in full.
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The human message of the last refresh's failure; empty once a refresh succeeds.
    last_error = models.TextField(blank=True)
    # Set by the job that holds the refresh (a conditional update), cleared when it ends.
    running_since = models.DateTimeField(null=True, blank=True)
    # When a refresh was last asked for; a request arriving while one runs triggers another.
    requested_at = models.DateTimeField(null=True, blank=True)
    # Kept here so the tabs can show counts without COUNT(*) over the cache.
    mine_count = models.PositiveIntegerField(default=0)
    official_count = models.PositiveIntegerField(default=0)
    official_synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"library sync of {self.account_id}"

    @property
    def in_progress(self) -> bool:
        """Running, or asked for and not yet picked up (a request older than the job retry
        window is no longer waited for: its worker is gone)."""
        window = timedelta(seconds=settings.Q_CLUSTER["retry"])
        now = timezone.now()
        if self.running_since and self.running_since > now - window:
            return True
        if self.requested_at and self.requested_at > now - window:
            return self.finished_at is None or self.requested_at > self.finished_at
        return False


class DeletionState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Deleting"
    DONE = "done", "Deleted"
    FAILED = "failed", "Failed"


ACTIVE_DELETION_STATES = (DeletionState.PENDING, DeletionState.RUNNING)


class MotionDeletion(models.Model):
    """A person's request to delete one motion upstream (DELETE /tasks/{taskId}), and its fate.

    Kept after the cached motion is gone, so it records the name, key and taskId as they were.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        "accounts.KlingAccount", on_delete=models.PROTECT, related_name="motion_deletions"
    )
    # The cached Motion's id when asked, kept as a plain number (not a foreign key) because the
    # row is removed once the deletion is done and the page still needs to find its card.
    motion_ref = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    motion_key = models.CharField(max_length=255)
    motion_name = models.CharField(max_length=300)
    upstream_task_id = models.BigIntegerField()
    state = models.CharField(
        max_length=10, choices=DeletionState.choices, default=DeletionState.PENDING
    )
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Two people confirming at once must not send two DELETEs for one task.
            models.UniqueConstraint(
                fields=["account", "upstream_task_id"],
                condition=Q(state__in=list(ACTIVE_DELETION_STATES)),
                name="library_one_live_deletion_per_task",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                name="library_deletion_live",
                condition=Q(state__in=list(ACTIVE_DELETION_STATES)),
            ),
        ]

    def __str__(self) -> str:
        return f"delete {self.motion_name} (task {self.upstream_task_id})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_DELETION_STATES
