"""The home page's account cards: each account's load, credits and session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.dashboard.sql import aware, columns, fetch, q
from motionhub.tasks.models import IN_FLIGHT, MotionTask

SESSION_WARNING = timedelta(days=3)


@dataclass(frozen=True)  # hashable: the page keeps the markup of unchanged cards
class AccountCard:
    pk: int
    name: str  # the label, or the email
    email: str
    connection: str
    enabled: bool
    max_jobs: int
    slots_in_use: int  # as Kling reports it
    credits: int | None
    session_expires_at: datetime | None
    last_error: str
    in_flight: int  # as our own tasks say
    session_warning: str  # "" | "expired" | "soon"
    link: str


# The page's queries are plain SQL, portable as written (PostgreSQL and SQLite): each runs on
# every load, and building and compiling them in the ORM cost several times what the database
# takes to answer (in `make bench`, 0.5 ms against 0.07 ms for the failures; the ORM versions
# made up half the page). Table and column names come from the models.


_ACCOUNT_FIELDS = (
    "id", "label", "email", "enabled", "max_jobs", "slots_in_use", "credits",
    "session_expires_at", "last_error", "removed_at",
)  # fmt: skip


def accounts() -> list[tuple]:
    """Every account, removed ones included (the failures name them too), in the admin's
    order, as (id, label, email, connection name, enabled, max_jobs, slots_in_use, credits,
    session_expires_at, last_error, removed_at): one query.
    """
    fields = columns(KlingAccount, _ACCOUNT_FIELDS, "a")
    conn = Connection._meta
    sql = (
        f"SELECT {fields}, c.{q('name')} FROM {q(KlingAccount._meta.db_table)} a "  # noqa: S608
        f"JOIN {q(conn.db_table)} c ON c.{q(conn.pk.column)} = a.{q('connection_id')} "
        f"ORDER BY c.{q('name')}, a.{q('email')}"
    )
    return [
        (pk, label, email, connection_name, bool(enabled), max_jobs, slots, credits,
         aware(expires), error, removed)
        for pk, label, email, enabled, max_jobs, slots, credits, expires, error, removed,
        connection_name in fetch(sql)
    ]  # fmt: skip


def _in_flight() -> dict[int, int]:
    """Tasks holding a slot, per account: only live tasks are read, whatever the history."""
    states = ", ".join(["%s"] * len(IN_FLIGHT))
    table, account = q(MotionTask._meta.db_table), q("account_id")
    sql = (
        f"SELECT {account}, COUNT(*) FROM {table} "  # noqa: S608 - our names
        f"WHERE {q('state')} IN ({states}) GROUP BY {account}"
    )
    return dict(fetch(sql, [state.value for state in IN_FLIGHT]))


def account_names(rows: list[tuple]) -> dict[int, str]:
    return {row[0]: row[1] or row[2] for row in rows}


def account_cards(prefix: str, now: datetime, rows: list[tuple]) -> list[AccountCard]:
    """Cards for the active accounts among `rows`, with their in-flight counts: one query."""
    busy = _in_flight()
    cards = []
    for row in rows:
        pk, label, email, conn, enabled, max_jobs, slots, credits, expires, error, removed = row
        if removed is not None:
            continue
        warning = ""
        if expires is not None:
            warning = (
                "expired" if expires <= now else "soon" if expires - now <= SESSION_WARNING else ""
            )
        cards.append(
            AccountCard(
                pk=pk,
                name=label or email,
                email=email,
                connection=conn,
                enabled=enabled,
                max_jobs=max_jobs,
                slots_in_use=slots,
                credits=credits,
                session_expires_at=expires,
                last_error=error,
                in_flight=busy.get(pk, 0),
                session_warning=warning,
                # Numbers and ISO dates need no URL encoding (urlencode, 60 times a page, would).
                link=f"{prefix}?account={pk}",
            )
        )
    return cards
