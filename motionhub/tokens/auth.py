"""Making personal API tokens and recognising them on a request (`Authorization: Bearer`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from motionhub.audit.log import MARK
from motionhub.tokens.models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

# A recognisable start (so a leaked token is easy to grep for) and 256 random bits.
TOKEN_START = "mhk_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12  # "mhk_" and 8 random characters: shown on the page, not secret enough alone
# last_used_at is a hint for people, not a log: one write a minute at most per token.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the secret to show once (it is not stored)."""
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=user,
        name=(name or "").strip()[:100] or "API token",
        prefix=secret[:PREFIX_LENGTH],
        secret_sha256=digest(secret),
    )
    return token, secret


def bearer(request: HttpRequest) -> str:
    """The token sent as `Authorization: Bearer <token>`, or ""."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return value.strip()


def authenticate(request: HttpRequest) -> AbstractBaseUser | None:
    """The active person whose live token the request carries, else None.

    The token is looked up by its hash, so no secret is ever compared character by character
    against a guess. On success the request is marked (`request.api_token`, and the audit
    mark, so every `audit.record` for it says "API") and `request.user` becomes the person.
    """
    secret = bearer(request)
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    hashed = digest(secret)
    token = ApiToken.objects.select_related("owner").filter(secret_sha256=hashed).first()
    if token is None or not hmac.compare_digest(token.secret_sha256, hashed):
        return None
    if token.revoked_at is not None or not token.owner.is_active:
        return None
    _note_use(token)
    request.api_token = token
    request.user = token.owner
    setattr(request, MARK, True)
    return token.owner


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # Conditional, so concurrent requests of one script write it once.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def revoke(token: ApiToken) -> bool:
    """Revoke a live token; False when it was revoked already."""
    now = timezone.now()
    done = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.revoked_at = token.revoked_at or now
    return bool(done)
