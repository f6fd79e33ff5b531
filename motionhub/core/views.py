"""Views every app shares: stored media (uploads, kept results) behind login."""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404

from motionhub.core.roles import viewer_required
from motionhub.core.serving import serve_stored


@viewer_required
def media(request, path: str):
    """A file of the default storage (local or S3), seekable with Range."""
    try:
        return serve_stored(request, path)
    except SuspiciousFileOperation:
        raise Http404("No such file.") from None
