"""Reading parameters the way useapi does: JSON or form bodies, query strings, named 400s."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest

from motionhub.sandbox.errors import Refusal

MAX_URL = 1024
_http_url = URLValidator(schemes=["http", "https"])


def read_body(request: HttpRequest) -> Mapping[str, Any]:
    """The fields of a JSON or a multipart/urlencoded form body."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise Refusal(400, "Request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refusal(400, "Request body must be a JSON object")
        return data
    return request.POST.dict()


def _missing(value: Any) -> bool:
    return value is None or value == ""


def text(
    data: Mapping[str, Any], name: str, *, required: bool = False, max_length: int = MAX_URL
) -> str:
    value = data.get(name)
    if _missing(value):
        if required:
            raise Refusal(400, f"Parameter {name} is required")
        return ""
    if not isinstance(value, str):
        raise Refusal(400, f"Parameter {name} must be a string")
    if len(value) > max_length:
        raise Refusal(400, f"Parameter {name} must be at most {max_length} characters")
    return value


def integer(
    data: Mapping[str, Any],
    name: str,
    low: int | None = None,
    high: int | None = None,
    *,
    required: bool = False,
    default: int | None = None,
) -> int | None:
    value = data.get(name)
    if _missing(value):
        if required:
            raise Refusal(400, f"Parameter {name} is required")
        return default
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise Refusal(400, f"Parameter {name} must be an integer")
    if (low is not None and number < low) or (high is not None and number > high):
        raise Refusal(400, f"Parameter {name} must be an integer from {low} to {high}")
    return number


def boolean(data: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    value = data.get(name)
    if _missing(value):
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise Refusal(400, f"Parameter {name} must be true or false")


def choice(data: Mapping[str, Any], name: str, allowed: Sequence[str]) -> str:
    """One of `allowed`; the first is the default."""
    value = data.get(name)
    if _missing(value):
        return allowed[0]
    if value not in allowed:
        raise Refusal(400, f"Parameter {name} must be one of: {', '.join(allowed)}")
    return value


def reply(data: Mapping[str, Any]) -> tuple[str, str]:
    """(replyUrl, replyRef) of a create call."""
    url = text(data, "replyUrl")
    if url:
        try:
            _http_url(url)
        except ValidationError:
            raise Refusal(400, "Parameter replyUrl must be an http(s) URL") from None
    return url, text(data, "replyRef")
