from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from motionhub import audit
from motionhub.core.roles import operator_required, viewer_required, viewer_required_polled
from motionhub.motions import accept, explain, timeline
from motionhub.motions.models import MotionTask, State, TaskEvent

RETRYABLE = (State.FAILED, State.REJECTED, State.NEEDS_ATTENTION)


def _status_context(task: MotionTask, events: list[TaskEvent]) -> dict:
    return {
        "task": task,
        "events": events,
        "error_label": explain.label(task.error_category),
        "error_suggestion": explain.suggestion(task.error_category),
    }


@viewer_required
@require_GET
def detail(request, pk: int):
    task = get_object_or_404(
        MotionTask.objects.select_related(
            "account__connection", "submitted_by", "retry_of"
        ).prefetch_related(Prefetch("events", queryset=TaskEvent.objects.order_by("at", "id"))),
        pk=pk,
    )
    context = _status_context(task, list(task.events.all()))
    context.update(
        retries=list(task.retries.order_by("-created_at").values_list("pk", flat=True)),
        can_retry=task.state in RETRYABLE,
    )
    return render(request, "motions/task_detail.html", context)


@viewer_required_polled
@require_GET
def status(request, pk: int):
    """The polled fragment: one query for the task and its timeline, never an upstream call."""
    events = list(
        TaskEvent.objects.filter(task_id=pk)
        .select_related("task", "task__account")
        .order_by("at", "id")
    )
    if not events:
        raise Http404
    task = events[0].task
    response = render(request, "motions/task_detail.html#status", _status_context(task, events))
    if task.is_settled:
        response.status_code = HttpResponseStopPolling.status_code
    return response


@operator_required
def retry(request, pk: int):
    task = get_object_or_404(MotionTask, pk=pk)
    if task.state not in RETRYABLE:
        messages.error(request, "Only a failed, rejected or stuck task can be retried.")
        return redirect(task)
    if request.method == "POST":
        new = accept.retry(task, request.user)
        audit.record(request, audit.Action.TASK_RETRY, target=task, account=task.account,
                     outcome=audit.Outcome.REQUESTED, detail=f"New task #{new.pk}")  # fmt: skip
        messages.success(request, f"Task #{new.pk} submitted as a retry of #{task.pk}.")
        return redirect(new)
    return render(request, "motions/task_retry.html", {"task": task})


@operator_required
@require_POST
def cancel(request, pk: int):
    task = get_object_or_404(MotionTask, pk=pk)
    if timeline.move(task.pk, [State.QUEUED], State.CANCELED, source=TaskEvent.Source.PERSON,
                     detail=f"Canceled by {request.user.get_username()}."):  # fmt: skip
        audit.record(request, audit.Action.TASK_CANCEL, target=task, account=task.account)
        messages.success(request, "The task was canceled; nothing was sent upstream.")
    else:
        audit.record(request, audit.Action.TASK_CANCEL, target=task, account=task.account,
                     outcome=audit.Outcome.REFUSED, detail=f"Task was {task.state}")  # fmt: skip
        messages.error(request, "Only a queued task can be canceled; this one has started.")
    return redirect(task)
