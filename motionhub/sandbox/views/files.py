"""GET files/<name>: the sandbox's public "CDN" for uploads, covers, outputs and stock media.

No token, like Kling's CDN URLs; only names the sandbox made can be served (see media.path_of).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from motionhub.sandbox import media
from motionhub.sandbox.api import endpoint


@endpoint("GET", "HEAD", public=True)
def file(request: HttpRequest, name: str) -> FileResponse:
    path = media.path_of(name)
    if path is None:
        raise Http404("No such file.")
    return FileResponse(path.open("rb"), content_type=media.content_type_of(name))
