"""Signed references for useapi callbacks (replyUrl / replyRef).

A reference names one local task and carries that task's random nonce, signed with SECRET_KEY:
it cannot be forged, and it stops working for any other task (or a task created later with the
same id).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "motionhub.callbacks"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def make_ref(task_id: int, nonce: str) -> str:
    return signing.dumps({"t": task_id, "n": nonce}, salt=SALT, compress=False)


def read_ref(ref: str) -> tuple[int, str] | None:
    """(task id, nonce) of a genuine reference, None for anything forged or malformed."""
    try:
        data = signing.loads(ref, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    return data["t"], str(data.get("n", ""))


def reply_fields(task_id: int, nonce: str) -> dict[str, str]:
    """replyRef for every create call, and replyUrl too when MOTIONHUB_PUBLIC_URL is set.

    The reference goes even without callbacks: useapi lists it with the running job
    (GET /scheduler), which is how a create call whose answer was lost is found again. It
    travels in the URL too: the contract does not say whether useapi echoes replyRef back in
    the callback body.
    """
    ref = make_ref(task_id, nonce)
    if not settings.MOTIONHUB_PUBLIC_URL:
        return {"reply_ref": ref}
    url = settings.MOTIONHUB_PUBLIC_URL + reverse("hooks:useapi", args=[ref])
    return {"reply_url": url, "reply_ref": ref}
