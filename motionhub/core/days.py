"""Whole days in the site's time zone, as the history's filters and the home page count them."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone


def start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
