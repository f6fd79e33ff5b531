"""The single choke point for HTTP to useapi.net.

Every call goes through `Http.call`, which always passes a (connect, read) timeout, adds the
Bearer token, logs one redacted line, and turns every failure into a named `UseapiError`. Tests
and callers therefore only ever see our exceptions, never a `requests` one, and the token can
only leak if it is put into one of our messages — which `_Scrubber` prevents.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError

from .errors import (
    AccountSessionBroken,
    BadResponse,
    InvalidInput,
    Moderation,
    NoFreeSlot,
    NotFound,
    SubscriptionRequired,
    Unauthorized,
    UpstreamTrouble,
    UseapiError,
)

logger = logging.getLogger("motionhub.useapi")

# Connecting is quick when the service is up; a long connect wait only delays the retry.
CONNECT_TIMEOUT = 10.0
MAX_UPSTREAM_TEXT = 500

# Kling answers 500 both for moderation and for real failures; per the motion-upload spec the
# `error` text is what tells them apart (the `message` is often a generic "Service busy").
_MODERATION = re.compile(r"moderat|community guideline|violat|sensitive|CM_EXT", re.IGNORECASE)

_BY_STATUS: dict[int, type[UseapiError]] = {
    400: InvalidInput,
    401: Unauthorized,
    402: SubscriptionRequired,
    404: NotFound,
    408: UpstreamTrouble,
    429: NoFreeSlot,
    596: AccountSessionBroken,
}


class _Scrubber:
    """Replaces secrets (the token, a password) in any text that may end up in a message."""

    def __init__(self, *secrets: str) -> None:
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.update({secret, quote(secret, safe=""), f"Bearer {secret}"})
            # Tokens look like "user:12345-<secret>": an echo of just the secret part must go too.
            _, _, tail = secret.partition(":")
            if len(tail) >= 8:
                found.add(tail)
        # Longest first, so "Bearer <token>" is replaced whole before "<token>".
        self._secrets = sorted((s for s in found if len(s) >= 4), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def json(self, value: Any) -> Any:
        """The same JSON value with every secret removed from its strings (keys included)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {self(str(k)): self.json(v) for k, v in value.items()}
        return value

    def found_in(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)


class Http:
    """A thin wrapper over one `requests.Session`; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        upload_timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.session = session or requests.Session()

    def __repr__(self) -> str:
        return f"<Http {self.base_url}>"  # never the token

    def url(self, path: str, *, base: str | None = None) -> str:
        return f"{(base or self.base_url).rstrip('/')}/{path.lstrip('/')}"

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        upload: bool = False,
        expect_json: bool = True,
        secrets: Iterable[str] = (),
        base: str | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON (or None when `expect_json` is False).

        `base` replaces the connection's base URL for the few endpoints on the useapi root
        (usage statistics), with the same token, timeouts, logging and errors.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        read_timeout = self.upload_timeout if upload else self.timeout
        timeout = (min(CONNECT_TIMEOUT, read_timeout), read_timeout)
        all_headers = {
            "Accept": "application/json",
            **(headers or {}),
            "Authorization": f"Bearer {self._token}",
        }
        scrub = _Scrubber(self._token, *secrets)
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.url(path, base=base),
                params=params or None,
                json=json_body,
                data=data,
                headers=all_headers,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            _log(logging.WARNING, method, path, params, type(exc).__name__, started)
            # `from None`: the requests exception carries the prepared request (and its headers).
            raise _transport_error(exc, scrub) from None
        status = response.status_code
        level = logging.INFO if status < 400 else logging.WARNING
        _log(level, method, path, params, status, started)
        if not 200 <= status < 300:
            raise _status_error(response, scrub)
        if not expect_json:
            return None
        return _decode(response, scrub)


def _log(
    level: int, method: str, path: str, params: Mapping[str, Any], outcome: Any, started: float
) -> None:
    # Query values (emails, ids) are left out on purpose: only the keys say what was asked.
    query = f"?{'&'.join(params)}" if params else ""
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.log(level, "useapi %s %s%s -> %s in %.0f ms", method, path, query, outcome, elapsed_ms)


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_UPSTREAM_TEXT:
        text = text[: MAX_UPSTREAM_TEXT - 1] + "…"
    return text


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        return value["message"]
    return json.dumps(value, ensure_ascii=False)


def _error_texts(response: requests.Response) -> tuple[str, str]:
    """(the `error` field, other text) of an error body: JSON with error/message, or plain text."""
    body = response.text or ""
    try:
        data = json.loads(body)
    except ValueError:
        # An HTML error page from a proxy: keep the words, not the markup.
        if body.lstrip().startswith("<"):
            body = re.sub(r"<[^>]*>", " ", body)
        return "", body
    if isinstance(data, dict):
        other = data.get("message") or data.get("detail") or ""
        return _as_text(data.get("error")), _as_text(other)
    return "", _as_text(data)


def _retry_after(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _status_error(response: requests.Response, scrub: _Scrubber) -> UseapiError:
    status = response.status_code
    error_text, other_text = _error_texts(response)
    primary = error_text or other_text
    if status == 500 and _MODERATION.search(primary):
        cls: type[UseapiError] = Moderation
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = UpstreamTrouble
    else:
        cls = UseapiError
    message = None if cls is not UseapiError else f"The upstream answered HTTP {status}."
    return cls(
        message,
        status=status,
        upstream_error=scrub(_short(primary)),
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _never_connected(exc: BaseException) -> bool:
    """True when the failure provably happened while connecting, before a byte was sent."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    # requests wraps urllib3's MaxRetryError(reason=NewConnectionError/NameResolutionError...);
    # both of those are ConnectTimeoutError subclasses in urllib3 2.
    seen: list[Any] = [exc]
    for _ in range(6):
        current = seen[-1]
        nxt = getattr(current, "reason", None)
        if nxt is None and getattr(current, "args", None):
            nxt = current.args[0]
        if nxt is None:
            nxt = current.__cause__ or current.__context__
        if not isinstance(nxt, BaseException) or nxt in seen:
            break
        seen.append(nxt)
    return any(isinstance(e, ConnectTimeoutError) for e in seen)


def _transport_error(exc: requests.RequestException, scrub: _Scrubber) -> UseapiError:
    detail = scrub(_short(str(exc)))
    bad_url = (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    )
    if isinstance(exc, bad_url):
        return BadResponse(
            "The connection's base URL is not a valid http(s) address.",
            upstream_error=detail,
            request_sent=False,
        )
    if isinstance(exc, requests.ConnectionError | requests.Timeout) and _never_connected(exc):
        return UpstreamTrouble(
            "Could not connect to useapi.net.", upstream_error=detail, request_sent=False
        )
    if isinstance(exc, requests.Timeout):
        return UpstreamTrouble(
            "useapi.net did not answer in time.", upstream_error=detail, request_sent=True
        )
    # Resets, broken chunked bodies and anything unknown: the request may have arrived, so a
    # create call must not be blindly resent (it would spend credits twice).
    return UpstreamTrouble(
        "The connection to useapi.net broke during the call.",
        upstream_error=detail,
        request_sent=True,
    )


def _decode(response: requests.Response, scrub: _Scrubber) -> Any:
    if not response.content:
        raise BadResponse("The upstream sent an empty answer.", status=response.status_code)
    try:
        data = response.json()
    except ValueError:
        raise BadResponse(
            status=response.status_code, upstream_error=scrub(_short(response.text))
        ) from None
    # Answers are stored (raw responses on tasks): an echoed secret must not go with them.
    return scrub.json(data) if scrub.found_in(response.text) else data
