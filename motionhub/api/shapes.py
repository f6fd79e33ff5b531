"""Records as the API shows them: plain dicts shaped by the schemas, JSON-ready."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch
from django.urls import reverse

from motionhub.api import schemas
from motionhub.archive.models import KeptFile
from motionhub.tasks import explain
from motionhub.tasks.models import Batch, Kind, MotionTask, State

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

_STATE_LABELS = dict(State.choices)


def tasks_for_api(tasks: QuerySet | None = None) -> QuerySet:
    """Tasks with what their answer shows, in three queries per page whatever its size."""
    tasks = MotionTask.objects.all() if tasks is None else tasks
    return tasks.select_related("account", "submitted_by").prefetch_related(
        Prefetch("kept_files", queryset=KeptFile.objects.order_by("kind"))
    )


def _json(schema: type[schemas.Schema], values: dict[str, Any]) -> dict[str, Any]:
    return schema(**values).model_dump(mode="json")


def task(request: HttpRequest, task: MotionTask) -> dict[str, Any]:
    error = None
    if task.error_category or task.error_message:
        error = {"category": task.error_category, "label": explain.label(task.error_category),
                 "message": task.error_message}  # fmt: skip
    result = None
    if task.state == State.SUCCEEDED and task.kind == Kind.MOTION_CREATE:
        result = task.result
        result.pop("clean_error", None)
    account = task.account
    return _json(schemas.TaskOut, {
        "id": task.pk,
        "state": task.state,
        "state_label": _STATE_LABELS.get(task.state, task.state),
        "kind": task.kind,
        "name": task.name,
        "account": {"id": account.pk, "name": account.display_name} if account else None,
        "automatic": task.auto_account,
        "submitted_by": task.submitted_by.get_username() if task.submitted_by else None,
        "batch": task.batch_id,
        "retry_of": task.retry_of_id,
        "retried": task.retried,
        "created_at": task.created_at,
        "finished_at": task.finished_at,
        "error": error,
        "result": result,
        "kept_files": [
            {"kind": f.kind, "url": _file_url(request, f.pk),
             "download_url": _file_url(request, f.pk) + "?download=true", "size": f.size,
             "content_type": f.content_type, "sha256": f.sha256}
            for f in task.kept_files.all()
        ],
        "url": request.build_absolute_uri(reverse("api:task", args=[task.pk])),
        "page_url": request.build_absolute_uri(task.get_absolute_url()),
    })  # fmt: skip


def _file_url(request: HttpRequest, pk: int) -> str:
    return request.build_absolute_uri(reverse("api:file", args=[pk]))


def task_by_id(request: HttpRequest, pk: int) -> dict[str, Any]:
    return task(request, tasks_for_api().get(pk=pk))


def batches_for_api(batches: QuerySet | None = None) -> QuerySet:
    batches = Batch.objects.all() if batches is None else batches
    return batches.select_related("created_by").annotate(total=Count("tasks"))


def batch(request: HttpRequest, batch: Batch, *, with_tasks: bool = False) -> dict[str, Any]:
    counts = dict(
        MotionTask.objects.filter(batch=batch).order_by().values_list("state").annotate(
            n=Count("id"))
    )  # fmt: skip
    values = {
        "id": batch.pk,
        "kind": batch.kind,
        "name": batch.name,
        "created_by": batch.created_by.get_username() if batch.created_by else None,
        "created_at": batch.created_at,
        "total": sum(counts.values()),
        "counts": counts,
        "refused": batch.refused or [],
        "url": request.build_absolute_uri(reverse("api:batch", args=[batch.pk])),
        "page_url": request.build_absolute_uri(batch.get_absolute_url()),
    }
    if not with_tasks:
        return _json(schemas.BatchOut, values)
    rows = tasks_for_api(MotionTask.objects.filter(batch=batch).order_by("created_at", "id"))
    values["tasks"] = [task(request, t) for t in rows]
    return _json(schemas.BatchDetail, values)


def batch_by_id(request: HttpRequest, pk: int) -> dict[str, Any]:
    return batch(request, Batch.objects.select_related("created_by").get(pk=pk))


def motion(motion, deletion: str | None) -> dict[str, Any]:
    return _json(schemas.MotionOut, {
        "id": motion.pk, "kind": motion.kind, "name": motion.shown_name,
        "account": {"id": motion.account.pk, "name": motion.account.display_name},
        "upstream_id": motion.upstream_id, "work_id": motion.work_id, "task_id": motion.task_id,
        "tag": motion.tag, "cover_url": motion.cover_src, "video_url": motion.video_src,
        "duration_s": motion.duration_s, "can_be_deleted": motion.can_be_deleted,
        "deletion": deletion,
    })  # fmt: skip


def account(account, ours: int) -> dict[str, Any]:
    return _json(schemas.AccountOut, {
        "id": account.pk, "email": account.email, "label": account.label,
        "connection": account.connection.name, "enabled": account.enabled,
        "health": account.health_now, "health_label": account.health_label,
        "health_reason": account.health_reason, "health_until": account.health_until,
        "slots": {"in_use": account.slots_in_use, "ours": ours, "max": account.max_jobs},
        "credits": account.credits, "session_expires_at": account.session_expires_at,
        "last_synced_at": account.last_synced_at,
    })  # fmt: skip


def submitted(request: HttpRequest, *, run: Batch | None = None, task_id: int = 0) -> dict:
    """What an upload or a create made: one task, or a batch with its tasks and refusals."""
    if run is None:
        return {"batch": None, "tasks": [task_by_id(request, task_id)], "refused": []}
    found = batch(request, run, with_tasks=True)
    tasks = found.pop("tasks")
    return {"batch": found, "tasks": tasks, "refused": found["refused"]}
