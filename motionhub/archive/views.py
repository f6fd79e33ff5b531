"""Kept files, served behind login from storage (Range for seeking, a readable download name)."""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from motionhub.archive.models import KeptFile
from motionhub.core.roles import viewer_required
from motionhub.core.serving import serve_stored

_UNSAFE = re.compile(r"[^\w .()+-]+", re.UNICODE)


def readable_name(kept: KeptFile) -> str:
    """e.g. "Glide video (task 12, clean video).mp4" — the person's name for the task first."""
    suffix = PurePosixPath(kept.name).suffix or mimetypes.guess_extension(kept.content_type) or ""
    label = kept.get_kind_display().lower()
    base = _UNSAFE.sub(" ", kept.task.name).strip()[:80] or "MotionHub"
    return f"{base} (task {kept.task_id}, {label}){suffix}"


@viewer_required
@require_safe
def kept_file(request: HttpRequest, pk: int) -> HttpResponse:
    kept = get_object_or_404(KeptFile.objects.select_related("task"), pk=pk)
    return serve_stored(
        request,
        kept.name,
        content_type=kept.content_type,
        filename=readable_name(kept),
        attachment=request.GET.get("download") == "1",
        size=kept.size,
    )
