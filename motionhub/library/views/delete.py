"""/motions/delete/: confirm, then delete motions upstream (operators and admins).

GET shows what will be deleted and says it is permanent; POST records one MotionDeletion per
motion (carried out by `jobs.delete_motion`) and goes back to the library, where the cards show
"deleting…" until the job is done.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from motionhub import audit
from motionhub.core.roles import operator_required
from motionhub.library import jobs
from motionhub.library.forms import MotionSelectionForm, safe_next
from motionhub.library.models import ACTIVE_DELETION_STATES, MotionDeletion

NO_DELETE_2026 = "This API generation offers no way to delete a motion."


def refusal(motion, active: set[int]) -> str:
    """Why `motion` cannot be deleted now, or "" when it can."""
    if not motion.is_mine:
        return "Kling's official motions cannot be deleted."
    if motion.task_id is None:
        return NO_DELETE_2026
    if motion.pk in active:
        return "Its deletion is already under way."
    return ""


@operator_required
def delete(request: HttpRequest) -> HttpResponse:
    form = MotionSelectionForm(request.POST if request.method == "POST" else request.GET)
    back = safe_next(request.POST.get("next") or request.GET.get("next"), request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    motions = list(form.cleaned_data["motion"])
    active = set(
        MotionDeletion.objects.filter(
            motion_ref__in=[m.pk for m in motions], state__in=ACTIVE_DELETION_STATES
        ).values_list("motion_ref", flat=True)
    )
    deletable = [m for m in motions if not refusal(m, active)]
    refused = [(m, refusal(m, active)) for m in motions if refusal(m, active)]
    if request.method != "POST":
        context = {"deletable": deletable, "refused": refused, "next": back}
        return render(request, "library/delete_confirm.html", context)

    with transaction.atomic():
        requested = jobs.request_deletions(deletable, request.user)
        for motion, _ in requested:
            audit.record(
                request,
                audit.Action.MOTION_DELETE,
                target_type="library.motion",
                target_id=motion.task_id,
                target_label=motion.shown_name,
                account=motion.account,
                outcome=audit.Outcome.REQUESTED,
                detail=f"DELETE /tasks/{motion.task_id} requested ({motion.key})",
            )
        for motion, reason in refused:
            if motion.pk in active:
                continue  # not a refusal: the earlier request stands
            audit.record(
                request,
                audit.Action.MOTION_DELETE,
                target_type="library.motion",
                target_id=motion.task_id or motion.upstream_id,
                target_label=motion.shown_name,
                account=motion.account,
                outcome=audit.Outcome.REFUSED,
                detail=reason,
            )
    if requested:
        names = ", ".join(f"“{m.name}”" for m, _ in requested)
        messages.info(request, f"Deleting {names} upstream.")
    if len(requested) < len(motions):
        skipped = len(motions) - len(requested)
        messages.warning(request, f"{skipped} selected motion(s) could not be deleted.")
    return redirect(back)
