"""Views every app shares: uploaded media behind login."""

from __future__ import annotations

from django.conf import settings
from django.views.static import serve

from motionhub.core.roles import viewer_required


@viewer_required
def media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)
