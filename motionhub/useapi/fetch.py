"""Streamed downloads of result files (videos, covers, motion archives) from upstream's CDN.

`fetch()` copies one URL into a writable binary file chunk by chunk (never the whole file in
memory), hashing as it goes, and refuses what must not be kept:

- an address that is not http(s), or one (or a redirect) that resolves to a private, loopback,
  link-local or otherwise non-public address — except the connection's own host, from which the
  sandbox and a local simulator serve their files;
- a file larger than `max_bytes` (by its Content-Length before reading, or while reading);
- an HTML page where a file was expected (a proxy's or CDN's error page answered with 200);
- a body shorter than its Content-Length (a truncated transfer).

The CDN is never sent the API token. Errors are `UseapiError`s: `FetchRefused` will not change
by trying again; `FetchFailed` might (a reset, a timeout, a truncated body, a 5xx).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from .errors import UseapiError

logger = logging.getLogger("motionhub.useapi")

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


class FetchRefused(UseapiError):
    """The file cannot be kept, and asking again will not change that."""

    category = "fetch_refused"
    default_message = "The file was refused."


class FetchFailed(UseapiError):
    """The download failed in a way that may pass on a later try."""

    category = "fetch_failed"
    transient = True
    default_message = "The download failed."
    suggestion = "It is tried again automatically later."


@dataclass(frozen=True)
class Fetched:
    size: int
    sha256: str
    content_type: str
    source_url: str  # without user info, query string or fragment: no signed-URL secrets


def public_url(url: str) -> str:
    """`url` without user info, query string and fragment (where signatures and keys live)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", ""))


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (tests replace this at the network edge)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_address(url: str, own_host: str | None) -> None:
    """Refuse a URL that is not http(s) or that points inside our network (see module doc)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise FetchRefused("The file's address is not a valid URL.") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchRefused("The file's address is not an http(s) URL.")
    if not host:
        raise FetchRefused("The file's address has no host.")
    if own_host and host.lower() == own_host.lower():
        return  # the connection's own host (the sandbox serves its files from there)
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise FetchFailed(f"The file's host {host} could not be resolved.") from None
    if not addresses:
        raise FetchFailed(f"The file's host {host} could not be resolved.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise FetchRefused(
                f"The file's address {host} points to a private or loopback network address "
                f"({ip}), which MotionHub does not fetch from."
            )


def fetch(
    session: requests.Session,
    url: str,
    sink: BinaryIO,
    *,
    max_bytes: int,
    timeout: float,
    own_host: str | None = None,
) -> Fetched:
    """Copy `url` into `sink`; see the module docstring. `sink` holds junk after an error."""
    source = public_url(url)
    started = time.monotonic()
    deadline = started + timeout
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            check_address(current, own_host)
            response = _get(session, current, deadline)
            if response.status_code not in _REDIRECTS:
                break
            location = response.headers.get("Location", "")
            response.close()
            if not location:
                raise FetchFailed("The file's server sent a redirect without a Location.")
            current = urljoin(current, location)
        else:
            raise FetchRefused(f"The file's address redirected more than {MAX_REDIRECTS} times.")
        with response:
            fetched = _copy(response, sink, source, max_bytes=max_bytes, deadline=deadline)
    except UseapiError as exc:
        _log(source, type(exc).__name__, started)
        raise
    _log(source, f"{fetched.size} bytes", started)
    return fetched


def _get(session: requests.Session, url: str, deadline: float) -> requests.Response:
    left = max(deadline - time.monotonic(), 0.1)
    try:
        response = session.get(
            url,
            stream=True,
            allow_redirects=False,
            # Identity: the bytes counted and hashed are the file's, not a compressed copy.
            headers={"Accept-Encoding": "identity"},
            timeout=(min(CONNECT_TIMEOUT, left), left),
        )
    except requests.RequestException as exc:
        raise FetchFailed(
            f"The file could not be downloaded ({type(exc).__name__}).", request_sent=False
        ) from None
    status = response.status_code
    if status in _REDIRECTS or 200 <= status < 300:
        return response
    response.close()
    if status == 429 or status >= 500:
        raise FetchFailed(f"The file's server answered HTTP {status}.", status=status)
    raise FetchRefused(f"The file's server answered HTTP {status}: it is not there.", status=status)


def _copy(
    response: requests.Response, sink: BinaryIO, source: str, *, max_bytes: int, deadline: float
) -> Fetched:
    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type in {"text/html", "application/xhtml+xml"}:
        raise FetchFailed("The file's server answered a web page (text/html), not the file.")
    expected = _content_length(response)
    if expected is not None and expected > max_bytes:
        raise FetchRefused(_too_large(expected, max_bytes))
    digest = hashlib.sha256()
    size = 0
    first = True
    try:
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            if not chunk:
                continue
            if first:
                first = False
                if chunk[:64].lstrip().lower().startswith(_HTML_STARTS):
                    raise FetchFailed("The file's server answered a web page, not the file.")
            size += len(chunk)
            if size > max_bytes:
                raise FetchRefused(_too_large(size, max_bytes, more=True))
            if time.monotonic() > deadline:
                raise FetchFailed("The download took too long and was stopped.")
            digest.update(chunk)
            sink.write(chunk)
    except UseapiError:
        raise
    except Exception as exc:  # urllib3's IncompleteRead / ProtocolError / read timeouts
        raise FetchFailed(
            f"The download broke off after {size} bytes ({type(exc).__name__})."
        ) from None
    if expected is not None and size != expected:
        raise FetchFailed(f"The download was truncated: {size} of {expected} bytes arrived.")
    if size == 0:
        raise FetchFailed("The file's server sent an empty file.")
    return Fetched(size, digest.hexdigest(), content_type or "application/octet-stream", source)


def _content_length(response: requests.Response) -> int | None:
    try:
        value = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    mb = 1024 * 1024
    over = "more than " if more else ""
    return f"The file is {over}{size / mb:.1f} MB, above the {limit / mb:.0f} MB limit."


def _log(source: str, outcome: str, started: float) -> None:
    parts = urlsplit(source)
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("fetch GET %s -> %s in %.0f ms", parts.netloc, outcome, elapsed_ms)
