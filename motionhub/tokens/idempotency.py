"""`Idempotency-Key` for API POSTs: the same key and request answer the first answer again.

    from motionhub.tokens import idempotency

    try:
        answer = idempotency.once(
            request.user, key, idempotency.fingerprint_of(request), make_response
        )
    except idempotency.KeyReused:       # same key, another request: answer 422
        ...
    except idempotency.BadKey:          # empty or longer than 255 characters: answer 400
        ...
    answer.status, answer.body, answer.replayed

`make_response()` does the work and returns `(status, json_body)`. It runs inside the same
database transaction as the insert of the key's row, so:

- two concurrent requests with one key: the second one's insert waits on the unique
  (owner, key) index until the first commits, then collides and answers the first's stored
  answer — one task, never two (on SQLite writers are serialised, with the same result);
- an exception in `make_response` rolls everything back, key included: a retry runs afresh;
- a 5xx answer is not kept either (the work is rolled back, a retry may succeed).

Keys are per person and kept 24 hours (KEPT); older ones are removed on the person's next
keyed request, which then starts afresh. A body too large to hold in memory (an upload) is
fingerprinted as it streams: `fingerprint_hasher(method, path)`, `.update(chunk)`,
`.hexdigest()` gives what `fingerprint()` would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motionhub.tokens.models import IdempotencyKey

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

KEPT = timedelta(hours=24)
MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"


class KeyReused(Exception):
    """The key was used before for another request (method, path or body differ)."""


class BadKey(ValueError):
    """An empty key, or one longer than MAX_KEY_LENGTH."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool  # True: the stored answer of an earlier request with this key


class _ServerError(Exception):
    """Carries a 5xx answer out of the transaction, so its work is rolled back."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def fingerprint_of(request: HttpRequest) -> str:
    return fingerprint(request.method or "", request.get_full_path(), request.body)


def key_of(request: HttpRequest) -> str | None:
    """The request's Idempotency-Key, or None when it sent none; BadKey when it is unusable."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadKey(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
    return key


def once(
    user: AbstractBaseUser,
    key: str,
    fingerprint: str,
    make_response: Callable[[], tuple[int, Any]],
) -> Answer:
    """Run `make_response` once per (user, key); see the module docstring."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadKey(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
    IdempotencyKey.objects.filter(owner=user, created_at__lt=timezone.now() - KEPT).delete()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # a savepoint: the collision leaves the rest usable
                    row = IdempotencyKey.objects.create(
                        owner=user, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                row = None
            if row is None:
                return _replay(user, key, fingerprint)
            status, body = make_response()
            if status >= 500:
                raise _ServerError(status, body)
            row.status, row.body = status, body
            row.save(update_fields=["status", "body"])
            return Answer(status, body, replayed=False)
    except _ServerError as failed:
        return Answer(failed.status, failed.body, replayed=False)


def _replay(user: AbstractBaseUser, key: str, fingerprint: str) -> Answer:
    row = IdempotencyKey.objects.get(owner=user, key=key)
    if row.fingerprint != fingerprint:
        raise KeyReused(f"This {HEADER} was used for another request.")
    return Answer(row.status, row.body, replayed=True)


def fingerprint_hasher(method: str, path: str):
    """An incremental `fingerprint`: feed the body with `.update(chunk)`, read `.hexdigest()`.
    For a body too large to hold in memory (an upload), hashed as it is stored."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), b"\n", path.encode(), b"\n"):
        digest.update(part)
    return digest
