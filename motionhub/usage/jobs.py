"""Reads useapi.net's usage statistics (GET /v2/account/stats?bot=kling) into UpstreamUsage.

The schedule (`motionhub: upstream usage`) enqueues one job per connection, so one slow or
broken connection never holds up the others. Each job reads today and yesterday (UTC, useapi's
days): the figures arrive 5 to 15 minutes late, so yesterday's last minutes are only complete
after midnight. A failed read keeps the figures already stored and records why.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django_q.tasks import async_task

from motionhub.accounts.models import Connection
from motionhub.core import crypto
from motionhub.usage.models import UpstreamUsage
from motionhub.useapi import UseapiError

log = logging.getLogger(__name__)


def read_all() -> int:
    """Scheduled: one read job per connection. Returns how many were enqueued."""
    ids = list(Connection.objects.values_list("pk", flat=True))
    for pk in ids:
        async_task("motionhub.usage.jobs.read_upstream_usage", pk, task_name=f"usage-{pk}")
    return len(ids)


def days_to_read(now: datetime | None = None) -> list[date]:
    today = (now or timezone.now()).astimezone(UTC).date()
    return [today - timedelta(days=1), today]


def read_upstream_usage(connection_id: int) -> int:
    """Read and store the connection's figures for yesterday and today; days stored."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return 0
    try:
        client = connection.client()
    except crypto.DecryptionError:
        log.warning("upstream usage: connection %s has an unreadable token", connection_id)
        return 0
    stored = 0
    try:
        for day in days_to_read():
            try:
                stats = client.account_stats(day=day)
            except UseapiError as exc:
                UpstreamUsage.objects.update_or_create(
                    connection_id=connection_id, day=day, defaults={"error": exc.explained[:500]}
                )
                continue
            UpstreamUsage.objects.update_or_create(
                connection_id=connection_id,
                day=day,
                defaults={
                    "requests": stats.total,
                    "by_account": stats.by_config,
                    "by_code": stats.by_code,
                    "by_endpoint": stats.by_endpoint,
                    "success_rate": stats.success_rate,
                    "avg_msec": stats.avg_msec if (stats.avg_msec or 0) >= 0 else None,
                    "read_at": timezone.now(),
                    "error": "",
                },
            )
            stored += 1
    finally:
        client.close()
    return stored
