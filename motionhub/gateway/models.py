"""Files sent to the gateway's POST /assets, kept here until a task uses them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Asset(models.Model):
    """One image or video a script uploaded. Checked like the forms' files when it arrived;
    copied into each task that uses it (a task owns its inputs), uploaded upstream by that
    task's submission only."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="gateway/assets/%Y/%m/")
    # A frame of a video, what useapi's answer calls coverUrl (motion-upload needs one).
    cover = models.FileField(upload_to="gateway/covers/%Y/%m/", blank=True)
    # What media measured: content_type, size, width, height (and duration_s for a video).
    info = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} asset #{self.pk}"

    @property
    def label(self) -> str:
        return f"API {self.kind} #{self.pk}"
