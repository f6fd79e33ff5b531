"""/motions/: the library page, and the small fragments it polls. Never an upstream call."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh, HttpResponseStopPolling

from motionhub.core.roles import viewer_required, viewer_required_polled
from motionhub.library import listing
from motionhub.library.forms import LibraryFilter, safe_next
from motionhub.library.models import Motion, MotionDeletion

# One poll watches at most this many cards (a page holds listing.PAGE_SIZE).
MAX_WATCHED = 100


@viewer_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    library = listing.build(LibraryFilter(request.GET).values())
    context = {"library": library, "back": request.get_full_path()}
    return render(request, "library/index.html", context)


@viewer_required_polled
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """Polled while a refresh is under way; once none is, the page reloads to show the result."""
    values = LibraryFilter(request.GET).values()
    statuses = [
        listing.AccountStatus(a, listing.sync_of(a))
        for a in listing.accounts()
        if values["account"] in (None, a.pk)
    ]
    if not any(s.in_progress for s in statuses):
        return HttpResponseClientRefresh()
    library = listing.Library(
        accounts=[], selected=None, tab=values["tab"], tag="", page=1, statuses=statuses
    )
    return render(request, "library/index.html#sync-status", {"library": library})


@viewer_required_polled
@require_GET
def deletions(request: HttpRequest) -> HttpResponse:
    """Polled while cards are being deleted: removes the cards whose deletion is done and
    re-renders the ones that failed (out-of-band swaps), and stops once none is under way."""
    ids = [int(v) for v in request.GET.getlist("motion") if v.isdigit()][:MAX_WATCHED]
    latest: dict[int, MotionDeletion] = {}
    for deletion in MotionDeletion.objects.filter(motion_ref__in=ids).order_by(
        "requested_at", "id"
    ):
        latest[deletion.motion_ref] = deletion
    pending = [pk for pk in ids if pk in latest and latest[pk].is_active]
    failed_ids = [pk for pk in ids if pk in latest and latest[pk].state == "failed"]
    failed = list(
        Motion.objects.filter(pk__in=failed_ids).select_related(
            "account__connection", "source_task__submitted_by"
        )
    )
    for motion in failed:
        motion.deletion = latest[motion.pk]
    listing.attach_kept(failed)
    gone = [pk for pk in ids if pk not in pending and pk not in {m.pk for m in failed}]
    back = safe_next(request.GET.get("next"), request)
    context = {"pending": pending, "failed": failed, "gone": gone, "back": back}
    response = render(request, "library/deletions.html", context)
    if not pending:
        response.status_code = HttpResponseStopPolling.status_code
    return response
