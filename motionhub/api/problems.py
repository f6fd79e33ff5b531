"""Errors as RFC 9457 problem details (`application/problem+json`).

Every refusal of the API is a `Problem`: `type` (a URN naming the kind of problem, stable for
scripts to branch on), `title` (the same for every problem of that type), `status`, `detail`
(what happened this time, in words for a person) and, for field errors, `errors`: a list of
`{"field": …, "detail": …}`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"
_TYPE = "urn:motionhub:problem:"

# type slug → title; a Problem given no slug gets its status's own (e.g. "not-found").
TITLES = {
    "bad-request": "The request could not be read",
    "unauthorized": "A valid API token is needed",
    "forbidden": "Your role does not allow this",
    "not-found": "Not found",
    "conflict": "This cannot be done in the current state",
    "invalid": "Some fields are not valid",
    "rate-limited": "Too many requests",
    "idempotency-key-reused": "This Idempotency-Key was used for another request",
    "bad-idempotency-key": "The Idempotency-Key header is not usable",
}
_BY_STATUS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
              409: "conflict", 422: "invalid", 429: "rate-limited"}  # fmt: skip


class Problem(Exception):
    """An API refusal; raise it from a handler (or its helpers) and the API answers it."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.kind = kind or _BY_STATUS.get(status, "")
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        title = TITLES.get(self.kind) or HTTPStatus(self.status).phrase
        body: dict[str, Any] = {
            "type": _TYPE + self.kind if self.kind else "about:blank",
            "title": title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> JsonResponse:
        return answer(self.status, self.body(), headers=self.headers)


def field_errors(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """A Django form's errors (field → messages) as the problem's `errors` list."""
    return [
        {"field": "" if field == "__all__" else field, "detail": message}
        for field, messages in errors.items()
        for message in messages
    ]


def invalid(errors: dict[str, list[str]], detail: str = "") -> Problem:
    found = field_errors(errors)
    return Problem(422, detail or "; ".join(e["detail"] for e in found), errors=found)


def answer(status: int, body: Any, *, headers: dict[str, str] | None = None) -> JsonResponse:
    """A JSON answer; a problem's content type for every 4xx and 5xx."""
    content_type = CONTENT_TYPE if status >= 400 else "application/json"
    response = JsonResponse(body, status=status, safe=False, content_type=content_type)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
