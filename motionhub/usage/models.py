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
