"""The named django-q2 schedules MotionHub relies on, created idempotently after `migrate`.

Each schedule is keyed by its name, so running migrate again (or on several hosts) never
duplicates one; changing an entry here updates the stored schedule.
"""

from __future__ import annotations

from django.conf import settings

SCHEDULES = {
    # Dispatches queued tasks, polls submitted ones and rescues stranded ones (heartbeat.py).
    "motionhub: task heartbeat": {"func": "motionhub.tasks.heartbeat.run", "minutes": 1},
    "motionhub: sync accounts": {
        "func": "motionhub.accounts.jobs.sync_all",
        "minutes": 10,
    },
    # Reads every enabled account (GET /accounts/{email}): recovery, balance, session.
    "motionhub: account health": {
        "func": "motionhub.accounts.health.check_all",
        "minutes": settings.MOTIONHUB_HEALTH_CHECK_MINUTES,
    },
    # Opens an alert for each new condition and resolves those that cleared (motionhub.alerts).
    "motionhub: alerts": {"func": "motionhub.alerts.jobs.evaluate", "minutes": 1},
    # useapi.net's usage statistics per connection, beside our own figures (motionhub.usage).
    "motionhub: upstream usage": {"func": "motionhub.usage.jobs.read_all", "minutes": 30},
    # Archives again the results whose download failed, when due (motionhub.archive.jobs).
    "motionhub: archive sweep": {"func": "motionhub.archive.jobs.sweep", "minutes": 5},
    # Removes inputs and kept results past their retention, measures the space used (daily).
    "motionhub: storage retention": {
        "func": "motionhub.archive.retention.apply",
        "schedule_type": "D",  # django_q Schedule.DAILY
    },
    # Re-reads every enabled account's motions library (motionhub.library.jobs).
    "motionhub: refresh motion libraries": {
        "func": "motionhub.library.jobs.refresh_all",
        "minutes": 15,
    },
}
SANDBOX_SCHEDULES = {
    # Dispatches queued tasks, polls submitted ones and rescues stranded ones (heartbeat.py).
    "motionhub: task heartbeat": {"func": "motionhub.tasks.heartbeat.run", "minutes": 1},
    # Advances sandbox tasks and sends their callbacks even when nobody polls them.
    "motionhub: sandbox tick": {"func": "motionhub.sandbox.jobs.tick", "minutes": 1},
}


def ensure_schedules(**kwargs) -> None:
    from django_q.models import Schedule

    wanted = dict(SCHEDULES)
    if settings.MOTIONHUB_SANDBOX:
        wanted.update(SANDBOX_SCHEDULES)
    for name, spec in wanted.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": spec["func"],
                "schedule_type": spec.get("schedule_type", Schedule.MINUTES),
                "minutes": spec.get("minutes"),
                "repeats": -1,
            },
        )
    Schedule.objects.filter(name__in=SANDBOX_SCHEDULES).exclude(name__in=wanted).delete()
