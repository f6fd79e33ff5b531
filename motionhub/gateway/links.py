"""Signed, expiring file URLs: what the gateway hands to scripts instead of upstream's CDN.

A script downloads them without any header (as useapi's scripts do with Kling's CDN), so the
URL itself is the permission: `signing.dumps` of what it names, checked for age when served
(MOTIONHUB_GATEWAY_URL_SECONDS). The same URLs come back in later POSTs (`imageUrl`,
`motionUrl`, `resourceUrl`, `coverUrl`), where `resolve` turns them back into an asset.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

SALT = "motionhub.gateway.file"

# What a signed URL may name: an asset's file or cover, or a kept result file (archive).
ASSET_FILE, ASSET_COVER, KEPT = "a", "c", "k"


def signed_url(request: HttpRequest, what: str, pk: int, filename: str) -> str:
    value = signing.dumps({"w": what, "id": pk}, salt=SALT, compress=True)
    path = reverse("gateway:file", kwargs={"signed": value, "filename": filename})
    return request.build_absolute_uri(path)


def read(value: str) -> tuple[str, int] | None:
    """(what, pk) of a signed value still within its lifetime, else None."""
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.MOTIONHUB_GATEWAY_URL_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return data.get("w"), data["id"]


def resolve_url(url: object) -> tuple[str, int] | None:
    """(what, pk) named by one of our signed URLs, whatever host it was built with; else None."""
    if not isinstance(url, str) or not url:
        return None
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, NoReverseMatch):
        return None
    if match.view_name != "gateway:file":
        return None
    return read(match.kwargs["signed"])
