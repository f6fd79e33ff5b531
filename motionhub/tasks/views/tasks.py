from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from motionhub import audit
from motionhub.core.kept import Kept
from motionhub.core.prepared import Prepared
from motionhub.core.roles import (
    OPERATOR,
    SESSION_KEY,
    operator_required,
    rank,
    viewer_required,
    viewer_required_polled,
)
from motionhub.tasks import accept, explain, pinned, timeline
from motionhub.tasks.models import MotionTask, State, TaskEvent

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.utils.safestring import SafeString


def _status_context(task: MotionTask, events: Iterable[tuple]) -> dict:
    """What the status fragment shows; `events` are (at, from_state, to_state, source, detail)."""
    return {
        "task": task,
        "timeline": _timeline_html(events),
        "error_label": explain.label(task.error_category),
        "error_suggestion": explain.suggestion(task.error_category),
    }


def _timeline_html(events: Iterable[tuple]) -> SafeString:
    """The timeline's <li> items, formatted from escaped values rather than a template loop or
    format_html: the fragment is polled every 2 s by everyone watching a task, and the loop
    (its date filter above all), then format_html's per-value work, were most of its rendering
    time (`make bench`, poll_vs_bare). Detail text is upstream's or people's: it is escaped.
    """
    tz = timezone.get_current_timezone()
    items = []
    for at, from_state, to_state, source, detail in events:
        badge = "" if from_state == to_state else _BADGE.format(state=escape(to_state))
        items.append(_ITEM.format(f"{at.astimezone(tz):%H:%M:%S}", badge, escape(source),
                                  escape(detail)))  # fmt: skip
    return mark_safe("\n".join(items))  # noqa: S308 - every value above is escaped


_ITEM = '      <li><time>{}</time> {}<span class="muted">{}</span> {}</li>'
_BADGE = '<span class="badge {state}">{state}</span> '


@viewer_required
@require_GET
def detail(request, pk: int):
    task = get_object_or_404(
        MotionTask.objects.select_related(
            "account__connection", "submitted_by", "retry_of"
        ).prefetch_related(Prefetch("events", queryset=TaskEvent.objects.order_by("at", "id"))),
        pk=pk,
    )
    context = _status_context(task, ((e.at, e.from_state, e.to_state, e.source, e.detail)
                                     for e in task.events.all()))  # fmt: skip
    context.update(
        retries=list(task.retries.order_by("-created_at").values_list("pk", flat=True)),
        move_to=pinned.targets() if pinned.can_move(task) else None,
    )
    return render(request, "tasks/task_detail.html", context)


# The polled fragment runs every 2 s for everyone watching a task, so its one query is lean:
# built once (resolving field names is a good part of a small ORM query's cost), reading only
# the columns the fragment shows, as tuples: the timeline's go straight to the template, the
# task's become a model instance without the ORM's per-row related-object machinery. Other task
# columns are deferred: a fragment that starts showing one costs a query more, which the
# fragment's query-count test catches.
_EVENT_FIELDS = ("at", "from_state", "to_state", "source", "detail")
_TASK_FIELDS = tuple(
    f.attname
    for f in MotionTask._meta.concrete_fields
    if f.attname in {"id", "kind", "state", "upstream_task_id", "upstream_status", "upstream",
                     "error_category", "error_message", "finished_at"}
)  # fmt: skip
_STATUS_ROWS = TaskEvent.objects.order_by("at", "id").values_list(
    *_EVENT_FIELDS, *(f"task__{name}" for name in _TASK_FIELDS)
)
_STATUS = Prepared(lambda pk: _STATUS_ROWS.filter(task_id=pk))


@viewer_required_polled
@require_GET
def status(request, pk: int):
    """The polled fragment: one query for the task and its timeline, never an upstream call."""
    rows = _STATUS.rows(pk)
    if not rows:
        raise Http404
    role = request.session.get(SESSION_KEY, "")
    shown = (rows, role, timezone.get_current_timezone_name())
    kept = _KEPT_STATUS.get(pk)
    if kept is not None and kept[0] == shown:
        return HttpResponse(kept[1])
    split = len(_EVENT_FIELDS)
    task = MotionTask.from_db(_STATUS_ROWS.db, _TASK_FIELDS, rows[0][split:])
    context = _status_context(task, (row[:split] for row in rows))
    response = render(request, "tasks/task_detail.html#status", context)
    if not task.keeps_polling:
        response.status_code = HttpResponseStopPolling.status_code
    elif _keepable(task, role):
        _KEPT_STATUS.keep(pk, (shown, response.content))
    return response


# The fragment of a task still in flight, kept by all it shows (the rows, the role, the time
# zone): a task is polled every 2 s by everyone watching it and changes every few polls at
# most, and rendering it again was most of the fragment's time (`make bench`, poll_vs_bare).
_KEPT_STATUS = Kept(1024)


def _keepable(task: MotionTask, role: str) -> bool:
    """Whether the fragment shows only what its rows hold. Not once settled (its result, its
    kept files and Retry read other rows), nor with the Cancel form of a queued task: that
    carries the person's own CSRF token."""
    if task.is_settled:
        return False
    return not (task.state == State.QUEUED and rank(role) >= rank(OPERATOR))


@operator_required
def retry(request, pk: int):
    task = get_object_or_404(MotionTask, pk=pk)
    if not task.is_retryable:
        messages.error(request, "Only a failed, rejected or stuck task can be retried.")
        return redirect(task)
    if request.method == "POST":
        new, made = accept.retry(task, request.user)
        if not made:
            messages.info(request, f"Task #{task.pk} was already retried as #{new.pk}.")
            return redirect(new)
        audit.record(request, audit.Action.TASK_RETRY, target=task, account=task.account,
                     outcome=audit.Outcome.REQUESTED, detail=f"New task #{new.pk}")  # fmt: skip
        messages.success(request, f"Task #{new.pk} submitted as a retry of #{task.pk}.")
        return redirect(new)
    return render(request, "tasks/task_retry.html", {"task": task})


@operator_required
@require_POST
def move(request, pk: int):
    """Move a queued task to another enabled account, or to "automatic"."""
    task = get_object_or_404(MotionTask, pk=pk)
    choice = request.POST.get("account", "")
    target = None
    if choice != "auto":
        target = next((a for a in pinned.targets() if str(a.pk) == choice), None)
        if target is None:
            messages.error(request, "Choose an enabled account, or automatic.")
            return redirect(task)
    where = "automatic" if target is None else target.display_name
    if pinned.move(task, target, by=request.user.get_username()):
        audit.record(request, audit.Action.TASK_MOVE, target=task, account=target,
                     detail=f"From {task.account or 'automatic'} to {where}")  # fmt: skip
        messages.success(request, f"The task was moved to {where}.")
    else:
        audit.record(request, audit.Action.TASK_MOVE, target=task, account=target,
                     outcome=audit.Outcome.REFUSED, detail=f"Task was {task.state}")  # fmt: skip
        messages.error(request, "Only a queued motion upload can be moved; this one has started.")
    return redirect(task)


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
