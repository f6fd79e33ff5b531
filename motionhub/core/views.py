from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.static import serve

from motionhub.core.roles import viewer_required
from motionhub.motions import dashboard, history


@viewer_required
def home(request):
    """Accounts, outcome counts, a 30-day chart and recent failures: nine queries in all."""
    prefix = reverse("tasks:history")
    now, today = dashboard.now_and_today()
    week = dashboard.week_start(today)
    context = {
        "cards": dashboard.account_cards(prefix, now),
        "today": dashboard.outcome_counts(prefix, today),
        "week": dashboard.outcome_counts(prefix, week),
        "week_start": week,
        "chart": dashboard.chart(prefix, today),
        "failures": dashboard.recent_failures(prefix),
        "failures_link": dashboard.history_link(prefix, state=history.FAILURES),
        "history_url": prefix,
    }
    return render(request, "core/home.html", context)


@viewer_required
def media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)
