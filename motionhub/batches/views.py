"""/batches/: every run, newest first; /batches/<id>/: one run, its polled fragment, and the
bulk actions on it (retry failed, cancel queued), each behind a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from motionhub import audit
from motionhub.batches import results
from motionhub.batches.board import current as current_board
from motionhub.batches.board import version as board_version
from motionhub.core.roles import operator_required, viewer_required, viewer_required_polled
from motionhub.history.keyset import Keyset
from motionhub.tasks import bulk
from motionhub.tasks.models import STATE_GROUPS, Batch, MotionTask, State

PAGE_SIZE = 50
PAGES = Keyset("created_at", key=lambda batch: (batch.created_at, batch.pk))

# Counts by outcome for the list, in one query per page (one aggregate per column).
_OUTCOMES = {
    "total": Count("tasks"),
    "succeeded": Count("tasks", filter=Q(tasks__state=State.SUCCEEDED)),
    "failures": Count("tasks", filter=Q(tasks__state__in=STATE_GROUPS["failures"].states)),
    "canceled": Count("tasks", filter=Q(tasks__state=State.CANCELED)),
}


@viewer_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.select_related("created_by").annotate(**_OUTCOMES)
    page = PAGES.paginate(
        batches, before=request.GET.get("before"), after=request.GET.get("after"), size=PAGE_SIZE
    )
    for batch in page.rows:
        batch.running = batch.total - batch.succeeded - batch.failures - batch.canceled
    paged = any(request.GET.get(name) for name in ("before", "after"))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "batches/index.html#results" if partial else "batches/index.html"
    return render(request, template, {"page": page, "query": "", "paged": paged})


@viewer_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "batches/detail.html",
        {"batch": batch, "batch_id": batch.pk, "board": current_board(batch.pk)},
    )


@viewer_required_polled
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The one polled fragment of a batch page: the database only.

    Each poll sends the version of the board it shows (`v`); while nothing changed, the answer
    is an empty 204 (htmx swaps nothing and keeps polling) after one aggregate query, so an
    open page of a long run costs little however many rows it has or people watch it. When it
    did change, the tasks are read in one more query, once per change for all who watch.
    """
    now = board_version(pk)
    if request.GET.get("v") == now:
        return HttpResponse(status=204)
    found = current_board(pk, now)
    if not found.total and not Batch.objects.filter(pk=pk).exists():
        raise Http404
    response = render(request, "batches/detail.html#board", {"batch_id": pk, "board": found})
    if not found.keeps_polling:
        response.status_code = HttpResponseStopPolling.status_code
    return response


@viewer_required
@require_GET
def results_zip(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every kept result of the batch and a manifest.csv, as one zip, streamed."""
    batch = get_object_or_404(Batch, pk=pk)
    response = StreamingHttpResponse(results.zip_chunks(batch.pk), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="motionhub-batch-{batch.pk}.zip"'
    return response


def _tasks_of(batch: Batch):
    return MotionTask.objects.filter(batch=batch)


@operator_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry the batch's failed and rejected tasks (and, once confirmed, those needing
    attention): one new linked task each, one audit entry for the lot."""
    batch = get_object_or_404(Batch, pk=pk)
    tasks = _tasks_of(batch)
    if request.method == "POST":
        attention = request.POST.get("needs_attention") == "confirmed"
        made = bulk.retry_all(tasks, request.user, needs_attention=attention)
        audit.record(
            request, audit.Action.TASKS_RETRY, target=batch, outcome=audit.Outcome.REQUESTED,
            detail=bulk.describe_retry(made, attention),
        )  # fmt: skip
        messages.success(request, f"{len(made)} task(s) submitted again as new tasks.")
        return redirect(batch)
    return render(request, "includes/bulk_confirm.html", {
        "action": "retry", "what": str(batch), "back": batch.get_absolute_url(),
        "count": bulk.to_retry(tasks).count(),
        "needs_attention": bulk.needing_attention(tasks).count(),
    })  # fmt: skip


@operator_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the batch's queued tasks (nothing of them was sent upstream)."""
    batch = get_object_or_404(Batch, pk=pk)
    tasks = _tasks_of(batch)
    if request.method == "POST":
        canceled = bulk.cancel_all(tasks, request.user, why=f"bulk cancel of batch #{batch.pk}")
        audit.record(request, audit.Action.TASKS_CANCEL, target=batch,
                     detail=f"{canceled} queued task(s) canceled")  # fmt: skip
        messages.success(request, f"{canceled} queued task(s) canceled; nothing was sent.")
        return redirect(batch)
    return render(request, "includes/bulk_confirm.html", {
        "action": "cancel", "what": str(batch), "back": batch.get_absolute_url(),
        "count": bulk.to_cancel(tasks).count(),
    })  # fmt: skip
