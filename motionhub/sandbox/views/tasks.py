"""GET and DELETE /tasks/{task_id} (reference §7)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from motionhub.sandbox import notify, payloads
from motionhub.sandbox.api import endpoint
from motionhub.sandbox.auth import Caller, select_account
from motionhub.sandbox.errors import Refusal
from motionhub.sandbox.models import Task


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
