"""/: the home page, what everyone opens first."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from motionhub.core.roles import viewer_required
from motionhub.dashboard import figures
from motionhub.tasks.models import FAILURES


@viewer_required
def home(request):
    """Accounts, outcome counts, a 30-day chart and recent failures: nine queries in all."""
    prefix = reverse("tasks:history")
    now, today = figures.now_and_today()
    week = figures.week_start(today)
    context = {
        "cards": figures.account_cards(prefix, now),
        "today": figures.outcome_counts(prefix, today),
        "week": figures.outcome_counts(prefix, week),
        "week_start": week,
        "chart": figures.chart(prefix, today),
        "failures": figures.recent_failures(prefix),
        "failures_link": figures.history_link(prefix, state=FAILURES),
        "history_url": prefix,
    }
    return render(request, "dashboard/home.html", context)
