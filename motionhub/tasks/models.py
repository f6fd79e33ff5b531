"""Motion tasks (what we submitted upstream) and their timelines."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from motionhub.tasks.daycount import TaskDayCount, counted_new
from motionhub.tasks.states import (  # noqa: F401  (the task states are also known by this name)
    FAILURES,
    FINAL,
    IN_FLIGHT,
    IN_PROGRESS,
    RETRYABLE,
    SETTLED,
    STATE_GROUPS,
    TRACKED,
    State,
    StateGroup,
)
from motionhub.useapi.links import http_url

__all__ = ["Kind", "MotionTask", "TaskDayCount", "TaskEvent"]


class Kind(models.TextChoices):
    MOTION_UPLOAD = "motion_upload", "Motion upload"
    MOTION_CREATE = "motion_create", "Motion create"


class MotionTask(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MOTION_UPLOAD)
    name = models.CharField(max_length=200)
    # Null while "automatic" waits for a slot; set when a worker claims the task.
    account = models.ForeignKey(
        "accounts.KlingAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    auto_account = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    # The run it was accepted in, if any; a retry stays in its original's batch.
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # Set, by a conditional update, by the one Retry that made this task's retry: a second
    # Retry (a double click, two people at once) finds it set and returns that retry instead.
    retried = models.BooleanField(default=False)

    # Inputs: files under MEDIA_ROOT with generated names, and what we measured of them.
    video = models.FileField(upload_to="motions/videos/%Y/%m/", blank=True)
    cover = models.FileField(upload_to="motions/covers/%Y/%m/", blank=True)
    cover_from_video = models.BooleanField(default=False)
    image = models.FileField(upload_to="motions/images/%Y/%m/", blank=True)
    inputs = models.JSONField(default=dict, blank=True)

    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    # Upstream ids are large integers: 64-bit, never floats.
    upstream_task_id = models.BigIntegerField(null=True, blank=True)
    upstream_status = models.CharField(max_length=40, blank=True)
    # What the upstream returned, with secrets removed: assets, create call, last task read.
    upstream = models.JSONField(default=dict, blank=True)
    error_category = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)

    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # Since when readings of this tracked task have failed for good (401, 402, 596, …); cleared
    # by a good reading. Past MOTIONHUB_TRACK_GIVE_UP_SECONDS the task gives its slot back.
    read_failing_since = models.DateTimeField(null=True, blank=True)
    reply_nonce = models.CharField(max_length=40, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="task_newest"),
            # Partial indexes on the live states keep the dispatcher and tracker cheap. Their state
            # lists come from the groups above, so a new state cannot silently fall out of one.
            models.Index(
                fields=["created_at"],
                name="task_queued",
                condition=Q(state=State.QUEUED),
            ),
            models.Index(
                fields=["account", "state"],
                name="task_in_flight",
                condition=Q(state__in=list(IN_FLIGHT)),
            ),
            models.Index(
                fields=["next_poll_at"],
                name="task_tracked",
                condition=Q(state__in=list(TRACKED)),
            ),
            # The task history's filters: each page is a range scan in (created_at, id) order
            # from the keyset cursor, without a sort, however deep (history/filters.py).
            models.Index(fields=["account", "created_at", "id"], name="task_account_newest"),
            models.Index(fields=["state", "created_at", "id"], name="task_state_newest"),
            models.Index(fields=["submitted_by", "created_at", "id"], name="task_submitter_newest"),
            models.Index(fields=["error_category", "created_at", "id"], name="task_error_newest"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    def save(self, *args, **kwargs) -> None:
        """Saving a new task also counts it in its day's TaskDayCount, in the same transaction.

        Later state changes are counted by timeline.move, the one way a task changes state.
        (bulk_create bypasses this: whoever bulk-loads tasks runs rollup.rebuild afterwards.)
        """
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            counted_new(self.created_at, self.state, using=using)

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.pk])

    @property
    def result(self) -> dict:
        """The made video of a succeeded motion-create task (URLs only if http(s))."""
        found = self.upstream.get("result") or {}
        download = self.upstream.get("download") or {}
        return {
            "video_url": http_url(found.get("video_url")),
            "cover_url": http_url(found.get("cover_url")),
            "work_id": found.get("work_id"),
            "clean_url": http_url(download.get("cdnUrl")),
            "clean_error": download.get("error", ""),
        }

    @property
    def keeps_polling(self) -> bool:
        """Whether the task page should keep reading the status fragment.

        Until the task is settled, and for a made video a little longer, until the clean
        download link arrives (bounded, in case no worker ever fetches it).
        """
        if not self.is_settled:
            return True
        waiting_for_download = (
            self.kind == Kind.MOTION_CREATE
            and self.state == State.SUCCEEDED
            and "download" not in self.upstream
            and self.finished_at is not None
            and timezone.now() - self.finished_at < timedelta(minutes=2)
        )
        return waiting_for_download

    @property
    def is_retryable(self) -> bool:
        # Once retention removed its inputs (archive/retention.py) there is nothing to send again.
        return self.state in RETRYABLE and "removed_at" not in self.inputs

    @property
    def is_final(self) -> bool:
        return self.state in FINAL

    @property
    def is_settled(self) -> bool:
        return self.state in SETTLED


class TaskEvent(models.Model):
    """Append-only timeline: one row per state change or notable step of a task."""

    class Source(models.TextChoices):
        PERSON = "person", "Person"
        WORKER = "worker", "Worker"
        POLL = "poll", "Poll"
        CALLBACK = "callback", "Callback"
        SYSTEM = "system", "System"

    task = models.ForeignKey(MotionTask, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="event_task_at")]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state} ({self.source})"


class Batch(models.Model):
    """A run of tasks accepted together (several clips in one upload): one page follows them
    all (motionhub/batches/). Clips refused at upload are named in `refused`, nothing of them
    stored or sent.
    """

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MOTION_UPLOAD)
    name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # [{"name": file name, "reason": why it was refused}], in the order they were sent.
    refused = models.JSONField(default=list, blank=True)
    # Set for a run made from a confirmation page: a second click on "Create" finds the batch
    # the first one made instead of making the run twice.
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="batch_newest")]

    def __str__(self) -> str:
        return f"Batch #{self.pk} {self.name}".rstrip()

    def get_absolute_url(self) -> str:
        # The batch pages live above the pipeline (motionhub/batches/): named, not imported.
        return reverse("batches:detail", args=[self.pk])
