"""Applying library motions to images, for POST /api/v1/motions/create: the options (the
apply forms' fields), the JSON body with image URLs, and the forms and accept paths the
library pages use (one motion on one image: a task; anything more: a batch)."""

from __future__ import annotations

import tempfile
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from motionhub.api import shapes
from motionhub.api.problems import Problem, invalid
from motionhub.library import runs
from motionhub.library.models import Motion
from motionhub.tasks import accept, audited
from motionhub.tasks.forms import MotionCreateForm
from motionhub.useapi import fetch
from motionhub.useapi.errors import UseapiError

# The image checks allow 10 MB; a little more is fetched so the check, not the fetch, says so.
IMAGE_MAX_BYTES = 11 * 1024 * 1024
IMAGE_TIMEOUT_SECONDS = 30.0


class CreateOptions(Schema):
    """The apply form's options. 2026 motions take model_name, keep_audio, motion_direction
    and element_1; 2025 ones duration, character_id and the audio options."""

    name: str = Field("", description="Default: the motion's name and “video”.")
    prompt: str = ""
    mode: Literal["std", "pro"] = "std"
    model_name: Literal["kling-v3-0", "kling-v2-6"] = "kling-v3-0"
    keep_audio: bool = False
    motion_direction: Literal["motion_direction", "image_direction"] = "motion_direction"
    element_1: str = ""
    duration: Literal["5", "10"] = "5"
    character_id: int = 0
    change_direction: bool = False
    sound_effect: bool = False
    audio_prompt: str = ""
    music_prompt: str = ""
    enable_asmr: bool = False


class CreateJson(CreateOptions):
    """The JSON body: motions by id and images by URL (public http(s) addresses only)."""

    motion: list[int] = Field(min_length=1)
    image_url: list[str] = Field(min_length=1)


def form_data(options: CreateOptions) -> dict:
    # An unticked box is absent from a form post: a False must not reach the form as "False".
    return {key: value for key, value in options.model_dump().items() if value is not False}


def images_from_urls(urls: list[str]) -> list[SimpleUploadedFile]:
    """Each image downloaded as the archive downloads results: http(s) only, never from a
    private or loopback address, size- and time-limited. A refusal is a 422 naming the URL."""
    images = []
    with requests.Session() as session:
        for url in urls:
            with tempfile.TemporaryFile() as sink:
                try:
                    got = fetch.fetch(session, url, sink, max_bytes=IMAGE_MAX_BYTES,
                                      timeout=IMAGE_TIMEOUT_SECONDS)  # fmt: skip
                except UseapiError as exc:
                    shown = fetch.public_url(url) or "the image_url"
                    # The message alone: the fetch's suggestions speak of the archive's retries.
                    raise invalid({"image_url": [f"{shown}: {exc}"]}) from exc
                sink.seek(0)
                name = PurePosixPath(urlsplit(url).path).name or "image"
                images.append(SimpleUploadedFile(name[:200], sink.read(), got.content_type))
    return images


def motions_of(ids: list[int]) -> list[Motion]:
    if not ids:
        raise invalid({"motion": ["This field is required."]})
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


def create(request: HttpRequest, ids: list[int], files, data: dict) -> dict:
    """Check and queue; `files` holds the images as `image` (a MultiValueDict)."""
    motions = motions_of(ids)
    if not files.getlist("image"):
        raise invalid({"image": ["This field is required."]})
    if len(motions) == 1 and len(files.getlist("image")) == 1:
        return _create_one(request, motions[0], files, data)
    return _create_run(request, motions, files, data)


def _create_one(request: HttpRequest, motion: Motion, files, data: dict) -> dict:
    data = {**data, "name": data.get("name") or f"{motion.name} video"[:200]}
    form = MotionCreateForm(data, files, motion=motion)
    if not form.is_valid():
        raise invalid(form.errors)
    task = accept.accept_create(form, request.user)
    audited.create(request, task, motion)
    return {"batch": None, "tasks": [shapes.task_by_id(request, task.pk)], "refused": []}


def _create_run(request: HttpRequest, motions: list[Motion], files, data: dict) -> dict:
    form = runs.ApplyRunForm(data, files, motions=motions)
    if not form.is_valid():
        raise invalid(form.errors)
    batch, made = runs.make(runs.plan(form).signed, request.user)
    if not made:  # a fresh plan has a fresh token: another batch cannot hold it
        raise Problem(409, "This run was made already.")
    audited.create_run(request, batch, batch.tasks.count())
    return shapes.submitted(request, run=batch)
