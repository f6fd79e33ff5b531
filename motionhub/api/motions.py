"""/api/v1/motions: upload custom motions (a clip, or a run of them as a batch), and apply
library motions to images (one, or motions x images as a batch).

The forms the pages use do the checking (same checks, same messages), and the pages' accept
paths queue the work: the API adds no pipeline of its own, and never calls upstream.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, UploadedFile

from motionhub import audit
from motionhub.api import access, replies, schemas, shapes
from motionhub.api.problems import Problem, invalid
from motionhub.api.tasks import PROBLEMS
from motionhub.library import runs
from motionhub.library.models import Motion
from motionhub.tasks import accept
from motionhub.tasks import runs as upload_runs
from motionhub.tasks.forms import MotionCreateForm, MotionUploadForm

router = Router(tags=["motions"])
ANSWERS = {201: schemas.SubmittedOut, 400: schemas.ProblemOut, **PROBLEMS}


@router.post("/upload", auth=access.operators, response=ANSWERS, url_name="motion-upload")
def upload(
    request: HttpRequest,
    video: File[list[UploadedFile]],
    cover: File[UploadedFile | None] = None,
    name: Form[str] = "",
    account: Form[str] = "auto",
):
    """Upload a custom motion: `video` (mp4/mov, 2 to 10 s; repeat the field for a run, which
    becomes one batch), an optional `cover` for every clip, a `name`, and an `account` id or
    `auto`. Answers the task (or the batch and its tasks, and the clips refused and why)."""

    def work():
        form = MotionUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            raise invalid(form.errors)
        chosen = form.cleaned_data["account"]
        where = "automatic" if chosen is None else chosen.display_name
        if form.is_run:
            batch = upload_runs.accept_run(form, request.user)
            audit.record(
                request, audit.Action.MOTION_UPLOAD, target=batch, account=chosen,
                outcome=audit.Outcome.REQUESTED,
                detail=f"Batch of {len(form.clips)} clips ({len(form.refused)} refused); "
                f"account {where}",
            )  # fmt: skip
            return 201, _submitted(request, batch=batch)
        task = accept.accept_upload(form, request.user)
        audit.record(
            request, audit.Action.MOTION_UPLOAD, target=task, account=task.account,
            outcome=audit.Outcome.REQUESTED,
            detail=f"{task.inputs['duration_s']} s video; account {where}",
        )  # fmt: skip
        return 201, _submitted(request, task_id=task.pk)

    return replies.once(request, work)


def _submitted(request: HttpRequest, *, batch=None, task_id: int | None = None) -> dict:
    if batch is None:
        return {"batch": None, "tasks": [shapes.task_by_id(request, task_id)], "refused": []}
    found = shapes.batch(request, batch, with_tasks=True)
    tasks = found.pop("tasks")
    return {"batch": found, "tasks": tasks, "refused": found["refused"]}


@router.post("/create", auth=access.operators, response=ANSWERS, url_name="motion-create")
def create(
    request: HttpRequest,
    motion: Form[list[int]],
    image: File[list[UploadedFile]],
    name: Form[str] = "",
    prompt: Form[str] = "",
    mode: Form[Literal["std", "pro"]] = "std",
    model_name: Form[Literal["kling-v3-0", "kling-v2-6"]] = "kling-v3-0",
    keep_audio: Form[bool] = False,
    motion_direction: Form[Literal["motion_direction", "image_direction"]] = "motion_direction",
    element_1: Form[str] = "",
    duration: Form[Literal["5", "10"]] = "5",
    character_id: Form[int] = 0,
    change_direction: Form[bool] = False,
    sound_effect: Form[bool] = False,
    audio_prompt: Form[str] = "",
    music_prompt: Form[str] = "",
    enable_asmr: Form[bool] = False,
):
    """Apply library motions (`motion`: ids from GET /library) to images (`image`: jpeg/png).
    One motion and one image make one task; more make one batch of motions x images. The
    options are the apply form's: 2026 motions take model_name, keep_audio, motion_direction
    and element_1; 2025 ones duration, character_id and the audio options."""
    options = {
        "prompt": prompt, "mode": mode, "model_name": model_name, "keep_audio": keep_audio,
        "motion_direction": motion_direction, "element_1": element_1, "duration": duration,
        "character_id": character_id, "change_direction": change_direction,
        "sound_effect": sound_effect, "audio_prompt": audio_prompt,
        "music_prompt": music_prompt, "enable_asmr": enable_asmr,
    }  # fmt: skip
    # Unticked boxes are absent from a form post: a False must not reach the form as "False".
    data = {key: value for key, value in options.items() if value is not False}

    def work():
        motions = _motions(motion)
        if len(motions) == 1 and len(image) == 1:
            return 201, _create_one(request, motions[0], {**data, "name": name})
        return 201, _create_run(request, motions, {**data, "name": name})

    return replies.once(request, work)


def _motions(ids: list[int]) -> list[Motion]:
    found = Motion.objects.select_related("account__connection", "source_task").filter(
        pk__in=ids, account__removed_at__isnull=True
    )
    motions = sorted(found, key=lambda m: m.pk)
    if len(motions) != len(set(ids)):
        raise invalid({"motion": ["A selected motion is no longer in the library; refresh it."]})
    refused = [f"“{m.shown_name}”: {why}" for m in motions if (why := runs.applicable(m))]
    if refused:
        raise invalid({"motion": ["These motions cannot be applied: " + "; ".join(refused)]})
    if len({m.work_id is None for m in motions}) > 1:
        raise invalid({"motion": [
            "Pick motions of one API generation at a time: their options differ "
            "(Kling's 2025 motions take a duration, 2026 ones a model)."
        ]})  # fmt: skip
    return motions


def _create_one(request: HttpRequest, motion: Motion, data: dict) -> dict:
    data["name"] = data["name"] or f"{motion.name} video"[:200]
    form = MotionCreateForm(data, request.FILES, motion=motion)
    if not form.is_valid():
        raise invalid(form.errors)
    task = accept.accept_create(form, request.user)
    audit.record(
        request, audit.Action.MOTION_CREATE, target=task, account=task.account,
        outcome=audit.Outcome.REQUESTED, detail=f"Motion “{motion.shown_name}” ({motion.key})",
    )  # fmt: skip
    return {"batch": None, "tasks": [shapes.task_by_id(request, task.pk)], "refused": []}


def _create_run(request: HttpRequest, motions: list[Motion], data: dict) -> dict:
    form = runs.ApplyRunForm(data, request.FILES, motions=motions)
    if not form.is_valid():
        raise invalid(form.errors)
    batch, made = runs.make(runs.plan(form).signed, request.user)
    if not made:  # a fresh plan has a fresh token: another batch cannot hold it
        raise Problem(409, "This run was made already.")
    audit.record(
        request, audit.Action.MOTION_CREATE, target=batch, outcome=audit.Outcome.REQUESTED,
        detail=f"Batch of {batch.tasks.count()} motion-create tasks (motions by images)",
    )  # fmt: skip
    return _submitted(request, batch=batch)
