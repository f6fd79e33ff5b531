"""GET /tasks/{id} (MotionHub's task in useapi's model) and DELETE /tasks/{id} (deletes the
motion an upload made, as the library's Delete does)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.views.decorators.csrf import csrf_exempt

from motionhub import audit
from motionhub.core.roles import OPERATOR, VIEWER
from motionhub.gateway import shapes
from motionhub.gateway.answers import Refusal, endpoint, error
from motionhub.library import jobs
from motionhub.library.models import Motion
from motionhub.tasks.models import Kind, MotionTask


def _task_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise Refusal(400, "Invalid task_id parameter") from exc


@endpoint(VIEWER)
def read(request, task_id: str):
    task = MotionTask.objects.filter(pk=_task_id(task_id)).first()
    if task is None:
        raise Refusal(404, f"Task {task_id} not found")
    return 200, shapes.task_model(request, task)


@endpoint(OPERATOR, "DELETE")
def delete(request, task_id: str):
    number = _task_id(task_id)
    motions = list(
        Motion.objects.select_related("account__connection", "source_task").filter(
            source_task_id=number, source_task__kind=Kind.MOTION_UPLOAD
        )
    )
    with transaction.atomic():
        requested = jobs.request_deletions(motions, request.user)
        for motion, _ in requested:
            audit.record(
                request, audit.Action.MOTION_DELETE, target_type="library.motion",
                target_id=motion.task_id, target_label=motion.shown_name,
                account=motion.account, outcome=audit.Outcome.REQUESTED,
                detail=f"DELETE /tasks/{motion.task_id} requested ({motion.key})",
            )  # fmt: skip
    if not requested:
        raise Refusal(404, f"No works found for task {number}")
    work_ids = [shapes.safe_id(m.work_id) or number for m, _ in requested]
    return 200, {"deleted": len(requested), "workIds": work_ids}


@csrf_exempt
@login_not_required
def task(request, task_id: str):
    if request.method in ("GET", "HEAD"):
        return read(request, task_id)
    if request.method == "DELETE":
        return delete(request, task_id)
    refused = error(405, f"{request.method} is not allowed here; use GET or DELETE.")
    refused["Allow"] = "GET, HEAD, DELETE"
    return refused
