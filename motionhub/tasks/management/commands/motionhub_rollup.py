"""Recount the home page's per-day task counts (TaskDayCount) from the tasks.

Never needed in normal running: every task creation and state change keeps them in step. Run it
after changing TIME_ZONE (the rows are keyed by the local day), after an upgrade during which
workers of the old version kept running, or after loading tasks in bulk.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from motionhub.tasks import rollup


class Command(BaseCommand):
    help = "Recount the home page's per-day task counts from the tasks."

    def handle(self, *args, **options):
        counted = rollup.rebuild()
        self.stdout.write(f"Counted {counted} tasks by local day and outcome.")
