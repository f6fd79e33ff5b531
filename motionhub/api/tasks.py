"""/api/v1/tasks: the history's filters and keyset pages; one task; retry and cancel."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router

from motionhub import audit
from motionhub.api import access, replies, schemas, shapes
from motionhub.api.problems import Problem, invalid
from motionhub.history import filters as history
from motionhub.history.keyset import Keyset
from motionhub.tasks import accept, timeline
from motionhub.tasks.models import MotionTask, State, TaskEvent

router = Router(tags=["tasks"])
PAGES = Keyset("created_at", key=lambda task: (task.created_at, task.pk))
PROBLEMS = {401: schemas.ProblemOut, 403: schemas.ProblemOut, 404: schemas.ProblemOut,
            409: schemas.ProblemOut, 422: schemas.ProblemOut, 429: schemas.ProblemOut}  # fmt: skip


def page_links(request: HttpRequest, base: str, query: dict, page) -> tuple:
    def link(**cursor) -> str:
        return request.build_absolute_uri(f"{base}?{urlencode({**query, **cursor})}")

    return (link(before=page.older) if page.older else None,
            link(after=page.newer) if page.newer else None)  # fmt: skip


@router.get("", response={200: schemas.TaskPage, **PROBLEMS}, url_name="tasks")
def list_tasks(
    request: HttpRequest,
    q: str = "",
    account: str = "",
    kind: str = "",
    state: str = Query("", description="A state, or in_progress / failures."),
    error: str = Query("", description="An error category, or any."),
    who: str = Query("", description="A username."),
    date_from: str = Query("", alias="from", description="YYYY-MM-DD, included."),
    date_to: str = Query("", alias="to", description="YYYY-MM-DD, included."),
    before: str = Query("", description="Cursor: the page older than this."),
    after: str = Query("", description="Cursor: the page newer than this."),
    limit: int = Query(history.PAGE_SIZE, ge=1, le=200),
):
    """Every task, newest first, filtered as the history page filters (same names, values
    and messages), one keyset page at a time."""
    given = {"q": q, "account": account, "kind": kind, "state": state, "error": error,
             "who": who, "from": date_from, "to": date_to}  # fmt: skip
    filters = history.Filters.parse(given, history.Choices.load())
    if filters.errors:
        raise invalid({name: [message] for name, message in filters.errors.items()})
    page = PAGES.paginate(
        filters.apply(shapes.tasks_for_api()), before=before, after=after, size=limit
    )
    query = {**filters.as_dict(), **({"limit": limit} if limit != history.PAGE_SIZE else {})}
    older, newer = page_links(request, reverse("api:tasks"), query, page)
    return {"items": [shapes.task(request, t) for t in page.rows], "next": older, "prev": newer}


@router.get("/{int:task_id}", response={200: schemas.TaskOut, **PROBLEMS}, url_name="task")
def get_task(request: HttpRequest, task_id: int):
    return shapes.task(request, get_object_or_404(shapes.tasks_for_api(), pk=task_id))


@router.post(
    "/{int:task_id}/retry",
    auth=access.operators,
    response={200: schemas.TaskOut, 201: schemas.TaskOut, **PROBLEMS},
    url_name="task-retry",
)
def retry_task(request: HttpRequest, task_id: int):
    """A new task with the same inputs, linked to this one (201); one per task however often
    it is asked: a second retry answers the first one's task (200)."""
    task = get_object_or_404(MotionTask, pk=task_id)

    def work():
        if not task.is_retryable:
            raise Problem(409, "Only a failed, rejected or stuck task can be retried; "
                          f"this one is {task.state}.")  # fmt: skip
        new, made = accept.retry(task, request.user)
        if made:
            audit.record(request, audit.Action.TASK_RETRY, target=task, account=task.account,
                         outcome=audit.Outcome.REQUESTED, detail=f"New task #{new.pk}")  # fmt: skip
        return (201 if made else 200), shapes.task_by_id(request, new.pk)

    return replies.once(request, work)


@router.post(
    "/{int:task_id}/cancel",
    auth=access.operators,
    response={200: schemas.TaskOut, **PROBLEMS},
    url_name="task-cancel",
)
def cancel_task(request: HttpRequest, task_id: int):
    """Cancel a queued task (nothing of it was sent upstream); 409 once it has started."""
    task = get_object_or_404(MotionTask, pk=task_id)

    def work():
        if timeline.move(task.pk, [State.QUEUED], State.CANCELED, source=TaskEvent.Source.PERSON,
                         detail=f"Canceled by {request.user.get_username()}."):  # fmt: skip
            audit.record(request, audit.Action.TASK_CANCEL, target=task, account=task.account)
            return 200, shapes.task_by_id(request, task.pk)
        audit.record(request, audit.Action.TASK_CANCEL, target=task, account=task.account,
                     outcome=audit.Outcome.REFUSED, detail=f"Task was {task.state}")  # fmt: skip
        task.refresh_from_db(fields=["state"])
        raise Problem(409, f"Only a queued task can be canceled; this one is {task.state}.")

    return replies.once(request, work)
