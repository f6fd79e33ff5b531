"""POST /videos/motion-upload, POST /videos/motion-create and GET /videos/motions.

The two POSTs make tasks exactly as the upload form and the library's apply view do: the same
form rules (MotionCreateForm), the same accept code (tasks/accept.py), the same audit entry;
then the pipeline's jobs take over. Nothing here calls upstream, and nothing answers 429: a
task waits in the queue for a slot.
"""

from __future__ import annotations

from django.core.files import File
from django.db.models import Q

from motionhub.accounts.models import KlingAccount
from motionhub.core.roles import OPERATOR, VIEWER
from motionhub.gateway import links, shapes
from motionhub.gateway.answers import Refusal, endpoint, json_body
from motionhub.gateway.models import Asset
from motionhub.library.models import Motion, Origin
from motionhub.tasks import accept, audited
from motionhub.tasks.forms import MotionCreateForm

# The API's names for the form's fields, where they differ.
FORM_NAMES = {"keepAudio": "keep_audio", "motionDirection": "motion_direction"}
FORM_FIELDS = ("name", "prompt", "mode", "duration", "character_id", "change_direction",
               "sound_effect", "audio_prompt", "music_prompt", "enable_asmr", "model_name",
               "keepAudio", "motionDirection", "element_1")  # fmt: skip


def chosen_account(data: dict) -> KlingAccount | None:
    """The account `email` names (one MotionHub has and may use), else None: automatic."""
    email = (data.get("email") or "").strip()
    if not email:
        return None
    found = KlingAccount.active.filter(enabled=True, email__iexact=email).first()
    if found is None:
        raise Refusal(400, f"Account {email} is not configured in MotionHub.")
    return found


def asset_of(url: object, parameter: str, *, kinds: tuple[str, ...]) -> tuple[Asset, str]:
    """The asset (and which of its files) one of our signed URLs names, or a 400/404."""
    if not url:
        raise Refusal(400, f"Parameter {parameter} is required")
    named = links.resolve_url(url)
    if named is None or named[0] not in (links.ASSET_FILE, links.ASSET_COVER):
        raise Refusal(400, f"Parameter {parameter} must be a URL POST /assets answered here "
                           "(or it has expired: upload the file again).")  # fmt: skip
    asset = Asset.objects.filter(pk=named[1], kind__in=kinds).first()
    if asset is None:
        raise Refusal(404, f"The asset of {parameter} was not found.")
    return asset, named[0]


@endpoint(OPERATOR, "POST")
def motion_upload(request):
    data = json_body(request)
    account = chosen_account(data)
    video, _ = asset_of(data.get("resourceUrl"), "resourceUrl", kinds=(Asset.Kind.VIDEO,))
    cover_asset, part = asset_of(data.get("coverUrl"), "coverUrl",
                                 kinds=(Asset.Kind.VIDEO, Asset.Kind.IMAGE))  # fmt: skip
    cover_field = cover_asset.cover if part == links.ASSET_COVER else cover_asset.file
    cover_type = "image/jpeg" if part == links.ASSET_COVER else cover_asset.info["content_type"]
    name = str(data.get("name") or f"API upload {video.pk}")[:200]
    with video.file.open("rb") as clip, cover_field.open("rb") as cover:
        task = accept.upload_task(
            name=name, account=account, user=request.user, video=File(clip),
            video_name=video.file.name, video_info=video.info, cover=File(cover),
            cover_content_type=cover_type,
        )  # fmt: skip
    accept.queue_new(task, f"Submitted by {request.user.get_username()} through the API.")
    audited.upload(request, task)
    return 200, shapes.task_model(request, task)


def _library_motion(data: dict, account: KlingAccount | None) -> Motion | None:
    """The library motion a 2025 `workId` or a 2026 `motionUrl` names, on `account` if given."""
    motions = Motion.objects.select_related("account__connection", "source_task").filter(
        account__removed_at__isnull=True, account__enabled=True
    )
    if account is not None:
        motions = motions.filter(account=account)
    if "workId" in data and not data.get("motionUrl"):
        try:
            work_id = int(data["workId"])
        except (TypeError, ValueError) as exc:
            raise Refusal(400, "Parameter workId must be an integer") from exc
        found = motions.filter(work_id=work_id).order_by("account_id").first()
        if found is None:
            raise Refusal(404, f"Motion {work_id} is not in MotionHub's library.")
        return found
    url = data.get("motionUrl")
    if not url:
        raise Refusal(400, "Parameter motionUrl is required")
    if links.resolve_url(url) is not None:
        return None  # a clip uploaded here: not a library motion
    found = motions.filter(video_url=url).order_by("account_id").first()
    if found is None:
        raise Refusal(404, "motionUrl is neither a motion of the library (GET /videos/motions) "
                           "nor a video uploaded here (POST /assets).")  # fmt: skip
    return found


def _form_data(data: dict, default_name: str) -> dict:
    mapped = {}
    for field in FORM_FIELDS:
        value = data.get(field)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "on" if value else ""
        mapped[FORM_NAMES.get(field, field)] = value
    mapped.setdefault("name", default_name)
    mapped.setdefault("mode", "std")
    return mapped


@endpoint(OPERATOR, "POST")
def motion_create(request):
    data = json_body(request)
    account = chosen_account(data)
    image_url = data.get("imageUrl") or data.get("image")
    # The 2025 body names the image `image`; the current one (and an empty body) `imageUrl`.
    parameter = "image" if "workId" in data and "imageUrl" not in data else "imageUrl"
    image, _ = asset_of(image_url, parameter, kinds=(Asset.Kind.IMAGE,))
    motion = _library_motion(data, account)
    clip = None
    if motion is None:
        clip, _ = asset_of(data.get("motionUrl"), "motionUrl", kinds=(Asset.Kind.VIDEO,))
        # Stands in for a library motion on the form: the 2026 options, no account of its own.
        motion = Motion(kind=Origin.MINE, key=f"api-asset:{clip.pk}", name=clip.label)
    else:
        account = motion.account  # a library motion lives on its account
    with image.file.open("rb") as image_file:
        form = MotionCreateForm(
            _form_data(data, f"{motion.shown_name} video (API)"),
            {"image": File(image_file, name=image.file.name)},
            motion=motion,
        )
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise Refusal(400, f"Parameter {field}: {' '.join(errors)}")
        fields = form.create_fields()
        if clip is not None:
            fields.pop("motionUrl", None)  # the submission uploads the clip and names it
        image_file.seek(0)
        task = _create(request, form, motion, account, image, image_file, fields, clip)
    audited.create(request, task, motion)
    return 200, shapes.task_model(request, task)


def _create(request, form, motion, account, image, image_file, fields, clip):
    common = dict(
        name=form.cleaned_data["name"], account=account, user=request.user,
        image=File(image_file), image_name=image.file.name, image_info=image.info,
        motion=motion.task_input(), create_fields=fields,
    )  # fmt: skip
    detail = f"Submitted by {request.user.get_username()} through the API: “{motion.shown_name}”."
    if clip is None:
        return accept.queue_new(accept.create_task(**common), detail)
    with clip.file.open("rb") as video:
        task = accept.create_task(**common, video=File(video), video_info=clip.info)
    return accept.queue_new(task, detail)


@endpoint(VIEWER)
def motions(request):
    """GET /videos/motions[?mine=true][&email=]: the library's cache, never a call upstream."""
    mine = str(request.GET.get("mine", "")).lower() in ("true", "1", "yes")
    listed = Motion.objects.select_related("source_task").filter(
        Q(kind=Origin.MINE if mine else Origin.OFFICIAL),
        account__removed_at__isnull=True,
        account__enabled=True,
    )
    email = request.GET.get("email", "").strip()
    if email:
        listed = listed.filter(account__email__iexact=email)
    seen: set[str] = set()
    items = []
    for item in listed.order_by("account_id", "position", "id"):
        if item.key in seen:
            continue  # an official motion is cached once per account: listed once
        seen.add(item.key)
        items.append(shapes.motion(item))
    return 200, items
