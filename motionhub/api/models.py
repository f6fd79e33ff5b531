"""The API's own state: each person's request count per minute (MOTIONHUB_API_RATE)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RateWindow(models.Model):
    """How many API requests one person made in one fixed minute.

    In the database rather than Django's cache: the default cache is per process, and the
    default set-up runs several web processes on SQLite with no shared cache server, so only
    the database sees every request of a person.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()  # whole minutes since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "minute"], name="api_one_window_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} @ {self.minute}: {self.count}"
