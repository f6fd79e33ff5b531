"""Refusals: any answer other than success, raised inside a view and turned into a response once.

Bodies follow the reference: `{"error": …}` (some with `code` or `message`), a few plain text.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse


class Refusal(Exception):
    def __init__(
        self,
        status: int,
        error: str | dict,
        *,
        headers: dict[str, str] | None = None,
        plain: bool = False,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.body = error if isinstance(error, dict) or plain else {"error": error}
        self.headers = headers or {}
        self.plain = plain

    def response(self) -> HttpResponse:
        if self.plain:
            return HttpResponse(
                self.body,
                status=self.status,
                content_type="text/plain; charset=utf-8",
                headers=self.headers,
            )
        return JsonResponse(self.body, status=self.status, headers=self.headers)


def unauthorized() -> Refusal:
    return Refusal(401, {"error": "Unauthorized", "code": 401})


def subscription_required() -> Refusal:
    return Refusal(402, {"error": "Subscription required", "code": 402})


def not_configured() -> Refusal:
    # Documented as plain text, not JSON, on the accounts pages.
    return Refusal(
        404, "Kling configuration not found, use POST /accounts to add a Kling account", plain=True
    )


def account_not_found(email: str) -> Refusal:
    return Refusal(404, f"Account {email} not found")


def resource_not_found() -> Refusal:
    # Exact body from the motion-upload spec (seed).
    return Refusal(
        404,
        {
            "error": "Sorry, the requested resource was not found (VALID.ResourceNotFound)",
            "message": "Not Found",
        },
    )


def unavailable() -> Refusal:
    return Refusal(
        503,
        {"error": "Service temporarily unavailable, retry later", "code": 503},
        headers={"Retry-After": "1"},
    )


def internal_error() -> Refusal:
    return Refusal(500, "Internal error")


def no_free_slot(detail: str) -> Refusal:
    return Refusal(429, f"All slots busy: {detail}. Retry later")


def bad_gateway() -> Refusal:
    # What a gateway in front of the service answers: plain text, not useapi's JSON.
    return Refusal(502, "502 Bad Gateway", plain=True)


def gateway_timeout() -> Refusal:
    return Refusal(504, "504 Gateway Time-out", plain=True)
