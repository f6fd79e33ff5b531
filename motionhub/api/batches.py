"""/api/v1/batches: every run, newest first (keyset pages); one run with its tasks; retry its
failed tasks and cancel its queued ones, as the batch page's bulk actions do."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router

from motionhub import audit
from motionhub.api import access, replies, schemas, shapes
from motionhub.api.tasks import PROBLEMS, page_links
from motionhub.history.keyset import Keyset
from motionhub.tasks import bulk
from motionhub.tasks.models import Batch, MotionTask

router = Router(tags=["batches"])
PAGES = Keyset("created_at", key=lambda batch: (batch.created_at, batch.pk))


@router.get("", response={200: schemas.BatchPage, **PROBLEMS}, url_name="batches")
def list_batches(
    request: HttpRequest,
    before: str = Query("", description="Cursor: the page older than this."),
    after: str = Query("", description="Cursor: the page newer than this."),
    limit: int = Query(50, ge=1, le=200),
):
    page = PAGES.paginate(shapes.batches_for_api(), before=before, after=after, size=limit)
    query = {"limit": limit} if limit != 50 else {}
    older, newer = page_links(request, reverse("api:batches"), query, page)
    items = [shapes.batch(request, b) for b in page.rows]
    return {"items": items, "next": older, "prev": newer}


@router.get("/{int:batch_id}", response={200: schemas.BatchDetail, **PROBLEMS},
            url_name="batch")  # fmt: skip
def get_batch(request: HttpRequest, batch_id: int):
    found = get_object_or_404(Batch.objects.select_related("created_by"), pk=batch_id)
    return shapes.batch(request, found, with_tasks=True)


@router.post(
    "/{int:batch_id}/retry",
    auth=access.operators,
    response={200: schemas.BulkOut, **PROBLEMS},
    url_name="batch-retry",
)
def retry_batch(
    request: HttpRequest,
    batch_id: int,
    needs_attention: bool = Query(
        False, description="Also those needing attention, checked not running upstream."
    ),
):
    """Retry the batch's failed and rejected tasks (with `needs_attention`, those needing
    attention too): one new linked task each, never twice."""
    batch = get_object_or_404(Batch, pk=batch_id)
    attention = needs_attention

    def work():
        made = bulk.retry_all(MotionTask.objects.filter(batch=batch), request.user,
                              needs_attention=attention)  # fmt: skip
        audit.record(
            request, audit.Action.TASKS_RETRY, target=batch, outcome=audit.Outcome.REQUESTED,
            detail=bulk.describe_retry(made, attention),
        )  # fmt: skip
        return 200, {"batch": batch.pk, "affected": [t.pk for t in made], "count": len(made)}

    return replies.once(request, work)


@router.post(
    "/{int:batch_id}/cancel",
    auth=access.operators,
    response={200: schemas.BulkOut, **PROBLEMS},
    url_name="batch-cancel",
)
def cancel_batch(request: HttpRequest, batch_id: int):
    """Cancel the batch's queued tasks (nothing of them was sent upstream)."""
    batch = get_object_or_404(Batch, pk=batch_id)

    def work():
        tasks = MotionTask.objects.filter(batch=batch)
        queued = list(bulk.to_cancel(tasks).values_list("pk", flat=True))
        canceled = bulk.cancel_all(tasks, request.user, why=f"bulk cancel of batch #{batch.pk}")
        audit.record(request, audit.Action.TASKS_CANCEL, target=batch,
                     detail=f"{canceled} queued task(s) canceled")  # fmt: skip
        done = list(
            MotionTask.objects.filter(pk__in=queued, state="canceled").values_list("pk", flat=True)
        )
        return 200, {"batch": batch.pk, "affected": sorted(done), "count": canceled}

    return replies.once(request, work)
