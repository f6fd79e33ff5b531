"""The whole database as text: every row of every table, for "did anything change" and "is this
secret stored anywhere" checks."""

from __future__ import annotations

import base64
import contextlib
import zlib

from django.db import connection


def tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def rows(table: str) -> list[tuple]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
        return sorted(cursor.fetchall(), key=repr)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (for comparing before and after)."""
    return {table: rows(table) for table in tables()}


def _texts(value) -> list[str]:
    """A stored value as every text it could be read as: itself, bytes decoded, and base64 or
    zlib payloads (django-q2 keeps pickles in base64, signing compresses) unpacked."""
    if value is None:
        return []
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        found = [value.decode("latin-1")]
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(value).decode("latin-1"))
        return found
    text = str(value)
    found = [text]
    for chunk in _base64_chunks(text):
        found += _texts(chunk)
    return found


def _base64_chunks(text: str) -> list[bytes]:
    out = []
    for part in text.replace(":", " ").replace(".", " ").split():
        if len(part) < 16:
            continue
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                out.append(decode(padded))
                break
            except (ValueError, TypeError):
                continue
    return out


def everything_as_text() -> str:
    """All rows of all tables, each value also read through base64/zlib, plus django-q2's
    pickled task arguments and results as Python sees them."""
    parts = []
    for table in tables():
        for row in rows(table):
            for value in row:
                parts.extend(_texts(value))
    parts.extend(_django_q_objects())
    parts.extend(_sessions())
    return "\n".join(parts)


def _django_q_objects() -> list[str]:
    from django_q.models import OrmQ, Schedule, Task

    found = []
    for task in Task.objects.all():
        found += [repr(task.args), repr(task.kwargs), repr(task.result)]
    for queued in OrmQ.objects.all():
        try:
            found.append(repr(queued.task))
        except Exception as exc:  # a payload signed with another key: show why
            found.append(f"(unreadable OrmQ payload: {exc})")
    for schedule in Schedule.objects.all():
        found += [schedule.args or "", schedule.kwargs or ""]
    return found


def _sessions() -> list[str]:
    from django.contrib.sessions.models import Session

    return [repr(session.get_decoded()) for session in Session.objects.all()]
