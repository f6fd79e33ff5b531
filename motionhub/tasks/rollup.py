"""Tasks per local day and outcome (TaskDayCount), kept in step with the tasks themselves.

The home page shows how many tasks were created today, in the last 7 days and on each of the
last 30 days, by the outcome they are in now. Counting tasks for that on every load grows with
the history; these rows do not: a day has at most one row per outcome.

A task is counted once, on the local day of its `created_at` (the site's TIME_ZONE), under the
outcome of its current state. Creating a task adds 1 (MotionTask.save); a state change that
changes the outcome moves 1 from the old outcome to the new one (timeline.move). Changes
between live states (queued → uploading → … → processing) are all "in progress": no write.

Each change is one `INSERT … ON CONFLICT DO UPDATE SET n = n + delta` inside the transaction
that changes the task. The database applies it atomically (PostgreSQL and SQLite alike), so
workers on any number of hosts can count at once without a read-modify-write race, and a state
change that rolls back takes its count with it.

`rebuild` recounts everything from the tasks: after a bulk load (bench/seed.py), or after
changing TIME_ZONE (`manage.py motionhub_rollup`), since rows are keyed by the local day.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max, Min

from motionhub.tasks.daycount import TaskDayCount, day_of, outcome_of, start_of_day
from motionhub.tasks.models import MotionTask

# --- reading -----------------------------------------------------------------------------------


def read_since(first: date, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """(day, *counts in TaskDayCount.OUTCOMES order) for every day from `first` on.

    Plain SQL, as `_apply` is: the home page runs this on every load, and for a one-table
    range read the ORM's query building would cost several times the read itself.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("day", *TaskDayCount.OUTCOMES))
    table = quote(TaskDayCount._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE {quote('day')} >= %s"  # noqa: S608 - our names
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(first)])
        rows = cursor.fetchall()
    # PostgreSQL answers dates; SQLite too through Django's converter, ISO text without it.
    return [(_as_date(day), *counts) for day, *counts in rows]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- recounting from the tasks -----------------------------------------------------------------


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Replace every TaskDayCount with a fresh count of the tasks; returns the tasks counted.

    One transaction, which on PostgreSQL first locks the counts against writers: a state change
    committed before the lock is in the recount, one after it waits for the lock and then adds
    its delta on top. (SQLite's single write lock gives the same order.)
    """
    tasks = MotionTask.objects.using(using)
    with transaction.atomic(using=using):
        _lock_counts(using)
        TaskDayCount.objects.using(using).all().delete()
        span = tasks.aggregate(first=Min("created_at"), last=Max("created_at"))
        if span["first"] is None:
            return 0
        counted = 0
        day, last = day_of(span["first"]), day_of(span["last"])
        rows = []
        while day <= last:
            counts = count_day(tasks, day)
            if counts:
                rows.append(TaskDayCount(day=day, **counts))
                counted += sum(counts.values())
            day += timedelta(days=1)
        TaskDayCount.objects.using(using).bulk_create(rows, batch_size=500)
    return counted


def count_day(tasks, day: date) -> dict[str, int]:
    """Tasks created on local `day`, by outcome: one grouped range query on created_at."""
    after = start_of_day(day + timedelta(days=1))
    rows = (
        tasks.filter(created_at__gte=start_of_day(day), created_at__lt=after)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for state, n in rows:
        outcome = outcome_of(state)
        counts[outcome] = counts.get(outcome, 0) + n
    return counts


def _lock_counts(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(TaskDayCount._meta.db_table)
        with connection.cursor() as cursor:
            # Conflicts with the ROW EXCLUSIVE lock every INSERT takes; reads go on.
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
