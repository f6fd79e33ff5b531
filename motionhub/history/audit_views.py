"""/audit/: the audit log, newest first, filtered from the query string."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motionhub.audit.models import AuditEntry
from motionhub.core.roles import viewer_required
from motionhub.history.audit_filters import AuditFilterForm
from motionhub.history.keyset import Keyset

PAGE_SIZE = 50
_CURSORS = ("before", "after")
PAGES = Keyset("at", key=lambda entry: (entry.at, entry.pk))


@viewer_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    # The related rows give each entry its current account name; select_related keeps the
    # page at a fixed number of queries whatever it shows.
    entries = form.filter(AuditEntry.objects.select_related("actor", "account"))
    page = PAGES.paginate(
        entries,
        before=request.GET.get("before"),
        after=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    filters = request.GET.copy()
    for name in _CURSORS:
        filters.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "filters": filters.urlencode(),
        "paged": any(request.GET.get(name) for name in _CURSORS),
        "people": get_user_model().objects.order_by("username").values_list("username", flat=True),
    }
    # A history restore (back button after an htmx page change) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "history/audit.html#results" if partial else "history/audit.html"
    return render(request, template, context)
