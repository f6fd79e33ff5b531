"""Tasks per local day and outcome (TaskDayCount): the rows, and how a change counts.

The write side of rollup.py, below the task model so that saving a new task can count it in
the same transaction (MotionTask.save) and timeline.move can recount a state change; reading
the rows and recounting them from the tasks live in rollup.py.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from motionhub.tasks.states import IN_PROGRESS, STATE_GROUPS


class TaskDayCount(models.Model):
    """How many of the tasks created on `day` (in the site's TIME_ZONE) are now in each outcome.

    The home page's counts and 30-day chart read about 30 of these rows instead of counting
    tasks, so it costs the same with a million tasks as with ten. One row per day, one column
    per outcome of the home page (dashboard.OUTCOMES): a task moving between outcomes changes
    one row. Kept in step with the tasks by the functions below, inside the transaction that
    creates a task or changes its state.
    """

    # The outcome columns, in the home page's order; each is also the outcome's key.
    OUTCOMES = ("succeeded", "failed", "rejected", "canceled", "needs_attention", "in_progress")

    # Unique: the upsert's conflict target, and the index of the home page's range scan.
    day = models.DateField(unique=True)
    succeeded = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    canceled = models.BigIntegerField(default=0)
    needs_attention = models.BigIntegerField(default=0)
    in_progress = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: " + ", ".join(f"{o} {getattr(self, o)}" for o in self.OUTCOMES)


_LIVE = frozenset(STATE_GROUPS[IN_PROGRESS].states)


def outcome_of(state: str) -> str:
    """The home page's outcome of a state: a settled state is its own, live ones are one."""
    return IN_PROGRESS if state in _LIVE else str(state)


def day_of(moment: datetime) -> date:
    # The site's zone, not the active one: a count must not depend on who caused it.
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def start_of_day(day: date) -> datetime:
    """The first moment of `day` in the site's zone (what day_of maps back to `day`)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def counted_new(created_at: datetime, state: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Count a new task. Call inside the transaction that inserts it."""
    _apply(day_of(created_at), {outcome_of(state): 1}, using)


def moved(
    created_at: datetime, from_state: str, to_state: str, *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Recount a task that changed state. Call inside the transaction that changes it."""
    before, after = outcome_of(from_state), outcome_of(to_state)
    if before != after:
        _apply(day_of(created_at), {before: -1, after: 1}, using)


def _apply(day: date, deltas: dict[str, int], using: str) -> None:
    """Add the deltas to the day's row, creating it if need be: one statement, one row.

    Every column is named, with 0 for those that do not change, so the statement is the same
    whatever the change (and one row per change means no lock-order deadlocks).
    """
    connection = connections[using]
    sql = _UPSERT.get(connection.vendor) or _upsert_sql(connection)
    params = [connection.ops.adapt_datefield_value(day)]
    params += [deltas.get(outcome, 0) for outcome in TaskDayCount.OUTCOMES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_UPSERT: dict[str, str] = {}


def _upsert_sql(connection) -> str:
    quote = connection.ops.quote_name
    table = quote(TaskDayCount._meta.db_table)
    columns = [quote(outcome) for outcome in TaskDayCount.OUTCOMES]
    # `excluded` is the row the INSERT proposed; PostgreSQL and SQLite both spell it so.
    sql = (
        f"INSERT INTO {table} ({quote('day')}, {', '.join(columns)}) "  # noqa: S608 - our names
        f"VALUES (%s{', %s' * len(columns)}) ON CONFLICT ({quote('day')}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    )
    _UPSERT[connection.vendor] = sql
    return sql
