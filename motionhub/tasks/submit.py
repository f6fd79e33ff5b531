"""The submission job: upload the assets, then send the create call — never twice.

A task arrives here already holding a slot (`dispatch.claim` moved it queued → uploading).

    uploading ──assets──► submitting ──create call──► submitted
        │                     │
        │ 429 / 5xx / timeout │ clearly refused        │ anything else after sending
        ▼                     ▼ (400/401/402/404,      ▼ (timeout, reset, 500/502/504,
      queued (back-off)       │ 429, moderation,       │  a 2xx without a task id):
                              │ 503 unavailable)       │  it may exist upstream
                              ▼                        ▼
                   queued (back-off) or rejected    reconcile: look it up (GET /scheduler by
                                                    replyRef, GET /tasks, motions) → found:
                                                    submitted; not there: a checked resend;
                                                    unreadable: wait, then needs_attention

The create call is sent only after the task moved to `submitting` by a conditional update, so
two runs of this job cannot both send it; a run that finds the task already `submitting` knows
an earlier run died mid-call and looks it up (reconcile.py) instead of sending it again.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from motionhub.accounts import health
from motionhub.tasks import callbacks, pace, reconcile, requeue, timeline, wake
from motionhub.tasks.backoff import back_off
from motionhub.tasks.models import Kind, MotionTask, State, TaskEvent
from motionhub.useapi import UseapiError
from motionhub.useapi.errors import NotFound

log = logging.getLogger(__name__)

WORKER = TaskEvent.Source.WORKER


def run(task_id: int) -> None:
    task = MotionTask.objects.select_related("account__connection").filter(pk=task_id).first()
    if task is None:
        return
    if task.state == State.SUBMITTING:
        reconcile.run(task_id)  # an earlier run died mid-call: look it up, never resend blindly
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
    # What a look-up needs, should the answer be lost, is recorded before the call is sent.
    recorded = MotionTask.objects.values_list("upstream", flat=True).get(pk=task_id)
    sent = reconcile.record_sent(task, _input_url(task, payload))
    if not timeline.move(task_id, [State.UPLOADING], State.SUBMITTING, source=WORKER,
                         detail="Sending the create call.", only_if=claim, not_before=None,
                         upstream={**recorded, "create_call": sent}):  # fmt: skip
        return
    try:
        if task.kind == Kind.MOTION_UPLOAD:
            result = client.motion_upload(email=email, **payload)
        else:
            result = client.motion_create(email=email, **payload)
    except UseapiError as exc:
        _create_failed(task, exc)
        return
    health.note_ok(task.account_id)
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
        next_poll_at=pace.next_poll_at(task, result, now=now, submitted_at=now),
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

    # replyRef always goes (it is how a lost answer is found again); replyUrl only with callbacks.
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
    if task.video:
        # A motion clip MotionHub keeps (the gateway's POST /assets): uploaded to the account
        # that took the task, like the image, and named as the 2026 body's motionUrl.
        clip = upload("motion", task.video, task.inputs.get("video_content_type", "video/mp4"))
        fields["motionUrl"] = clip["resourceUrl"] or clip["url"]
    image_field = "imageUrl" if "motionUrl" in fields else "image"
    fields[image_field] = image["url"]
    if "reply_url" in reply:
        fields["replyUrl"] = reply["reply_url"]
    fields["replyRef"] = reply["reply_ref"]
    return fields


def _input_url(task: MotionTask, payload: dict) -> str:
    """Our own uploaded asset the upstream task will name among its inputs."""
    if task.kind == Kind.MOTION_UPLOAD:
        return payload["resource_url"]
    return payload.get("imageUrl") or payload.get("image") or ""


def _before_create_failed(task: MotionTask, exc: UseapiError) -> None:
    """Nothing was created upstream yet: transient trouble waits and retries, the rest ends."""
    if requeue.on_account_trouble(task, exc, State.UPLOADING):
        return  # the account's trouble, not the task's: queued again (requeue.py)
    if exc.transient:
        back_off(task, exc, State.UPLOADING)
    else:
        _reject(task, exc, State.UPLOADING)


def _create_failed(task: MotionTask, exc: UseapiError) -> None:
    if requeue.on_account_trouble(task, exc, State.SUBMITTING):
        return  # the account's trouble, nothing was made: queued again (requeue.py)
    if not reconcile.created_nothing(exc):
        # Sent, and not clearly refused: upstream may have created the task. Look it up.
        reconcile.lost_answer(task.pk, exc)
    elif exc.transient:
        # 429, a 503 "unavailable", or not sent at all: nothing was created; try again later.
        back_off(task, exc, State.SUBMITTING)
    else:
        _reject(task, exc, State.SUBMITTING)


def _reject(task: MotionTask, exc: UseapiError, from_state: str) -> None:
    category = exc.category
    if isinstance(exc, NotFound):
        category = "asset_missing"  # a 404 on submit: the asset expired or is another account's
    timeline.move(task.pk, [from_state], State.REJECTED, source=WORKER,
                  detail=exc.explained,
                  error_category=category, error_message=str(exc))  # fmt: skip
