"""/: the home page, what everyone opens first."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from motionhub.core.roles import viewer_required
from motionhub.dashboard import cards, figures, markup
from motionhub.dashboard.links import history_link
from motionhub.tasks.models import FAILURES


@viewer_required
def home(request):
    """Accounts, outcome counts, a 30-day chart and recent failures: the same few queries
    however many tasks there are (dashboard/figures.py).
    """
    prefix = reverse("tasks:history")
    now, today = figures.now_and_today()
    week = figures.week_start(today)
    # One read of the per-day counts serves today's, the week's and the chart's figures.
    per_day = figures.per_day(today)
    accounts = cards.accounts()
    account_cards = cards.account_cards(prefix, now, accounts)
    chart = figures.chart(prefix, today, per_day)
    failures = figures.recent_failures(prefix, cards.account_names(accounts), per_day)
    context = {
        "cards": account_cards,
        "cards_html": markup.cards_html(account_cards),
        "today_html": markup.tallies_html(figures.outcome_counts(prefix, today, per_day)),
        "week_html": markup.tallies_html(figures.outcome_counts(prefix, week, per_day)),
        "week_start": week,
        "chart": chart,
        "bars_svg": markup.bars_svg(chart),
        "legend_html": markup.legend_html(chart),
        "header_cells_html": markup.header_cells_html(chart),
        "chart_rows_html": markup.chart_rows_html(chart),
        "failures": failures,
        "failures_html": markup.failures_html(failures, prefix),
        "failures_link": history_link(prefix, state=FAILURES),
        "history_url": prefix,
    }
    return render(request, "dashboard/home.html", context)
