"""What one task spent, as the upstream reported its account's balance around it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TaskSpend(models.Model):
    task = models.OneToOneField(
        "motions.MotionTask", on_delete=models.CASCADE, related_name="spend"
    )
    # The account's balance (`userPoints.total`, upstream's units) in the create call's answer
    # and in the final reading; null where the upstream did not say.
    balance_before = models.BigIntegerField(null=True, blank=True)
    balance_after = models.BigIntegerField(null=True, blank=True)
    # before - after when both are known (other tasks on the account may share the difference).
    credits = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.credits}"


class UpstreamUsage(models.Model):
    """useapi.net's own figures for one connection and one (UTC) day: GET /v2/account/stats.

    Read by jobs.read_upstream_usage; they count every request useapi saw (reads included),
    so they stand beside our task counts rather than replace them.
    """

    connection = models.ForeignKey(
        "accounts.Connection", on_delete=models.CASCADE, related_name="upstream_usage"
    )
    day = models.DateField()
    requests = models.PositiveIntegerField(null=True, blank=True)  # `total`
    by_account = models.JSONField(default=dict)  # summary.by_config: {email: requests}
    by_code = models.JSONField(default=dict)  # {"200": n, "429": n, ...}
    by_endpoint = models.JSONField(default=dict)
    success_rate = models.FloatField(null=True, blank=True)  # percent
    avg_msec = models.PositiveIntegerField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # the last good read
    error = models.TextField(blank=True)  # the last read's failure, "" once one succeeds

    class Meta:
        ordering = ["-day", "connection_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "day"], name="upstream_usage_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.day}: {self.requests}"
