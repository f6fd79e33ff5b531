"""/api/v1/files/{id}: a kept result file (motionhub/archive/) for a script holding a token,
served as the signed-in file view serves it (from storage, with Range so a player seeks)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from motionhub.api.tasks import PROBLEMS
from motionhub.archive.models import KeptFile
from motionhub.archive.views import readable_name
from motionhub.core.serving import serve_stored

router = Router(tags=["files"])


_BYTES = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/{int:file_id}",
    response=PROBLEMS,
    url_name="file",
    openapi_extra={"responses": {
        "200": {"description": "The file's bytes.", "content": _BYTES},
        "206": {"description": "The part the Range header asked for.", "content": _BYTES},
        "416": {"description": "A Range outside the file."},
    }},
)  # fmt: skip
def kept_file(
    request: HttpRequest,
    file_id: int,
    download: bool = Query(False, description="As an attachment with a readable name."),
) -> HttpResponse:
    """The file's bytes; a `Range: bytes=…` header answers 206 with that part."""
    kept = get_object_or_404(KeptFile.objects.select_related("task"), pk=file_id)
    return serve_stored(request, kept.name, content_type=kept.content_type,
                        filename=readable_name(kept), attachment=download,
                        size=kept.size)  # fmt: skip
