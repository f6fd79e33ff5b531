from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.static import serve

from motionhub.core.roles import viewer_required
from motionhub.motions import dashboard, history, home_html


@viewer_required
def home(request):
    """Accounts, outcome counts, a 30-day chart and recent failures: the same few queries
    however many tasks there are (motions/dashboard.py).
    """
    prefix = reverse("tasks:history")
    now, today = dashboard.now_and_today()
    week = dashboard.week_start(today)
    # One read of the per-day counts serves today's, the week's and the chart's figures.
    per_day = dashboard.per_day(today)
    accounts = dashboard.accounts()
    cards = dashboard.account_cards(prefix, now, accounts)
    chart = dashboard.chart(prefix, today, per_day)
    failures = dashboard.recent_failures(prefix, dashboard.account_names(accounts), per_day)
    context = {
        "cards": cards,
        "cards_html": home_html.cards_html(cards),
        "today_html": home_html.tallies_html(dashboard.outcome_counts(prefix, today, per_day)),
        "week_html": home_html.tallies_html(dashboard.outcome_counts(prefix, week, per_day)),
        "week_start": week,
        "chart": chart,
        "bars_svg": home_html.bars_svg(chart),
        "legend_html": home_html.legend_html(chart),
        "header_cells_html": home_html.header_cells_html(chart),
        "chart_rows_html": home_html.chart_rows_html(chart),
        "failures": failures,
        "failures_html": home_html.failures_html(failures, prefix),
        "failures_link": dashboard.history_link(prefix, state=history.FAILURES),
        "history_url": prefix,
    }
    return render(request, "core/home.html", context)


@viewer_required
def media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)
