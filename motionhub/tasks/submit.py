"""The submission job: upload the assets, then send the create call — never twice.

A task arrives here already holding a slot (`dispatch.claim` moved it queued → uploading).

    uploading ──assets──► submitting ──create call──► submitted
        │                     │
        │ 429 / 5xx / timeout │ timeout or reset after sending: did upstream get it?
        ▼                     ▼
      queued (back-off)   needs_attention   (never a blind resend that spends credits twice)

The create call is sent only after the task moved to `submitting` by a conditional update, so
two runs of this job cannot both send it; a run that finds the task already `submitting` knows
an earlier run died mid-call and hands the task to a person instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from motionhub.tasks import callbacks, timeline, wake
from motionhub.tasks.models import Kind, MotionTask, State, TaskEvent
from motionhub.useapi import UseapiError
from motionhub.useapi.errors import NoFreeSlot, NotFound

log = logging.getLogger(__name__)

WORKER = TaskEvent.Source.WORKER
DIED_MID_CALL = (
    "A worker stopped after sending the create call and before recording the answer, so "
    "MotionHub cannot tell whether Kling received it. It was not resent, to avoid spending "
    "credits twice. Check the account's tasks on Kling; retry only if it is not there."
)


def run(task_id: int) -> None:
    task = MotionTask.objects.select_related("account__connection").filter(pk=task_id).first()
    if task is None:
        return
    if task.state == State.SUBMITTING:
        if not _found_among_running_jobs(task):
            timeline.move(task_id, [State.SUBMITTING], State.NEEDS_ATTENTION, source=WORKER,
                          detail=DIED_MID_CALL, error_category="interrupted",
                          error_message=DIED_MID_CALL)  # fmt: skip
        return
    if task.state != State.UPLOADING:
        return  # done already, canceled, or not ours
    client = task.account.connection.client()
    email = task.account.email
    try:
        payload = _prepare(task, client, email)
    except UseapiError as exc:
        _before_create_failed(task, exc)
        return
    # Only for the claim this job was started for. A job that outlived Q_RETRY (a backlog, a
    # redelivery) may find its task swept back to the queue and claimed again meanwhile —
    # perhaps by another account, whose job sends it: this one would create it upstream on the
    # old account while the task records the new one (tracked there, it would end "gone").
    claim = {"claimed_at": task.claimed_at, "account_id": task.account_id}
    if not timeline.move(task_id, [State.UPLOADING], State.SUBMITTING, source=WORKER,
                         detail="Sending the create call.", only_if=claim):  # fmt: skip
        return
    try:
        if task.kind == Kind.MOTION_UPLOAD:
            result = client.motion_upload(email=email, **payload)
        else:
            result = client.motion_create(email=email, **payload)
    except UseapiError as exc:
        _create_failed(task, exc)
        return
    recorded = MotionTask.objects.values_list("upstream", flat=True).get(pk=task_id)
    upstream = {**recorded, "create": result.raw}
    now = timezone.now()
    moved = timeline.move(
        task_id,
        [State.SUBMITTING],
        State.SUBMITTED,
        source=WORKER,
        detail=f"Upstream task {result.task_id} created ({result.status_name or 'submitted'}).",
        upstream_task_id=result.task_id,
        upstream_status=result.status_name or "submitted",
        upstream=upstream,
        submitted_at=now,
        next_poll_at=now + timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS),
    )
    if moved:
        wake.heartbeat_soon()  # start tracking now rather than at the next scheduled beat


def _prepare(task: MotionTask, client, email: str) -> dict:
    """Upload what the create call needs (once: a rerun reuses recorded assets)."""
    # Assets belong to the Kling account they were uploaded to. An "automatic" task that backed
    # off may be claimed by another account next time: it must upload again, or the create call
    # names another account's files and is refused (404, "asset missing").
    assets = {
        key: asset
        for key, asset in task.upstream.get("assets", {}).items()
        if asset.get("email", email) == email  # (records without an email predate this check)
    }

    def upload(key: str, field, content_type: str) -> dict:
        if key not in assets:
            with field.open("rb") as stream:  # from storage (local or S3), streamed
                asset = client.upload_asset(stream, content_type, email=email, size=field.size)
            assets[key] = {
                "url": asset.url,
                "resourceUrl": asset.resource_url,
                "coverUrl": asset.cover_url,
                "fileName": asset.file_name,
                "email": email,
            }
            MotionTask.objects.filter(pk=task.pk).update(
                upstream={**task.upstream, "assets": assets}
            )
            timeline.note(task.pk, source=WORKER, state=State.UPLOADING,
                          detail=f"Uploaded the {key} (POST /assets).")  # fmt: skip
        return assets[key]

    reply = callbacks.reply_fields(task.pk, task.reply_nonce)
    if task.kind == Kind.MOTION_UPLOAD:
        video = upload("video", task.video, task.inputs.get("video_content_type", "video/mp4"))
        cover = upload("cover", task.cover, task.inputs.get("cover_content_type", "image/jpeg"))
        payload = {
            "resource_url": video["resourceUrl"] or video["url"],
            # An image upload answers with `url`; prefer a `coverUrl` if one is given.
            "cover_url": cover["coverUrl"] or cover["url"] or video["coverUrl"],
        }
        if task.account.max_jobs:
            payload["max_jobs"] = task.account.max_jobs
        return payload | reply
    image = upload("image", task.image, task.inputs.get("image_content_type", "image/jpeg"))
    fields = dict(task.inputs.get("create_fields", {}))
    image_field = "imageUrl" if "motionUrl" in fields else "image"
    fields[image_field] = image["url"]
    if reply:
        fields["replyUrl"], fields["replyRef"] = reply["reply_url"], reply["reply_ref"]
    return fields


def _before_create_failed(task: MotionTask, exc: UseapiError) -> None:
    """Nothing was created upstream yet: transient trouble waits and retries, the rest ends."""
    if exc.transient:
        _back_off(task, exc, State.UPLOADING)
    else:
        _reject(task, exc, State.UPLOADING)


def _create_failed(task: MotionTask, exc: UseapiError) -> None:
    sent_and_unanswered = exc.transient and exc.request_sent and exc.status is None
    if sent_and_unanswered:
        # A timeout or reset after sending: upstream may have created the task.
        if _found_among_running_jobs(task):
            return
        timeline.move(task.pk, [State.SUBMITTING], State.NEEDS_ATTENTION, source=WORKER,
                      detail=f"{exc} The create call was not resent.",
                      error_category=exc.category, error_message=str(exc))  # fmt: skip
    elif exc.transient:
        # 429 or a 5xx answer: upstream said no, nothing was created; try again later.
        _back_off(task, exc, State.SUBMITTING)
    else:
        _reject(task, exc, State.SUBMITTING)


def _found_among_running_jobs(task: MotionTask) -> bool:
    """Reconcile a create call whose answer was lost, without sending it again.

    When callbacks were asked for, the call carried our signed replyRef, and useapi lists the
    running jobs of the token with their replyRef (GET /scheduler/available): if ours is there,
    the task was created — record its id and track it. Otherwise (no reference, already
    finished, or the list cannot be read) a person has to look: never a blind resend.
    """
    reply = callbacks.reply_fields(task.pk, task.reply_nonce)
    if not reply or task.account is None:
        return False
    try:
        capacity = task.account.connection.client().scheduler_available()
    except UseapiError:
        return False
    job = next(
        (j for j in capacity.executing if j.reply_ref == reply["reply_ref"] and j.task_id), None
    )
    if job is None:
        return False
    now = timezone.now()
    return timeline.move(
        task.pk, [State.SUBMITTING], State.SUBMITTED, source=WORKER,
        detail=f"The create call's answer was lost; upstream task {job.task_id} was found among "
        "the account's running jobs (GET /scheduler/available), so it was not sent again.",
        upstream_task_id=job.task_id, upstream_status="submitted", submitted_at=now,
        next_poll_at=now + timedelta(seconds=settings.MOTIONHUB_POLL_SECONDS),
    )  # fmt: skip


def _back_off(task: MotionTask, exc: UseapiError, from_state: str) -> None:
    attempts = task.attempts + (0 if isinstance(exc, NoFreeSlot) else 1)
    if attempts >= settings.MOTIONHUB_MAX_ATTEMPTS:
        timeline.move(task.pk, [from_state], State.FAILED, source=WORKER,
                      detail=f"Gave up after {attempts} attempts: {exc}",
                      error_category=exc.category, error_message=str(exc),
                      attempts=attempts)  # fmt: skip
        return
    delay = backoff_seconds(attempts, exc.retry_after)
    timeline.move(task.pk, [from_state], State.QUEUED, source=WORKER,
                  detail=f"{exc} Trying again in {delay:.0f} s.",
                  attempts=attempts, not_before=timezone.now() + timedelta(seconds=delay),
                  error_category=exc.category, error_message=str(exc))  # fmt: skip


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(max(retry_after, 1.0), 600.0)
    return min(settings.MOTIONHUB_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0)), 600.0)


def _reject(task: MotionTask, exc: UseapiError, from_state: str) -> None:
    category = exc.category
    if isinstance(exc, NotFound):
        category = "asset_missing"  # a 404 on submit: the asset expired or is another account's
    timeline.move(task.pk, [from_state], State.REJECTED, source=WORKER,
                  detail=exc.explained,
                  error_category=category, error_message=str(exc))  # fmt: skip
