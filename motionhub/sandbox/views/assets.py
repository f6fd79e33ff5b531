"""POST /assets (raw-body uploads) and GET /assets/download (reference §3)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from motionhub.sandbox import lifecycle, media, payloads
from motionhub.sandbox.api import endpoint, files_base
from motionhub.sandbox.auth import Caller, select_account
from motionhub.sandbox.errors import Refusal
from motionhub.sandbox.models import Asset

FILE_TYPES = ("MP4", "MP3", "WAV", "PNG")


@endpoint("POST")
def upload(request: HttpRequest, caller: Caller) -> HttpResponse:
    try:
        return _upload(request, caller)
    except Refusal:
        media.drain(request.read)
        raise


def _upload(request: HttpRequest, caller: Caller) -> HttpResponse:
    account = select_account(caller, request.GET.get("email"))
    sent_type = request.META.get("CONTENT_TYPE", "")
    accepted = media.ACCEPTED.get(sent_type.split(";")[0].strip().lower())
    if not sent_type:
        raise Refusal(400, f"Content-Type header is required. Valid values: {media.VALID_VALUES}")
    if accepted is None:
        raise Refusal(
            400, f"Content-Type {sent_type} is not supported. Valid values: {media.VALID_VALUES}"
        )
    too_large = Refusal(
        400,
        f"File is too large: {accepted.kind} files may be at most "
        f"{accepted.max_bytes // media.MB} MB",
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > accepted.max_bytes:
        raise too_large

    name = media.new_name(accepted.ext)
    path = media.folder() / name
    try:
        # Streamed in chunks straight to disk: a 100 MB video never sits in memory.
        size = media.receive(request.read, path, accepted.max_bytes)
    except media.TooLarge:
        raise too_large from None
    if size == 0:
        path.unlink(missing_ok=True)
        raise Refusal(400, "Request body is empty: send the file's bytes as the body")

    asset = Asset(account=account, kind=accepted.kind, content_type=sent_type, file_name=name)
    asset.size = size
    dims = None
    if accepted.kind == "video":
        asset.cover_name = media.new_name("jpg")
        dims = media.video_cover(path, media.folder() / asset.cover_name)
    elif accepted.kind == "image":
        dims = media.image_dims(path)
    if dims:
        asset.width, asset.height = dims.width, dims.height
        asset.duration_ms, asset.has_audio = dims.duration_ms or None, dims.has_audio
    asset.save()
    return JsonResponse(payloads.asset_body(asset, files_base(request)))


@endpoint("GET")
def download(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The "watermark-free master" of works: one MP4 directly, anything else as one zip."""
    account = select_account(caller, request.GET.get("email"))
    raw_ids = [part.strip() for part in request.GET.get("workIds", "").split(",") if part.strip()]
    if not raw_ids:
        raise Refusal(400, "Parameter workIds is required")
    if not all(part.lstrip("-").isdigit() for part in raw_ids):
        raise Refusal(400, "Parameter workIds must be comma-separated numbers")
    work_ids = [int(part) for part in raw_ids]
    file_types = [
        t.strip().upper() for t in request.GET.get("fileTypes", "").split(",") if t.strip()
    ]
    if any(t not in FILE_TYPES for t in file_types):
        raise Refusal(400, f"Parameter fileTypes must be among: {','.join(FILE_TYPES)}")

    tasks = {t.work_id: t for t in lifecycle.succeeded(account).filter(work_id__in=work_ids)}
    missing = [work_id for work_id in work_ids if work_id not in tasks]
    if missing:
        raise Refusal(404, f"Work {missing[0]} not found")
    base = files_base(request)
    if len(work_ids) == 1 and file_types == ["MP4"]:
        return JsonResponse({"cdnUrl": base + tasks[work_ids[0]].output["video"]})
    names = [name for t in tasks.values() for name in (t.output["video"], t.output["cover"])]
    return JsonResponse({"cdnUrl": base + media.bundle(names)})
