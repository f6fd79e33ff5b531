"""A small signed-webhook sender (alerts only; the useapi client is for useapi alone).

The body is JSON with a Slack-compatible `text`. With a secret, each attempt carries
`X-MotionHub-Timestamp` (Unix seconds) and `X-MotionHub-Signature: sha256=<hex>`, the HMAC-SHA256
of `<timestamp>.<body>` under the secret: a receiver recomputes it and refuses old timestamps.
Connection errors, timeouts, 429 and 5xx are tried again, a bounded number of times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

TIMESTAMP_HEADER = "X-MotionHub-Timestamp"
SIGNATURE_HEADER = "X-MotionHub-Signature"


@dataclass
class Sent:
    ok: bool
    attempts: int
    error: str = ""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def where(url: str) -> str:
    """The part of a webhook URL that may be shown: its host (Slack's path is its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "(invalid URL)"


def post(url: str, payload: dict, *, secret: str = "", attempts: int = 3, timeout: float = 10.0,
         backoff: float = 1.0) -> Sent:  # fmt: skip
    body = json.dumps(payload, separators=(",", ":")).encode()
    error = ""
    for attempt in range(1, max(attempts, 1) + 1):
        headers = {"Content-Type": "application/json", "User-Agent": "MotionHub-alerts"}
        if secret:
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout,
                                     allow_redirects=False)  # fmt: skip
        except requests.RequestException as exc:
            # The exception's text names the URL: only its class is kept.
            error = f"{type(exc).__name__} (no answer from {where(url)})"
        else:
            if 200 <= response.status_code < 300:
                return Sent(True, attempt)
            error = f"HTTP {response.status_code} from {where(url)}"
            if response.status_code != 429 and response.status_code < 500:
                return Sent(False, attempt, error)  # refused: trying again will not help
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    return Sent(False, max(attempts, 1), error)
