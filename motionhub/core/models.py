from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone


class Lease(models.Model):
    """A named, expiring lock held in the database, so it holds across processes and hosts.

    Used for work that must run in one place at a time (the task heartbeat loop).
    """

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at}"

    @classmethod
    def acquire(cls, name: str, holder: str, seconds: float) -> bool:
        now = timezone.now()
        until = now + timedelta(seconds=seconds)
        taken = (
            cls.objects.filter(name=name)
            .filter(models.Q(expires_at__lt=now) | models.Q(holder=holder))
            .update(holder=holder, expires_at=until)
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                cls.objects.create(name=name, holder=holder, expires_at=until)
        except IntegrityError:
            return False  # someone else holds it
        return True

    @classmethod
    def renew(cls, name: str, holder: str, seconds: float) -> bool:
        """Extend a lease this holder still has, to `seconds` from now; False when it is lost.

        Lost means expired (and perhaps taken by someone else) or released: the caller must stop
        the work the lease guarded, since another process may be doing it now.
        """
        now = timezone.now()
        return bool(
            cls.objects.filter(name=name, holder=holder, expires_at__gte=now).update(
                expires_at=now + timedelta(seconds=seconds)
            )
        )

    @classmethod
    def release(cls, name: str, holder: str) -> None:
        cls.objects.filter(name=name, holder=holder).delete()
