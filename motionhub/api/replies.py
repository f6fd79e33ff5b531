"""Answering a write: once per Idempotency-Key (motionhub.tokens.idempotency), as JSON.

Every POST handler hands its work to `once(request, work)`, where `work()` returns
`(status, body)` or raises a `Problem`. Without the header the work simply runs. With it, the
work runs inside `idempotency.once`: the same key and request answer the stored first answer
again (refusals included, so a replay never does work the first request was refused), another
request with the key is a 422 problem, and two at once make one answer (the database's
unique key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from motionhub.api.problems import Problem, answer
from motionhub.tokens import idempotency

REPLAYED = "Idempotent-Replayed"


def once(request: HttpRequest, work: Callable[[], tuple[int, Any]]) -> HttpResponse:
    try:
        key = idempotency.key_of(request)
    except idempotency.BadKey as exc:
        raise Problem(400, str(exc), kind="bad-idempotency-key") from exc
    if key is None:
        return answer(*work())
    try:
        done = idempotency.once(request.user, key, fingerprint(request), lambda: _kept(work))
    except idempotency.KeyReused as exc:
        raise Problem(422, str(exc), kind="idempotency-key-reused") from exc
    response = answer(done.status, done.body)
    if done.replayed:
        response[REPLAYED] = "true"
    return response


def _kept(work: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The work's answer, a refusal as its problem body (kept and replayed like a success)."""
    try:
        return work()
    except Problem as problem:
        return problem.status, problem.body()


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path and body.

    A multipart body is read by its parts, not as raw bytes: its boundary differs from one
    send to the next, and a big upload must not be read into memory. Fields and files are
    hashed in name order, each file by its name, type and content (read in chunks).
    """
    if not request.content_type.startswith("multipart/"):
        return idempotency.fingerprint_of(request)
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            digest.update(f"field\0{name}\0{value}\0".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"file\0{name}\0{upload.name}\0{upload.content_type}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return idempotency.fingerprint(
        request.method or "", request.get_full_path(), digest.hexdigest().encode()
    )
