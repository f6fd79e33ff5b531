"""/api/v1/library: the motions library from the local cache (never upstream), and deleting
a motion as the library page does, through its deletion job."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router

from motionhub import audit
from motionhub.api import access, schemas, shapes
from motionhub.api.problems import Problem, answer
from motionhub.api.tasks import PROBLEMS
from motionhub.library import jobs, listing
from motionhub.library.models import ACTIVE_DELETION_STATES, Motion, MotionDeletion
from motionhub.library.views.delete import refusal

router = Router(tags=["library"])


@router.get("", response={200: schemas.LibraryPage, **PROBLEMS}, url_name="library")
def list_motions(
    request: HttpRequest,
    kind: Literal["mine", "official"] = Query("mine", description="Our motions or Kling's."),
    account: int | None = Query(None, description="One account's; default: every account."),
    tag: str = Query("", description="Official motions of one tag."),
    page: int = Query(1, ge=1, le=100_000),
):
    library = listing.build({"account": account, "tab": kind, "tag": tag.strip(), "page": page})
    if kind == "official":
        listing.attach_deletions(library.motions)
    items = [shapes.motion(m, m.deletion.state if m.deletion else None) for m in library.motions]
    following = None
    if library.has_next:
        query = {"kind": kind, "page": page + 1, **({"account": account} if account else {}),
                 **({"tag": tag} if tag else {})}  # fmt: skip
        following = request.build_absolute_uri(f"{reverse('api:library')}?{urlencode(query)}")
    return {"items": items, "next": following}


@router.delete(
    "/{int:motion_id}",
    auth=access.operators,
    response={202: schemas.DeletionOut, **PROBLEMS},
    url_name="library-delete",
)
def delete_motion(request: HttpRequest, motion_id: int):
    """Delete one of our motions upstream (2025 motions only): the deletion job does it, and
    the answer is the deletion request (202). GET /library shows its state."""
    motion = get_object_or_404(
        Motion.objects.select_related("account__connection", "source_task"),
        pk=motion_id, account__removed_at__isnull=True,
    )  # fmt: skip
    active = set(
        MotionDeletion.objects.filter(motion_ref=motion.pk, state__in=ACTIVE_DELETION_STATES)
        .values_list("motion_ref", flat=True)
    )  # fmt: skip
    if why := refusal(motion, active):
        if motion.pk not in active:
            audit.record(
                request, audit.Action.MOTION_DELETE, target_type="library.motion",
                target_id=motion.task_id or motion.upstream_id, target_label=motion.shown_name,
                account=motion.account, outcome=audit.Outcome.REFUSED, detail=why,
            )  # fmt: skip
        raise Problem(409, why)
    with transaction.atomic():
        requested = jobs.request_deletions([motion], request.user)
        if not requested:
            raise Problem(409, "Its deletion is already under way.")
        audit.record(
            request, audit.Action.MOTION_DELETE, target_type="library.motion",
            target_id=motion.task_id, target_label=motion.shown_name, account=motion.account,
            outcome=audit.Outcome.REQUESTED,
            detail=f"DELETE /tasks/{motion.task_id} requested ({motion.key})",
        )  # fmt: skip
    deletion = requested[0][1]
    return answer(202, {"id": deletion.pk, "motion": motion.pk, "state": deletion.state})
