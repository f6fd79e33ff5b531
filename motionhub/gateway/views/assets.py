"""POST /assets (kept here, checked like the forms' files), GET /assets/download (the kept clean
master), and the signed file URLs both hand out."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.files import File
from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from motionhub import audit, media
from motionhub.archive.models import KeptFile
from motionhub.core.roles import OPERATOR, VIEWER
from motionhub.core.serving import serve_stored
from motionhub.gateway import links, shapes
from motionhub.gateway.answers import Refusal, endpoint, error
from motionhub.gateway.models import Asset
from motionhub.tasks.forms import file_extension
from motionhub.tasks.models import Kind, MotionTask
from motionhub.tokens import idempotency

CHUNK = 256 * 1024
LIMITS = {
    "image/png": media.image.MAX_IMAGE_BYTES,
    "image/jpeg": media.image.MAX_IMAGE_BYTES,
    "video/mp4": media.video.MAX_VIDEO_BYTES,
    "video/quicktime": media.video.MAX_VIDEO_BYTES,
}
UNSUPPORTED = (
    "Content-Type {} is not supported. Valid values: image/png,image/jpeg,video/mp4,video/quicktime"
)
SPOOL = "_gateway_spooled_body"


def _content_type(request: HttpRequest) -> str:
    return (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()


def _spooled(request: HttpRequest):
    """(temporary file holding the raw body, its request fingerprint), read once per request.

    The body is streamed to disk (never request.body: a 100 MB video must not sit in memory),
    stopping as soon as it passes the type's limit.
    """
    if hasattr(request, SPOOL):
        return getattr(request, SPOOL)
    limit = LIMITS.get(_content_type(request), 0)
    hasher = idempotency.fingerprint_hasher(request.method, request.get_full_path())
    spool = tempfile.NamedTemporaryFile(suffix=".upload")  # noqa: SIM115 (lives with the request)
    size, too_big = 0, False
    while chunk := request.read(CHUNK):
        size += len(chunk)
        hasher.update(chunk)
        if size > limit:
            too_big = True
            continue  # read on (the fingerprint covers the whole body), keep nothing more
        spool.write(chunk)
    spool.flush()
    setattr(request, SPOOL, (spool, hasher.hexdigest(), size, too_big))
    return getattr(request, SPOOL)


def _fingerprint(request: HttpRequest) -> str:
    return _spooled(request)[1]


@endpoint(OPERATOR, "POST", fingerprint=_fingerprint)
def upload(request: HttpRequest):
    content_type = _content_type(request)
    if content_type not in LIMITS:
        raise Refusal(400, UNSUPPORTED.format(content_type or "(none)"))
    spool, _, size, too_big = _spooled(request)
    if not size:
        raise Refusal(400, "The body is empty: send the file's bytes as the body.")
    mib = 1024 * 1024
    if too_big:
        raise Refusal(400, f"This file is over the {LIMITS[content_type] // mib} MB limit.")
    is_video = content_type.startswith("video/")
    try:
        measured = (media.probe_motion_video if is_video else media.probe_cover_image)(spool.name)
    except media.MediaError as exc:
        raise Refusal(400, str(exc)) from exc
    if is_video != measured.content_type.startswith("video/"):
        raise Refusal(400, f"The body is not a {content_type} file.")
    info = {
        "content_type": measured.content_type,
        "size": measured.size,
        "width": measured.width,
        "height": measured.height,
    }
    if is_video:
        info["duration_s"] = round(measured.duration_s, 2)
    asset = Asset(owner=request.user, kind=Asset.Kind.VIDEO if is_video else Asset.Kind.IMAGE,
                  info=info)  # fmt: skip
    name = uuid.uuid4().hex + file_extension(measured.content_type)
    with open(spool.name, "rb") as stream:
        asset.file.save(name, File(stream), save=False)
    if is_video:
        _cover_of(asset, spool.name)
    asset.save()
    audit.record(request, audit.Action.ASSET_UPLOAD, target=asset, target_label=asset.label,
                 detail=f"POST /assets {measured.content_type}, {measured.size} bytes")  # fmt: skip
    return 200, asset_answer(request, asset)


def _cover_of(asset: Asset, video_path: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        dest = Path(folder) / "cover.jpg"
        try:
            media.extract_cover(video_path, dest)
        except media.MediaError as exc:
            asset.file.delete(save=False)
            raise Refusal(400, str(exc)) from exc
        with dest.open("rb") as stream:
            asset.cover.save(uuid.uuid4().hex + ".jpg", File(stream), save=False)


def asset_answer(request: HttpRequest, asset: Asset) -> dict:
    """useapi's answer: `url` for an image (→ imageUrl), `resourceUrl` and `coverUrl` for a
    video (→ motionUrl, or motion-upload's two fields); each one of our signed URLs."""
    suffix = Path(asset.file.name).suffix
    url = links.signed_url(request, links.ASSET_FILE, asset.pk, f"asset{suffix}")
    answer = {"status": 3, "url": url, "message": "", "fileName": Path(asset.file.name).name}
    if asset.kind == Asset.Kind.VIDEO:
        cover = links.signed_url(request, links.ASSET_COVER, asset.pk, "cover.jpg")
        answer |= {"status": 1, "resourceUrl": url, "coverUrl": cover}
    return answer


@endpoint(VIEWER)
def download(request: HttpRequest):
    """GET /assets/download?workIds=…: the kept clean master of each result (workId is the
    task id here), as `cdnUrl` — the first one's, and every one's under `files`."""
    raw = [part.strip() for part in request.GET.get("workIds", "").split(",") if part.strip()]
    if not raw:
        raise Refusal(400, "Parameter workIds is required")
    files = []
    for part in raw:
        try:
            work_id = int(part)
        except ValueError as exc:
            raise Refusal(400, f"Parameter workIds must be numbers: {part}") from exc
        task = MotionTask.objects.filter(pk=work_id, kind=Kind.MOTION_CREATE).first()
        kept = shapes.kept_clean(task) if task is not None else None
        if kept is None:
            raise Refusal(404, f"Work {work_id} not found")
        name = f"clean{Path(kept.name).suffix}"
        files.append({"workId": work_id, "cdnUrl": links.signed_url(request, links.KEPT,
                                                                     kept.pk, name)})  # fmt: skip
    return 200, {"cdnUrl": files[0]["cdnUrl"], "files": files}


@csrf_exempt  # like every gateway address: no cookie is ever what lets a request in
@login_not_required  # the signed URL is the permission: scripts fetch it without headers
@require_safe
def signed_file(request: HttpRequest, signed: str, filename: str):
    """A file named by a signed URL, to anyone holding it until it expires (with Range)."""
    named = links.read(signed)
    if named is None:
        return error(403, "This link has expired or is not valid; ask the API for a new one.")
    what, pk = named
    if what == links.KEPT:
        kept = KeptFile.objects.filter(pk=pk).first()
        if kept is None:
            return error(404, "This file is no longer kept.")
        return serve_stored(request, kept.name, content_type=kept.content_type, size=kept.size,
                            filename=filename)  # fmt: skip
    asset = Asset.objects.filter(pk=pk).first()
    field = None if asset is None else (asset.cover if what == links.ASSET_COVER else asset.file)
    if not field:
        return error(404, "This file is no longer kept.")
    content_type = "image/jpeg" if what == links.ASSET_COVER else asset.info.get("content_type")
    return serve_stored(request, field.name, content_type=content_type, filename=filename)


@csrf_exempt
@login_not_required
def unknown(request: HttpRequest):
    return error(404, f"{request.path} is not an endpoint of the gateway.")
