"""Accepting work: store the files under generated names, create the task `queued` with its
first timeline row, and have the dispatcher pick it up once the transaction commits.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from motionhub import media
from motionhub.tasks import callbacks, dispatch
from motionhub.tasks.forms import MotionUploadForm, file_extension
from motionhub.tasks.models import Kind, MotionTask, State, TaskEvent


def _generated_name(content_type: str) -> str:
    # Never the client's file name: it may carry paths or tricks; we keep it only for display.
    return uuid.uuid4().hex + file_extension(content_type)


def accept_upload(form: MotionUploadForm, user) -> MotionTask:
    clip = form.clips[0]
    task = prepare_upload(form, clip, user)
    try:
        _queue(task, f"Submitted by {user.get_username()}.")
    except BaseException:
        discard_files(task)
        raise
    return task


def prepare_upload(form: MotionUploadForm, clip, user) -> MotionTask:
    """An unsaved motion-upload task for one checked clip, its video and cover stored."""
    data = form.cleaned_data
    video, video_info, cover_info = clip.upload, clip.info, form.cover_info
    if data["cover"]:
        data["cover"].seek(0)  # one cover may serve every clip of a run
    return upload_task(
        name=form.clip_name(clip),
        account=data["account"],
        user=user,
        video=video,
        video_name=video.name,
        video_info=_measured(video_info),
        cover=data["cover"] or None,
        cover_content_type=cover_info.content_type if data["cover"] else "",
    )


def _measured(info) -> dict:
    return {
        "content_type": info.content_type,
        "duration_s": info.duration_s,
        "width": info.width,
        "height": info.height,
        "size": info.size,
    }


def upload_task(*, name: str, account, user, video, video_name: str, video_info: dict,
                cover=None, cover_content_type: str = "") -> MotionTask:  # fmt: skip
    """An unsaved motion-upload task with its video (and cover, else a frame of the video)
    stored: what the upload form and the gateway's motion-upload both make.

    `video_info` holds what media.probe_motion_video measured (content_type, duration_s, width,
    height, size); `video` and `cover` are files (an upload, or a stored file opened).
    """
    task = MotionTask(
        kind=Kind.MOTION_UPLOAD,
        name=name,
        account=account,
        auto_account=account is None,
        submitted_by=user,
        reply_nonce=callbacks.new_nonce(),
        inputs={
            "video_name": Path(video_name).name[:200],
            "video_content_type": video_info["content_type"],
            "duration_s": round(video_info["duration_s"], 2),
            "width": video_info["width"],
            "height": video_info["height"],
            "video_size": video_info["size"],
        },
    )
    try:
        task.video.save(_generated_name(video_info["content_type"]), video, save=False)
        if cover is not None:
            task.cover.save(_generated_name(cover_content_type), cover, save=False)
            task.inputs["cover_content_type"] = cover_content_type
        else:
            _cover_from_video(task)
    except BaseException:
        discard_files(task)  # nothing half-saved: no task, no orphan files
        raise
    return task


def queue_new(task: MotionTask, detail: str) -> MotionTask:
    """Save a task made by `upload_task` or `create_task` queued; its files go if that fails."""
    try:
        _queue(task, detail)
    except BaseException:
        discard_files(task)
        raise
    return task


def discard_files(task: MotionTask) -> None:
    for field in (task.video, task.cover, task.image):
        if field:
            field.delete(save=False)


def _queue(task: MotionTask, detail: str) -> None:
    """Save the new task `queued` with its first timeline row; dispatch once committed."""
    with transaction.atomic():
        task.save()
        TaskEvent.objects.create(
            task=task, to_state=State.QUEUED, source=TaskEvent.Source.PERSON, detail=detail
        )
        dispatch.soon()


def _cover_from_video(task: MotionTask) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "cover.jpg"
        info = media.extract_cover(_local_path(task.video, Path(tmp)), dest)
        with dest.open("rb") as fh:
            task.cover.save(_generated_name(info.content_type), File(fh), save=False)
    task.cover_from_video = True
    task.inputs["cover_content_type"] = info.content_type


def _local_path(field, folder: Path) -> Path:
    """The stored file on this disk: itself when the storage is local, else a copy in `folder`
    (object storage has no paths)."""
    try:
        return Path(field.path)
    except NotImplementedError:
        copy = folder / "source"
        with field.open("rb") as stored, copy.open("wb") as out:
            for chunk in stored.chunks():
                out.write(chunk)
        return copy


def retry(task: MotionTask, user) -> tuple[MotionTask, bool]:
    """A new task with the same inputs, linked to the one that failed; (task, made now).

    One per task, whoever asks and however often: the conditional update of `retried` lets
    exactly one request make it (two at once: the second waits on the row, then finds it set)
    and the others get that retry back.
    """
    with transaction.atomic():
        if not MotionTask.objects.filter(pk=task.pk, retried=False).update(retried=True):
            existing = task.retries.order_by("created_at", "id").first()
            if existing is not None:
                return existing, False
        new = _retry_of(task, user)
    return new, True


def _retry_of(task: MotionTask, user) -> MotionTask:
    new = MotionTask.objects.get(pk=task.pk)
    new.pk = None
    new._state.adding = True
    fresh = dict(
        state=State.QUEUED,
        retry_of_id=task.pk,
        retried=False,
        read_failing_since=None,
        submitted_by=user,
        account_id=None if task.auto_account else task.account_id,
        upstream_task_id=None,
        upstream_status="",
        upstream={},
        error_category="",
        error_message="",
        attempts=0,
        not_before=None,
        next_poll_at=None,
        reply_nonce=callbacks.new_nonce(),
        claimed_at=None,
        submitted_at=None,
        finished_at=None,
        created_at=timezone.now(),
    )
    for field, value in fresh.items():
        setattr(new, field, value)
    _queue(new, f"Retry of task #{task.pk} by {user.get_username()}.")
    return new


def accept_create(form, user) -> MotionTask:
    """Queue a motion-create task: the image is stored, the motion named by what it was."""
    motion = form.motion
    image_info = form.image_info
    task = MotionTask(
        kind=Kind.MOTION_CREATE,
        name=form.cleaned_data["name"],
        account=motion.account,
        submitted_by=user,
        reply_nonce=callbacks.new_nonce(),
        inputs={
            "image_name": Path(form.cleaned_data["image"].name).name[:200],
            "image_content_type": image_info.content_type,
            "width": image_info.width,
            "height": image_info.height,
            "motion": motion.task_input(),
            "create_fields": form.create_fields(),
        },
    )
    task.image.save(_generated_name(image_info.content_type), form.cleaned_data["image"],
                    save=False)  # fmt: skip
    try:
        _queue(
            task, f"Submitted by {user.get_username()}: “{motion.shown_name}” applied to an image."
        )
    except BaseException:
        task.image.delete(save=False)
        raise
    return task


def create_task(*, name: str, account, user, image, image_name: str, image_info: dict,
                motion: dict, create_fields: dict, video=None,
                video_info: dict | None = None) -> MotionTask:  # fmt: skip
    """An unsaved motion-create task with its image stored (the gateway's motion-create).

    With `video` (a motion reference clip MotionHub keeps) the task is not tied to an account:
    `account` None means automatic, and the submission uploads the clip to whichever account
    takes it and names it as `motionUrl` (submit.py). Without it, `create_fields` name the
    motion (`motionUrl` of a library motion, or `workId`) and `account` is the motion's.
    """
    task = MotionTask(
        kind=Kind.MOTION_CREATE,
        name=name[:200],
        account=account,
        auto_account=account is None,
        submitted_by=user,
        reply_nonce=callbacks.new_nonce(),
        inputs={
            "image_name": Path(image_name).name[:200],
            "image_content_type": image_info["content_type"],
            "width": image_info["width"],
            "height": image_info["height"],
            "motion": motion,
            "create_fields": create_fields,
        },
    )
    try:
        task.image.save(_generated_name(image_info["content_type"]), image, save=False)
        if video is not None:
            task.video.save(_generated_name(video_info["content_type"]), video, save=False)
            task.inputs["video_content_type"] = video_info["content_type"]
            task.inputs["duration_s"] = round(video_info["duration_s"], 2)
    except BaseException:
        discard_files(task)
        raise
    return task
