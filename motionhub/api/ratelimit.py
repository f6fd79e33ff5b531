"""Each person's own rate limit: MOTIONHUB_API_RATE requests per minute (0: no limit).

A fixed-window counter in the database (`RateWindow`), so every web process counts the same
requests: one conditional UPDATE per request, an INSERT for the minute's first. A refused
request is told when the window ends (`Retry-After`).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from motionhub.api.models import RateWindow

WINDOW_SECONDS = 60


def hit(user) -> int | None:
    """Count one request of `user`; None when it is allowed, else the seconds to wait."""
    limit = settings.MOTIONHUB_API_RATE
    if not limit:
        return None
    now = time.time()
    minute = int(now // WINDOW_SECONDS)
    count = _count(user, minute)
    if count <= limit:
        return None
    return max(1, math.ceil((minute + 1) * WINDOW_SECONDS - now))


def _count(user, minute: int) -> int:
    with transaction.atomic():
        window = RateWindow.objects.filter(owner=user, minute=minute)
        if not window.update(count=F("count") + 1):
            try:
                with transaction.atomic():  # a savepoint: another process may insert it first
                    RateWindow.objects.create(owner=user, minute=minute, count=1)
            except IntegrityError:
                window.update(count=F("count") + 1)
            else:
                # The minute's first request tidies the person's older windows away.
                RateWindow.objects.filter(owner=user, minute__lt=minute).delete()
                return 1
        return window.values_list("count", flat=True).get()
