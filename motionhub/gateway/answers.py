"""How every gateway view answers: authenticated by token, with the role checked, errors in
useapi's shape, and POSTs done once per Idempotency-Key."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from motionhub.core import roles
from motionhub.tokens import idempotency
from motionhub.tokens.auth import authenticate


class Refusal(Exception):
    """Raised by a view's work to answer `{"error": message, "code": status}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_body(status: int, message: str) -> dict:
    return {"error": message, "code": status}


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse(error_body(status, message), status=status)


def answer(status: int, body: Any) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False)


def endpoint(
    role: str, method: str = "GET", *, fingerprint: Callable[[HttpRequest], str] | None = None
):
    """Decorate a view `work(request, ...) -> (status, body)` that may raise Refusal.

    405 for another method than `method` (HEAD goes with GET), 401 without a live token, 403
    below `role`; a POST with Idempotency-Key runs `work` once
    (idempotency.once) — `fingerprint` overrides how the request is recognised (POST /assets
    hashes its body while storing it, never holding it in memory).
    """

    def decorator(work: Callable[..., tuple[int, Any]]):
        @csrf_exempt  # token-authenticated: no cookie, no cross-site form can use it
        @login_not_required
        @wraps(work)
        def view(request: HttpRequest, *args, **kwargs) -> JsonResponse:
            allowed = (method, "HEAD") if method == "GET" else (method,)
            if request.method not in allowed:
                refused = error(405, f"{request.method} is not allowed here; use {method}.")
                refused["Allow"] = ", ".join(allowed)
                return refused
            user = authenticate(request)
            if user is None:
                return error(401, "Unauthorized")
            if not roles.has_role(user, role):
                return error(403, f"This needs the {role} role in MotionHub.")

            def run() -> tuple[int, Any]:
                try:
                    return work(request, *args, **kwargs)
                except Refusal as refused:
                    return refused.status, error_body(refused.status, refused.message)

            if request.method != "POST":
                return answer(*run())
            try:
                key = idempotency.key_of(request)
            except idempotency.BadKey as exc:
                return error(400, str(exc))
            if key is None:
                return answer(*run())
            recognised_by = (fingerprint or idempotency.fingerprint_of)(request)
            try:
                done = idempotency.once(user, key, recognised_by, run)
            except idempotency.KeyReused as exc:
                return error(422, str(exc))
            response = answer(done.status, done.body)
            if done.replayed:
                response["Idempotent-Replayed"] = "true"
            return response

        return view

    return decorator


def json_body(request: HttpRequest) -> dict:
    """The POST's fields: a JSON object, or form fields (useapi takes both)."""
    content_type = request.content_type or ""
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return {key: request.POST.get(key) for key in request.POST}
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise Refusal(400, "The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise Refusal(400, "The body must be a JSON object.")
    return data
