"""Kept copies of results (one row per file) and each succeeded task's archive state."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class FileKind(models.TextChoices):
    CLEAN_VIDEO = "clean_video", "Clean video"
    VIDEO = "video", "Video (watermarked)"
    COVER = "cover", "Cover"
    BVH = "bvh", "BVH archive"
    BINARY = "binary", "Binary motion archive"


class KeptFile(models.Model):
    """One file of a task's result, copied into Django storage (`name` is its storage name)."""

    task = models.ForeignKey(
        "motions.MotionTask", on_delete=models.CASCADE, related_name="kept_files"
    )
    kind = models.CharField(max_length=20, choices=FileKind.choices)
    name = models.CharField(max_length=500)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    # Where it came from, without user info, query string or fragment (signed-URL secrets).
    source_url = models.TextField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind"], name="archive_one_file_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of task {self.task_id}"

    def save(self, *args, **kwargs) -> None:
        """Saved, it becomes its task's linked video or cover (TaskArchive.video_file, …),
        the clean video over the watermarked one. (Removal unlinks it: SET_NULL.)"""
        super().save(*args, **kwargs)
        archive = TaskArchive.objects.filter(task_id=self.task_id)
        if self.kind == FileKind.CLEAN_VIDEO:
            archive.update(video_file=self)
        elif self.kind == FileKind.VIDEO:
            archive.filter(video_file__isnull=True).update(video_file=self)
        elif self.kind == FileKind.COVER:
            archive.update(cover_file=self)

    @property
    def url(self) -> str:
        return reverse("archive:file", args=[self.pk])

    @property
    def download_url(self) -> str:
        return f"{self.url}?download=1"

    @property
    def is_video(self) -> bool:
        return self.kind in (FileKind.CLEAN_VIDEO, FileKind.VIDEO)


class ArchiveState(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Archiving"
    DONE = "done", "Archived"
    FAILED = "failed", "Not archived yet"  # the sweep tries again
    GAVE_UP = "gave_up", "Not archived"  # refused, or too many tries
    EXPIRED = "expired", "No longer kept"  # removed by retention (motionhub/archive/retention.py)


RETRIED = (ArchiveState.PENDING, ArchiveState.FAILED)


class TaskArchive(models.Model):
    """How keeping one succeeded task's files went: one row per task."""

    task = models.OneToOneField(
        "motions.MotionTask", on_delete=models.CASCADE, related_name="archive"
    )
    state = models.CharField(
        max_length=10, choices=ArchiveState.choices, default=ArchiveState.PENDING
    )
    # Why it is not (fully) archived, in words for the task page; empty when all went well.
    reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The kept video (the clean one when both are) and cover, set as each run ends: list pages
    # (history, batches) reach them with one join instead of a look-up per row and kind.
    video_file = models.ForeignKey(
        KeptFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cover_file = models.ForeignKey(
        KeptFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_try_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_try_at"],
                name="archive_due",
                condition=Q(state__in=["pending", "failed", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"archive of task {self.task_id}: {self.state}"

    def _files(self) -> dict[str, KeptFile]:
        if not hasattr(self, "_by_kind"):
            self._by_kind = {f.kind: f for f in self.task.kept_files.all()}
        return self._by_kind

    @property
    def video(self) -> KeptFile | None:
        files = self._files()
        return files.get(FileKind.CLEAN_VIDEO) or files.get(FileKind.VIDEO)

    @property
    def cover(self) -> KeptFile | None:
        return self._files().get(FileKind.COVER)

    @property
    def bvh(self) -> KeptFile | None:
        return self._files().get(FileKind.BVH)

    @property
    def binary(self) -> KeptFile | None:
        return self._files().get(FileKind.BINARY)

    @property
    def files(self) -> list[KeptFile]:
        return sorted(self._files().values(), key=lambda f: f.kind)

    @property
    def is_done(self) -> bool:
        return self.state == ArchiveState.DONE

    @property
    def in_progress(self) -> bool:
        return self.state in (ArchiveState.PENDING, ArchiveState.RUNNING)

    @property
    def is_expired(self) -> bool:
        return self.state == ArchiveState.EXPIRED

    @property
    def not_archived(self) -> bool:
        return self.state in (ArchiveState.FAILED, ArchiveState.GAVE_UP)


class SpaceUsed(models.Model):
    """The space taken in storage by one kind of file, so the home page reads one small row
    instead of adding up the files. Kept results are counted as they are kept and removed
    (and recounted daily); inputs are measured daily by the retention job."""

    INPUTS = "inputs"
    RESULTS = "results"

    kind = models.CharField(max_length=20, primary_key=True)
    bytes = models.BigIntegerField(default=0)
    files = models.BigIntegerField(default=0)
    measured_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind}: {self.bytes} bytes in {self.files} files"

    @classmethod
    def add(cls, kind: str, size: int, files: int = 1) -> None:
        """Count files kept (or removed, with negative numbers) as it happens."""
        if not cls.objects.filter(kind=kind).update(bytes=F("bytes") + size,
                                                    files=F("files") + files):  # fmt: skip
            cls.objects.get_or_create(kind=kind, defaults={"bytes": max(size, 0),
                                                           "files": max(files, 0)})  # fmt: skip

    @classmethod
    def set(cls, kind: str, size: int, files: int) -> None:
        cls.objects.update_or_create(
            kind=kind, defaults={"bytes": size, "files": files, "measured_at": timezone.now()}
        )
