"""Motion control: POST /videos/motion-upload, POST /videos/motion-create, GET /videos/motions
(reference sections 4 to 6 and the motion-upload spec in the seed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from motionhub.sandbox import (
    catalogue,
    clock,
    errors,
    lifecycle,
    lookups,
    params,
    payloads,
    triggers,
)
from motionhub.sandbox.api import endpoint, files_base
from motionhub.sandbox.auth import Caller, select_account
from motionhub.sandbox.models import Account, CreateCall, SandboxConfig, Task

MAX_PROMPT = 2500


def _input(name: str, url: str, *, cover: str | None = None, from_work_id: int = 0) -> dict:
    return {
        "name": name,
        "inputType": "URL",
        "token": None,
        "blobStorage": None,
        "url": url,
        "cover": cover,
        "fromWorkId": from_work_id,
        "fromUploadId": "",
    }


def _arguments(values: Mapping[str, Any]) -> list[dict]:
    # Kling echoes its arguments as strings; booleans as "true"/"false".
    return [
        {"name": name, "value": str(value).lower() if isinstance(value, bool) else str(value)}
        for name, value in values.items()
    ]


@endpoint("POST")
def motion_upload(request: HttpRequest, caller: Caller) -> HttpResponse:
    """Extract a motion from an uploaded video; it joins `mine=true` once the task succeeds."""
    data = params.read_body(request)
    account = select_account(caller, params.text(data, "email"))
    resource_url = params.text(data, "resourceUrl", required=True)
    cover_url = params.text(data, "coverUrl", required=True)
    max_jobs = params.integer(data, "maxJobs", 1, 50)
    reply_url, reply_ref = params.reply(data)

    video = lookups.asset(account, resource_url, "video")
    cover = lookups.cover(account, cover_url)
    if video is None or not cover:
        raise errors.resource_not_found()
    # The spec rejects clips outside 2-10 s; a video the sandbox could not measure passes.
    if video.duration_ms and not 2000 <= video.duration_ms <= 10000:
        raise errors.Refusal(
            400,
            f"Video must be between 2 and 10 seconds long, not {video.duration_ms / 1000:.1f} s",
        )
    task = Task(
        type=Task.MOTION_PROCESS,
        scene="MOTION_EXTRACTION",
        inputs=[_input("input", resource_url, cover=cover_url)],
        arguments=_arguments({"prompt": "", "motionType": "video2motion", "biz": "klingai"}),
        output={
            "video": video.file_name,
            "cover": cover,
            "width": video.width,
            "height": video.height,
            "duration": video.duration_ms,
        },
    )
    return _submit(
        request, caller, account, task, data, max_jobs=max_jobs, reply=(reply_url, reply_ref)
    )


@endpoint("POST")
def motion_create(request: HttpRequest, caller: Caller) -> HttpResponse:
    """Apply a motion to a person's image. Takes the October-2025 body (workId + image) and the
    2026 body (imageUrl + motionUrl) in either shape; the shape only decides which parameter a
    body with neither is told it lacks."""
    data = params.read_body(request)
    account = select_account(caller, params.text(data, "email"))
    base = files_base(request)
    if "imageUrl" in data or "motionUrl" in data:
        task = _create_2026(account, data)
    elif "workId" in data or "image" in data or caller.config.shape == SandboxConfig.SHAPE_2025:
        task = _create_2025(account, data, base)
    else:
        task = _create_2026(account, data)
    reply = params.reply(data)
    if "nomatch" in triggers.markers(account.email):
        raise errors.Refusal(400, "No person could be found in the image (MOTION.PIC_NOT_MATCHED)")
    return _submit(request, caller, account, task, data, max_jobs=None, reply=reply)


def _create_2025(account: Account, data: Mapping[str, Any], base: str) -> Task:
    work_id = params.integer(data, "workId", required=True)
    image_url = params.text(data, "image", required=True)
    values = {
        "prompt": params.text(data, "prompt", max_length=MAX_PROMPT),
        "duration": params.integer(data, "duration", default=5),
        "mode": params.choice(data, "mode", ("std", "pro")),
        "character_id": params.integer(data, "character_id", 0, 10, default=0),
        "change_direction": params.boolean(data, "change_direction"),
        "sound_effect": params.boolean(data, "sound_effect"),
        "audio_prompt": params.text(data, "audio_prompt", max_length=MAX_PROMPT),
        "music_prompt": params.text(data, "music_prompt", max_length=MAX_PROMPT),
        "enable_asmr": params.boolean(data, "enable_asmr"),
    }
    if values["duration"] not in (5, 10):
        raise errors.Refusal(400, "Parameter duration must be 5 or 10")

    image = lookups.asset(account, image_url, "image")
    official = catalogue.official(work_id) if work_id < 0 else None
    mine = lifecycle.user_motions(account).filter(work_id=work_id).first() if work_id > 0 else None
    if image is None or (official is None and mine is None):
        raise errors.resource_not_found()
    if official:
        video, cover, size = official.video, official.cover, (catalogue.WIDTH, catalogue.HEIGHT)
    else:
        video, cover = mine.output["video"], mine.output["cover"]
        size = (mine.output.get("width"), mine.output.get("height"))
    return Task(
        type=Task.MOTION_CREATE,
        scene="NORMAL_CREATION",
        inputs=[
            _input("input", image_url),
            _input("motion", base + video, cover=base + cover, from_work_id=work_id),
        ],
        arguments=_arguments({"workId": work_id, **values}),
        output={
            "video": video,
            "cover": cover,
            "width": size[0],
            "height": size[1],
            "duration": values["duration"] * 1000,
        },
    )


def _create_2026(account: Account, data: Mapping[str, Any]) -> Task:
    image_url = params.text(data, "imageUrl", required=True)
    motion_url = params.text(data, "motionUrl", required=True)
    values = {
        "model_name": params.choice(data, "model_name", ("kling-v3-0", "kling-v2-6")),
        "prompt": params.text(data, "prompt", max_length=MAX_PROMPT),
        "keepAudio": params.boolean(data, "keepAudio"),
        "motionDirection": params.choice(
            data, "motionDirection", ("motion_direction", "image_direction")
        ),
        "mode": params.choice(data, "mode", ("std", "pro")),
        "element_1": params.text(data, "element_1", max_length=100),
    }
    if values["element_1"] and values["model_name"] != "kling-v3-0":
        raise errors.Refusal(400, "Parameter element_1 requires model_name kling-v3-0")

    image = lookups.asset(account, image_url, "image")
    video = lookups.asset(account, motion_url, "video")
    official = lookups.official_video(motion_url)
    if image is None or (video is None and official is None):
        raise errors.resource_not_found()
    if video:
        output = {
            "video": video.file_name,
            "cover": video.cover_name,
            "width": video.width,
            "height": video.height,
            "duration": video.duration_ms,
        }
    else:
        output = {
            "video": official.video,
            "cover": official.cover,
            "width": catalogue.WIDTH,
            "height": catalogue.HEIGHT,
            "duration": catalogue.DURATION_MS,
        }
    return Task(
        type=Task.MOTION_CREATE,
        scene="NORMAL_CREATION",
        inputs=[_input("input", image_url), _input("motion", motion_url)],
        arguments=_arguments(values),
        output=output,
    )


def _submit(
    request: HttpRequest,
    caller: Caller,
    account: Account,
    task: Task,
    data: Mapping[str, Any],
    *,
    max_jobs: int | None,
    reply: tuple[str, str],
) -> HttpResponse:
    """Take a slot and create the task, or refuse; shared by both create endpoints."""
    triggers.roll_gateway_before(caller.config)
    triggers.check_create(account)
    task.reply_url, task.reply_ref = reply
    task.base_url = files_base(request)
    cap = max_jobs or account.max_jobs
    with transaction.atomic():
        # The row lock (PostgreSQL; SQLite serialises writers with IMMEDIATE transactions)
        # makes count-then-insert safe when several processes submit for one account at once.
        locked = Account.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:
            raise errors.account_not_found(account.email)
        busy = lifecycle.running(locked.tasks.all()).count()
        if busy >= cap:
            raise errors.no_free_slot(f"{busy} of {cap} jobs running on {locked.email}")
        # The answer below shows the balance as the task was accepted (`locked` is read before
        # the charge); every later reading shows it after: their difference is the task's cost.
        triggers.charge(locked)
        task.account = locked
        task.save(force_insert=True)
        CreateCall.objects.create(
            namespace=locked.namespace,
            email=locked.email,
            type=task.type,
            task_id=task.pk,
            body={key: value for key, value in data.items() if key != "email"},
        )
    if task.reply_url and clock.enabled():
        clock.announce_at_end(task.pk, task.created)  # useapi calls back when a task ends
    triggers.roll_gateway_after(caller.config)  # committed: the task exists, the answer is lost
    return JsonResponse(payloads.task_body(task, lifecycle.Status(lifecycle.SUBMITTED)))


@endpoint("GET")
def motions(request: HttpRequest, caller: Caller) -> HttpResponse:
    account = select_account(caller, request.GET.get("email"))
    mine = params.boolean(request.GET, "mine")
    base = files_base(request)
    if caller.config.shape == SandboxConfig.SHAPE_2026:
        # No paging in this shape; user motions are simply the uploaded videos.
        if not mine:
            items = [payloads.official_2026(motion, base) for motion in catalogue.OFFICIAL]
        else:
            videos = account.assets.filter(kind="video").order_by("-created", "-pk")
            items = [payloads.user_motion_2026(asset, base) for asset in videos]
        return JsonResponse(items, safe=False)
    if not mine:
        items = [payloads.official_2025(motion, base) for motion in catalogue.OFFICIAL]
        return JsonResponse(items, safe=False)
    page_num = params.integer(request.GET, "pageNum", 1, 1_000_000, default=1)
    page_size = params.integer(request.GET, "pageSize", 1, 100, default=40)
    start = (page_num - 1) * page_size
    page = lifecycle.user_motions(account).select_related("account")[start : start + page_size]
    return JsonResponse([payloads.user_motion_2025(task, base) for task in page], safe=False)
