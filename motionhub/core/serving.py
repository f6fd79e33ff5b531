"""Serving a file from Django storage to a signed-in person: HTTP Range, readable names.

Whatever the storage (the local file system, S3), the file is read in chunks; a single
`Range: bytes=…` request gets 206 with that part (so a video can be seeked), an unsatisfiable
one 416. `attachment=True` asks the browser to save it under `filename`.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_stored(
    request: HttpRequest,
    name: str,
    *,
    storage: Storage | None = None,
    content_type: str = "",
    filename: str = "",
    attachment: bool = False,
    size: int | None = None,
) -> HttpResponse:
    storage = storage or default_storage
    try:
        if size is None:
            size = storage.size(name)
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("No such file.") from None
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    wanted = _range(request.headers.get("Range", ""), size)
    if wanted == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _common(response, filename, attachment)
    if wanted is None or request.method == "HEAD":
        if request.method == "HEAD":
            handle.close()
            response: HttpResponse = HttpResponse(content_type=content_type)
        else:
            response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        handle.seek(start)
        response = StreamingHttpResponse(
            _part(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    return _common(response, filename, attachment)


def _common(response: HttpResponse, filename: str, attachment: bool) -> HttpResponse:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if filename or attachment:
        response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


def _range(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) byte of a single satisfiable range; "unsatisfiable"; or None (whole)."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # absent, multi-range or malformed: the whole file (RFC 9110 allows it)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def _part(handle, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()
