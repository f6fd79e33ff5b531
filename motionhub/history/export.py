"""The task history as CSV: exactly the filtered rows of the page, streamed in chunks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import CharField
from django.db.models.functions import Cast

from motionhub.tasks.models import MotionTask

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.models import QuerySet

CSV_HEADER = (
    "id",
    "kind",
    "name",
    "account",
    "account_email",
    "submitted_by",
    "state",
    "error_category",
    "error_message",
    "upstream_task_id",
    "upstream_status",
    "created_at_utc",
    "finished_at_utc",
    "duration_s",
)
# Times are read as text in UTC ("YYYY-MM-DD HH:MM:SS…", which both SQLite and PostgreSQL give
# for a cast): turning 200 000 values into datetimes and back to text would be most of the
# export's time. A spreadsheet reads that format as a date and time.
_CSV_ROWS = MotionTask.objects.values_list(
    "id",
    "kind",
    "name",
    "account__label",
    "account__email",
    "submitted_by__username",
    "state",
    "error_category",
    "error_message",
    "upstream_task_id",
    "upstream_status",
    Cast("created_at", output_field=CharField()),
    Cast("finished_at", output_field=CharField()),
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a
# leading single quote makes it show the cell as text instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_rows() -> QuerySet:
    """Every task as export rows, ready for `Filters.apply` and `export_rows`."""
    return _CSV_ROWS.all()


def export_rows(rows: QuerySet) -> Iterator[tuple]:
    """Every row of `rows` (from `csv_rows`, filtered), newest first, as CSV_HEADER tuples.

    Rows are read from the database in chunks, so memory stays flat whatever their number.
    Every cell of people's or upstream's text that could run as a formula gets its quote; the
    loop runs once per task, so the check is written inline rather than as a call per cell.
    """
    risky = _FORMULA_STARTS
    parse = datetime.fromisoformat
    for (pk, kind, name, label, email, who, state, category, message, upstream_id,
         upstream_status, created, finished) in rows.order_by("-created_at", "-id").iterator(
        chunk_size=2000
    ):  # fmt: skip
        created = created[:19]
        seconds = ""
        if finished:
            finished = finished[:19]
            seconds = int((parse(finished) - parse(created)).total_seconds())
        account = label or email or ""
        email = email or ""
        who = who or ""
        yield (
            pk,
            kind,
            "'" + name if name.startswith(risky) else name,
            "'" + account if account.startswith(risky) else account,
            "'" + email if email.startswith(risky) else email,
            "'" + who if who.startswith(risky) else who,
            state,
            "'" + category if category.startswith(risky) else category,
            "'" + message if message.startswith(risky) else message,
            "" if upstream_id is None else upstream_id,
            "'" + upstream_status if upstream_status.startswith(risky) else upstream_status,
            created,
            finished or "",
            seconds,
        )
