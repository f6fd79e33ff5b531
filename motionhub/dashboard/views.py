"""/: the home page, what everyone opens first."""

from __future__ import annotations

import zlib
from datetime import date
from functools import lru_cache

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from motionhub.core import roles
from motionhub.core.addresses import fixed
from motionhub.core.roles import viewer_required, viewer_required_polled
from motionhub.dashboard import cards, figures, markup, space
from motionhub.dashboard.links import history_link
from motionhub.tasks.models import FAILURES


@lru_cache(maxsize=16)
def _chart_and_tallies(prefix: str, today: date, zone: str, counts: tuple) -> tuple:
    """The chart, the two tallies and their markup: pure functions of the per-day counts.

    The same counts always give the same markup, and most loads of the page find them
    unchanged, so each process keeps the last few instead of rebuilding some 200 elements on
    every load (`make bench`, home_vs_bare). `zone` is in the key as the day boundaries are.
    """
    per_day = {day: dict(outcomes) for day, outcomes in counts}
    week = figures.week_start(today)
    chart = figures.chart(prefix, today, per_day)
    return chart, {
        "today_html": markup.tallies_html(figures.outcome_counts(prefix, today, per_day)),
        "week_html": markup.tallies_html(figures.outcome_counts(prefix, week, per_day)),
        "week_start": week,
        "bars_svg": markup.bars_svg(chart),
        "legend_html": markup.legend_html(chart),
        "header_cells_html": markup.header_cells_html(chart),
        "chart_rows_html": markup.chart_rows_html(chart),
    }


def _cards(prefix: str, now, accounts: list[tuple]) -> tuple[list, str, str]:
    """The cards, their markup and its version (a checksum the polled fragment compares)."""
    minute = now.replace(second=0, microsecond=0)
    return _cards_kept(prefix, minute, timezone.get_current_timezone_name(), tuple(accounts))


@lru_cache(maxsize=16)
def _cards_kept(prefix: str, minute, zone: str, accounts: tuple) -> tuple[list, str, str]:
    # Kept for the same account rows within a minute, as the chart's markup is: a card's
    # session warning is to the minute. Building and formatting twenty cards was a tenth of
    # the page (`make bench`, home_vs_bare).
    account_cards = cards.account_cards(prefix, minute, list(accounts))
    html = markup.cards_html(tuple(account_cards))
    return account_cards, html, format(zlib.crc32(html.encode()), "08x")


@lru_cache(maxsize=16)
def _space_markup(figures: tuple, zone: str) -> str:
    """The storage figures' markup, kept for the same figures as the rest of the page's."""
    return render_to_string("dashboard/space.html", {"space": figures})


def forget_markup() -> None:
    """Drop the kept markup (the bench measures a load right after a change with it)."""
    _chart_and_tallies.cache_clear()
    _cards_kept.cache_clear()
    _space_markup.cache_clear()
    _body.cache_clear()
    figures.forget()


def _key(per_day: figures.PerDay) -> tuple:
    return tuple(sorted((day, tuple(sorted(counts.items()))) for day, counts in per_day.items()))


@viewer_required
def home(request):
    """Accounts, outcome counts, a 30-day chart and recent failures: the same few queries
    however many tasks there are (dashboard/figures.py).
    """
    prefix = fixed("tasks:history")
    now, today = figures.now_and_today()
    # One read of the per-day counts serves today's, the week's and the chart's figures.
    per_day = figures.per_day(today)
    zone = timezone.get_current_timezone_name()
    counts = _key(per_day)
    accounts = cards.accounts()
    account_cards, cards_html, cards_version = _cards(prefix, now, accounts)
    failures = figures.recent_failures(prefix, cards.account_names(accounts), per_day)
    body = _body(
        prefix,
        today,
        zone,
        counts,
        bool(account_cards),
        cards_html,
        cards_version,
        markup.failures_html(failures, prefix),
        _space_markup(tuple(space.space_used()), zone),
        roles.rank(roles.role_of(request.user)) >= roles.rank(roles.ADMIN),
    )
    return render(request, "dashboard/home.html", {"body": body})


@lru_cache(maxsize=16)
def _body(
    prefix,
    today,
    zone,
    counts: tuple,
    has_cards: bool,
    cards_html: str,
    cards_version: str,
    failures_html: str,
    space_html: str,
    can_administer: bool,
) -> str:
    """The page below the top bar, kept for the same figures as its parts are: rendering it
    was a seventh of the page (`make bench`, home_vs_bare). Every argument is a kept value
    (the same object while nothing changed), so the key is cheap to compare."""
    chart, chart_context = _chart_and_tallies(prefix, today, zone, counts)
    return render_to_string(
        "dashboard/home_body.html",
        {
            "cards": has_cards,
            "cards_html": cards_html,
            "cards_version": cards_version,
            "chart": chart,
            **chart_context,
            "failures": bool(failures_html),
            "failures_html": failures_html,
            "failures_link": history_link(prefix, state=FAILURES),
            "history_url": prefix,
            "space_html": space_html,
            "can_administer": can_administer,
        },
    )  # fmt: skip


@viewer_required_polled
@require_GET
def cards_fragment(request):
    """The home page's account cards, polled so a health change shows without a reload.

    The database only, one query (the accounts with their live tasks) besides the session's,
    whatever the history; the poll sends the version it shows (`v`), and while the cards are
    unchanged the answer is an empty 204 (htmx swaps nothing and keeps polling).
    """
    now = timezone.now()
    account_cards, cards_html, version = _cards(fixed("tasks:history"), now, cards.accounts())
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    context = {"cards": account_cards, "cards_html": cards_html, "cards_version": version}
    return render(request, "dashboard/home_body.html#cards", context)
