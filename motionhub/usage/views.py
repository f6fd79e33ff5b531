"""The Usage page and its CSV: the same rows, filtered by `since` / `until` (YYYY-MM-DD)."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from motionhub.core.roles import viewer_required
from motionhub.usage import chart, figures, upstream


def _range(request):
    return figures.parse_day(request.GET.get("since")), figures.parse_day(request.GET.get("until"))


@viewer_required
@require_GET
def index(request):
    since, until = _range(request)
    found = figures.rows(since, until)
    stored = upstream.days(since, until)
    for row in stored:
        row.throttled = upstream.throttled(row)
    return render(request, "usage/index.html", {
        "upstream_days": stored,
        "upstream_accounts": upstream.per_account(stored, found) if stored else [],
        "rows": found, "since": since, "until": until,
        "by_member": figures.totals(found, "member"),
        "by_account": figures.totals(found, "account"),
        "chart": chart.build(found, reverse("usage:index")),
        "query": request.GET.urlencode(),
    })  # fmt: skip


@viewer_required
@require_GET
def export(request):
    since, until = _range(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="motionhub-usage.csv"'
    writer = csv.writer(response)
    writer.writerow(figures.CSV_HEADER)
    for r in figures.rows(since, until):
        writer.writerow([_safe(r[k]) for k in figures.CSV_HEADER])
    return response


def _safe(value) -> str:
    """No spreadsheet formulas from names people chose."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
