"""Bulk actions on the task history: "Retry failed" and "Cancel queued" over exactly the tasks
the current filters select (the same query string as the page and its CSV export)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from motionhub import audit
from motionhub.core.addresses import fixed
from motionhub.core.roles import operator_required
from motionhub.history import filters as history
from motionhub.tasks import bulk
from motionhub.tasks.models import MotionTask


def _selection(request: HttpRequest):
    """(filters, tasks they select, how the audit names them, back link)."""
    filters = history.Filters.parse(request.GET, history.Choices.load())
    query = filters.query_string()
    back = reverse("tasks:history") + (f"?{query}" if query else "")
    return filters, filters.apply(MotionTask.objects.all()), query, back


def _refusal(filters: history.Filters) -> str:
    # An invalid filter is left out of the page's selection, which would widen a bulk action to
    # more than the person saw: refuse instead.
    if filters.errors:
        return "Fix the filters first: " + "; ".join(
            f"{name}: {error}" for name, error in filters.errors.items()
        )
    return ""


def _what(query: str) -> str:
    return f"the tasks matching {query}" if query else "all tasks"


@operator_required
def retry(request: HttpRequest) -> HttpResponse:
    filters, tasks, query, back = _selection(request)
    refused = _refusal(filters)
    if request.method == "POST" and not refused:
        attention = request.POST.get("needs_attention") == "confirmed"
        made = bulk.retry_all(tasks, request.user, needs_attention=attention)
        audit.record(
            request, audit.Action.TASKS_RETRY, target_type="tasks.filter",
            target_label=query or "all tasks", outcome=audit.Outcome.REQUESTED,
            detail=bulk.describe_retry(made, attention),
        )  # fmt: skip
        messages.success(request, f"{len(made)} task(s) submitted again as new tasks.")
        return redirect(back)
    return render(request, "includes/bulk_confirm.html", {
        "action": "retry", "what": _what(query), "back": back, "refused": refused,
        "count": bulk.to_retry(tasks).count(),
        "needs_attention": bulk.needing_attention(tasks).count(),
    }, status=400 if refused else 200)  # fmt: skip


@operator_required
def cancel(request: HttpRequest) -> HttpResponse:
    filters, tasks, query, back = _selection(request)
    refused = _refusal(filters)
    if request.method == "POST" and not refused:
        canceled = bulk.cancel_all(tasks, request.user, why="bulk cancel from the history")
        audit.record(
            request, audit.Action.TASKS_CANCEL, target_type="tasks.filter",
            target_label=query or "all tasks", detail=f"{canceled} queued task(s) canceled",
        )  # fmt: skip
        messages.success(request, f"{canceled} queued task(s) canceled; nothing was sent.")
        return redirect(back)
    return render(request, "includes/bulk_confirm.html", {
        "action": "cancel", "what": _what(query), "back": back, "refused": refused,
        "count": bulk.to_cancel(tasks).count(),
    }, status=400 if refused else 200)  # fmt: skip


def links(query: str) -> dict[str, str]:
    """The bulk actions' addresses for the page's current filters."""
    suffix = f"?{query}" if query else ""
    return {
        "retry": fixed("tasks:bulk_retry") + suffix,
        "cancel": fixed("tasks:bulk_cancel") + suffix,
    }
