"""GET /tasks, GET and DELETE /tasks/{task_id} (reference §7)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse

from motionhub.sandbox import notify, params, payloads
from motionhub.sandbox.api import endpoint
from motionhub.sandbox.auth import Caller, select_account
from motionhub.sandbox.errors import Refusal
from motionhub.sandbox.models import Task

CONTENT_TYPES = ("video", "image", "audio")


@endpoint("GET")
def history(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The account's tasks, `{history: [...]}`, each item the GET /tasks/{task_id} model.

    createdAfter / createdBefore (epoch ms, one or the other) are a time cursor: after a moment
    the oldest come first (read forward from it), otherwise the newest first.
    """
    account = select_account(caller, request.GET.get("email"))
    after = params.integer(request.GET, "createdAfter", 0)
    before = params.integer(request.GET, "createdBefore", 0)
    if after is not None and before is not None:
        raise Refusal(400, "Parameters createdAfter and createdBefore are mutually exclusive")
    page_size = params.integer(request.GET, "pageSize", 1, 100, default=20)
    content_type = request.GET.get("contentType") or ""
    if content_type and content_type not in CONTENT_TYPES:
        raise Refusal(400, f"Parameter contentType must be one of: {', '.join(CONTENT_TYPES)}")
    tasks = account.tasks.select_related("account")
    if content_type and content_type != "video":
        tasks = tasks.none()  # every sandbox task makes a video
    if after is not None:
        # Kling's times are whole milliseconds: "after" means from the next one on.
        tasks = tasks.filter(created__gte=_moment(after + 1)).order_by("created", "id")
    else:
        if before is not None:
            tasks = tasks.filter(created__lt=_moment(before))
        tasks = tasks.order_by("-created", "-id")
    items = []
    for found in tasks[:page_size]:
        status = notify.observe(found)
        if not status.gone:  # as GET /tasks/{task_id}: a vanished task is not there
            items.append(payloads.task_body(found, status))
    return JsonResponse({"history": items})


def _moment(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


@endpoint("GET", "DELETE")
def task(request: HttpRequest, caller: Caller, task_id: str) -> HttpResponse:
    if not (task_id.isascii() and task_id.isdigit()):
        raise Refusal(400, "Invalid task_id parameter")
    account = select_account(caller, request.GET.get("email"))
    found = None
    if int(task_id) < 2**63:  # larger numbers cannot be an id (nor fit the column)
        found = account.tasks.select_related("account").filter(pk=int(task_id)).first()
    if request.method == "DELETE":
        return _delete(found, task_id)
    if found is None:
        raise Refusal(404, f"Task {task_id} not found")
    status = notify.observe(found)
    if status.gone:
        raise Refusal(404, f"Task {task_id} not found")
    return JsonResponse(payloads.task_body(found, status))


def _delete(found: Task | None, task_id: str) -> HttpResponse:
    """Remove the task and its work (for a motion upload: the user motion too)."""
    # Counted by the delete itself: of two concurrent deletes, the second finds nothing.
    deleted = Task.objects.filter(pk=found.pk).delete()[0] if found else 0
    if not deleted:
        raise Refusal(404, f"No works found for task {task_id}")
    return JsonResponse({"deleted": 1, "workIds": [found.work_id]})
