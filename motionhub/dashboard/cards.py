"""The home page's account cards: each account's load, credits and session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import connection

from motionhub.accounts.models import Connection, KlingAccount, health_label, health_now
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
    health: str  # what a person reads: active, cooling_down, needs_relogin, … or disabled
    health_label: str
    health_reason: str  # why, when not active
    link: str


# The page's queries are plain SQL, portable as written (PostgreSQL and SQLite): each runs on
# every load, and building and compiling them in the ORM cost several times what the database
# takes to answer (in `make bench`, 0.5 ms against 0.07 ms for the failures; the ORM versions
# made up half the page). Table and column names come from the models.


_ACCOUNT_FIELDS = (
    "id", "label", "email", "enabled", "max_jobs", "slots_in_use", "credits",
    "session_expires_at", "last_error", "removed_at", "health", "health_until", "health_reason",
)  # fmt: skip


def accounts() -> list[tuple]:
    """Every account, removed ones included (the failures name them too), in the admin's
    order, as (id, label, email, connection name, enabled, max_jobs, slots_in_use, credits,
    session_expires_at, last_error, removed_at, health, health_until, health_reason,
    in_flight): one query, the tasks holding a slot counted in it (only live tasks are read,
    through the in-flight index, whatever the history).
    """
    return [
        (pk, label, email, connection_name, bool(enabled), max_jobs, slots, credits,
         aware(expires), error, removed, health, aware(until), reason, busy or 0)
        for pk, label, email, enabled, max_jobs, slots, credits, expires, error, removed,
        health, until, reason, connection_name, busy in fetch(*_accounts_sql(connection.vendor))
    ]  # fmt: skip


@lru_cache(maxsize=4)
def _accounts_sql(_vendor: str) -> tuple[str, list[str]]:
    fields = columns(KlingAccount, _ACCOUNT_FIELDS, "a")
    conn, table = Connection._meta, q(MotionTask._meta.db_table)
    states = ", ".join(["%s"] * len(IN_FLIGHT))
    sql = (
        f"SELECT {fields}, c.{q('name')}, f.n FROM {q(KlingAccount._meta.db_table)} a "  # noqa: S608
        f"JOIN {q(conn.db_table)} c ON c.{q(conn.pk.column)} = a.{q('connection_id')} "
        f"LEFT JOIN (SELECT {q('account_id')} AS account, COUNT(*) AS n FROM {table} "
        f"WHERE {q('state')} IN ({states}) GROUP BY {q('account_id')}) f "
        f"ON f.account = a.{q('id')} "
        f"ORDER BY c.{q('name')}, a.{q('email')}"
    )
    return sql, [state.value for state in IN_FLIGHT]


def account_names(rows: list[tuple]) -> dict[int, str]:
    return {row[0]: row[1] or row[2] for row in rows}


def account_cards(prefix: str, now: datetime, rows: list[tuple]) -> list[AccountCard]:
    """Cards for the active accounts among `rows` (from `accounts`), nothing more read."""
    cards = []
    for row in rows:
        (pk, label, email, conn, enabled, max_jobs, slots, credits, expires, error, removed,
         health, until, reason, in_flight) = row  # fmt: skip
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
                in_flight=in_flight,
                session_warning=warning,
                health=(state := health_now(enabled, health, until)),
                health_label=health_label(state, until),
                health_reason=reason if state != "active" else "",
                # Numbers and ISO dates need no URL encoding (urlencode, 60 times a page, would).
                link=f"{prefix}?account={pk}",
            )
        )
    return cards
