"""Motions by images in one apply: pick motions in the library, upload images, set the options
once, confirm, and get one batch of motion-create tasks (one per motion and image).

Every image is checked before anything is stored. The good ones are stored once each under a
staging name, and the confirmation page carries what to make as a signed value: nothing is
created until the person confirms, and confirming twice finds the batch the first one made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from motionhub import media
from motionhub.library.models import Motion
from motionhub.tasks import accept, callbacks
from motionhub.tasks.forms import (
    ClipsField,
    ClipsInput,
    MotionCreateForm,
    file_extension,
    local_path,
)
from motionhub.tasks.models import Batch, Kind, MotionTask

SALT = "motionhub.library.apply-run"
STAGING = "motions/staging"
# A confirmation page is good for this long; after it, the person starts again.
MAX_AGE_SECONDS = 3600


def applicable(motion: Motion) -> str:
    """Why `motion` cannot be applied now, or "" when it can."""
    if motion.work_id is None and not motion.video_src:
        return "it has neither a workId nor a video URL"
    if not motion.account.enabled or motion.account.removed_at:
        return "its Kling account is disabled or removed"
    return ""


class ApplyRunForm(MotionCreateForm):
    """The one-motion form's options, set once for every motion, and several images."""

    image = ClipsField(
        label="Images",
        help_text="One or more jpeg or png of the person to animate, at least 300 px on the "
        "short side, at most 10 MB each. Each image is combined with every motion picked.",
        widget=ClipsInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )

    def __init__(self, *args, motions: list[Motion], **kwargs):
        super().__init__(*args, motion=motions[0], **kwargs)
        self.motions = motions
        self.fields["name"].required = False
        self.fields[
            "name"
        ].help_text = (
            "Optional: each video is named from this (or its motion) and its image's file name."
        )
        if not self.is_bound:
            self.fields["name"].initial = ""

    def clean_image(self):
        uploads = self.cleaned_data["image"]
        self.images: list[tuple[object, media.ImageInfo]] = []
        self.refused: list[tuple[str, str]] = []
        for upload in uploads:
            name = Path(upload.name or "").name[:200] or "(no name)"
            try:
                if not upload.size:
                    raise media.MediaError("The submitted file is empty.")
                with local_path(upload) as path:
                    self.images.append((upload, media.probe_cover_image(path)))
            except media.MediaError as exc:
                self.refused.append((name, str(exc).replace("cover", "image")))
        if not self.images:
            raise forms.ValidationError([f"{name}: {reason}" for name, reason in self.refused])
        return uploads

    def fields_for(self, motion: Motion) -> dict:
        """The motion-create body for `motion` with the options set once."""
        self.motion = motion
        try:
            return self.create_fields()
        finally:
            self.motion = self.motions[0]


@dataclass
class Plan:
    """What a confirmation page offers to make, and its signed form."""

    motions: list[Motion]
    images: list[dict]  # {"stored", "name", "content_type", "width", "height"}
    refused: list[tuple[str, str]]
    signed: str

    @property
    def count(self) -> int:
        return len(self.motions) * len(self.images)

    @property
    def accounts(self) -> list:
        seen = {}
        for motion in self.motions:
            seen.setdefault(motion.account_id, motion.account)
        return list(seen.values())


def plan(form: ApplyRunForm) -> Plan:
    """Store the checked images (once each) and sign what the confirmation will make."""
    sweep_staging()
    images = []
    try:
        for upload, info in form.images:
            stored = default_storage.save(
                f"{STAGING}/{uuid.uuid4().hex}{file_extension(info.content_type)}", upload
            )
            images.append({"stored": stored, "name": Path(upload.name).name[:200],
                           "content_type": info.content_type, "width": info.width,
                           "height": info.height})  # fmt: skip
    except BaseException:
        for image in images:
            default_storage.delete(image["stored"])
        raise
    body = {
        "token": uuid.uuid4().hex,
        "name": form.cleaned_data.get("name", ""),
        "motions": {str(m.pk): form.fields_for(m) for m in form.motions},
        "images": images,
        "refused": form.refused,
    }
    signed = signing.dumps(body, salt=SALT, compress=True)
    return Plan(form.motions, images, form.refused, signed)


class PlanExpired(Exception):
    pass


def make(signed: str, user) -> tuple[Batch, bool]:
    """Create the batch a confirmation page offered; (batch, made now)."""
    try:
        body = signing.loads(signed, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise PlanExpired from exc
    if found := Batch.objects.filter(token=body["token"]).first():
        return found, False
    motions = Motion.objects.select_related("account", "source_task").in_bulk(
        [int(k) for k in body["motions"]]
    )
    if len(motions) != len(body["motions"]) or any(applicable(m) for m in motions.values()):
        raise PlanExpired
    detail = f"Submitted by {user.get_username()}"
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                kind=Kind.MOTION_CREATE, name=body["name"], created_by=user, token=body["token"],
                refused=[{"name": n, "reason": r} for n, r in body["refused"]],
            )  # fmt: skip
            for key, fields in body["motions"].items():
                motion = motions[int(key)]
                for image in body["images"]:
                    accept._queue(_task(batch, motion, fields, image, body["name"], user),
                                  f"{detail}: “{motion.shown_name}” applied to {image['name']}, "
                                  f"batch #{batch.pk}.")  # fmt: skip
    except IntegrityError:  # the same confirmation, clicked twice at once
        return Batch.objects.get(token=body["token"]), False
    return batch, True


def _task(batch: Batch, motion: Motion, fields: dict, image: dict, name: str, user) -> MotionTask:
    task = MotionTask(
        kind=Kind.MOTION_CREATE,
        name=f"{name or motion.shown_name} · {image['name']}"[:200],
        account=motion.account,
        submitted_by=user,
        batch=batch,
        reply_nonce=callbacks.new_nonce(),
        inputs={
            "image_name": image["name"],
            "image_content_type": image["content_type"],
            "width": image["width"],
            "height": image["height"],
            "motion": motion.task_input(),
            "create_fields": fields,
        },
    )
    # One stored image serves every motion applied to it: the tasks share its name.
    task.image.name = image["stored"]
    return task


def sweep_staging(now: datetime | None = None) -> int:
    """Delete staged images of confirmations never confirmed (older than twice their life);
    those a confirmed run's tasks use stay. Run whenever a new run is planned."""
    cutoff = (now or timezone.now()) - timedelta(seconds=2 * MAX_AGE_SECONDS)
    try:
        _folders, files = default_storage.listdir(STAGING)
    except FileNotFoundError:
        return 0
    old = [
        name
        for name in (f"{STAGING}/{file}" for file in files)
        if default_storage.get_modified_time(name) < cutoff
    ]
    used = set(MotionTask.objects.filter(image__in=old).values_list("image", flat=True))
    for name in old:
        if name not in used:
            default_storage.delete(name)
    return len(old) - len(used)
