"""/: account cards, outcome counts, a 30-day chart and recent failures, in a few queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motionhub.accounts.models import KlingAccount
from motionhub.core.days import start_of
from motionhub.tasks.models import State

from .conftest import HISTORY, shown_ids

HOME = reverse("home")


def _section(page: str, element_id: str) -> str:
    """The element with this id: an account card (<article>) or a <section>."""
    start = page.index(f'id="{element_id}"')
    tag = "article" if element_id.startswith("account-") else "section"
    return page[start : page.index(f"</{tag}>", start)]


def _today_at(hours: float = 0.0):
    """A moment today (local time): early enough to be in the past whenever the test runs."""
    now = timezone.now()
    return min(start_of(timezone.localdate()) + timedelta(hours=hours), now - timedelta(seconds=1))


# --- Who may see it --------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    response = Client().get(HOME)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_signed_in_person_without_a_role_is_refused(dave):
    client = Client()
    client.force_login(dave)

    assert client.get(HOME).status_code == 403


def test_a_viewer_sees_the_dashboard(viewer_client):
    page = viewer_client.get(HOME).content.decode()

    for part in ('id="counts-today"', 'id="counts-week"', 'id="chart"', 'id="recent-failures"'):
        assert part in page


# --- Account cards ---------------------------------------------------------------------------


def test_a_card_shows_local_slots_in_use_credits_state_and_last_error(
    viewer_client, one, two, make_task
):
    one.credits, one.slots_in_use, one.last_error = 1234, 0, "Session <b>broken</b> (596)"
    one.save()
    two.enabled = False
    two.save()
    make_task(account=one, state=State.SUBMITTED)
    make_task(account=one, state=State.PROCESSING)
    make_task(account=one, state=State.SUCCEEDED)
    make_task(account=two, state=State.UPLOADING)
    make_task(account=None, state=State.QUEUED)

    page = viewer_client.get(HOME).content.decode()

    card = _section(page, f"account-{one.pk}")
    assert f"{HISTORY}?account={one.pk}&amp;state=in_progress" in card
    assert re.search(r">2 / 2</a>", card) and "(Kling reports 0)" in card
    assert "1234" in card and "active" in card
    assert "Session &lt;b&gt;broken&lt;/b&gt; (596)" in card
    other = _section(page, f"account-{two.pk}")
    assert ">1 / 3</a>" in other and "disabled" in other and "unknown" in other


def test_a_session_that_expires_within_three_days_or_has_expired_is_flagged(
    viewer_client, connection
):
    now = timezone.now()
    soon = KlingAccount.objects.create(
        connection=connection, email="soon@example.com", session_expires_at=now + timedelta(days=2)
    )
    gone = KlingAccount.objects.create(
        connection=connection, email="gone@example.com", session_expires_at=now - timedelta(hours=1)
    )
    fine = KlingAccount.objects.create(
        connection=connection, email="fine@example.com", session_expires_at=now + timedelta(days=10)
    )

    page = viewer_client.get(HOME).content.decode()

    assert "expires soon" in _section(page, f"account-{soon.pk}")
    assert "expired" in _section(page, f"account-{gone.pk}")
    fine_card = _section(page, f"account-{fine.pk}")
    assert "expires soon" not in fine_card and "expired" not in fine_card


def test_removed_accounts_have_no_card(viewer_client, one, two):
    two.removed_at = timezone.now()
    two.save()

    page = viewer_client.get(HOME).content.decode()

    assert f'id="account-{one.pk}"' in page and f'id="account-{two.pk}"' not in page


# --- Counts ----------------------------------------------------------------------------------


@pytest.fixture
def week(make_task, one):
    """Tasks today, three days ago and ten days ago, in every outcome."""
    today = [
        State.SUCCEEDED,
        State.SUCCEEDED,
        State.FAILED,
        State.REJECTED,
        State.CANCELED,
        State.NEEDS_ATTENTION,
        State.QUEUED,
        State.PROCESSING,
    ]
    made = [
        make_task(f"today {s}", at=_today_at(0.01 * i), account=one, state=s)
        for i, s in enumerate(today)
    ]
    three_days = timezone.now() - timedelta(days=3)
    made += [
        make_task("earlier", at=three_days, account=one, state=s)
        for s in (State.SUCCEEDED, State.FAILED, State.FAILED)
    ]
    made.append(make_task("too old", ago=timedelta(days=10), state=State.FAILED))
    return made


def _counts(page: str, element_id: str) -> dict[str, tuple[int, str]]:
    section = _section(page, element_id)
    return {
        key: (int(n), href.replace("&amp;", "&"))
        for href, n, key in re.findall(
            r'<a href="([^"]+)"><span class="n">(\d+)</span> <span class="badge (\w+)">', section
        )
    }


def test_today_and_the_last_seven_days_are_counted_by_outcome(viewer_client, week):
    page = viewer_client.get(HOME).content.decode()

    today = {k: n for k, (n, _href) in _counts(page, "counts-today").items()}
    assert today == {
        "succeeded": 2,
        "failed": 1,
        "rejected": 1,
        "canceled": 1,
        "needs_attention": 1,
        "in_progress": 2,
    }
    seven = {k: n for k, (n, _href) in _counts(page, "counts-week").items()}
    assert seven == {
        "succeeded": 3,
        "failed": 3,
        "rejected": 1,
        "canceled": 1,
        "needs_attention": 1,
        "in_progress": 2,
    }


def test_each_count_links_to_the_history_filtered_to_those_tasks(viewer_client, week):
    page = viewer_client.get(HOME).content.decode()
    today = timezone.localdate().isoformat()

    for element_id in ("counts-today", "counts-week"):
        for key, (n, href) in _counts(page, element_id).items():
            assert href.startswith(f"{HISTORY}?state={key}&from=")
            assert len(shown_ids(viewer_client.get(href))) == n, (element_id, key)
    assert _counts(page, "counts-today")["failed"][1] == f"{HISTORY}?state=failed&from={today}"


# --- The chart -------------------------------------------------------------------------------


def _bar(page: str, day) -> str:
    start = page.index(f'data-day="{day.isoformat()}"')
    return page[start : page.index("</g>", start)]


def test_the_chart_stacks_outcomes_per_day_with_heights_in_proportion(viewer_client, make_task):
    today = timezone.localdate()
    for i, state in enumerate([State.SUCCEEDED, State.SUCCEEDED, State.FAILED, State.QUEUED]):
        make_task(at=_today_at(0.01 * i), state=state)
    yesterday_noon = start_of(today - timedelta(days=1)) + timedelta(hours=12)
    for _ in range(2):
        make_task(at=yesterday_noon, state=State.SUCCEEDED)
    make_task(at=start_of(today - timedelta(days=31)), state=State.FAILED)  # outside the chart

    page = viewer_client.get(HOME).content.decode()

    assert page.count('<g class="bar"') == 30
    bar = _bar(page, today)
    # The busiest day (4 tasks) fills the 160-unit plot; the others are in proportion.
    heights = dict(
        re.findall(
            r'data-outcome="(\w+)" data-count="\d+" x="\d+" y="[\d.]+" '
            r'width="18" height="([\d.]+)"',
            bar,
        )
    )
    assert heights == {"succeeded": "80.0", "failed": "40.0", "in_progress": "40.0"}
    assert (
        f"<title>{today.isoformat()}: 4 tasks (2 succeeded, 1 failed, 1 in progress)</title>" in bar
    )
    yesterday = _bar(page, today - timedelta(days=1))
    assert 'data-outcome="succeeded" data-count="2"' in yesterday and 'height="80.0"' in yesterday
    empty = _bar(page, today - timedelta(days=5))
    assert '<rect class="seg' not in empty and ": 0 tasks</title>" in empty


def test_the_chart_reads_without_javascript_or_images(viewer_client, make_task):
    make_task(at=_today_at(), state=State.SUCCEEDED)

    page = viewer_client.get(HOME).content.decode()
    chart = page[page.index('id="chart"') :]

    assert '<svg class="chart" role="img"' in chart and "<desc" in chart
    legend = chart[chart.index('<ul class="legend">') :].split("</ul>")[0]
    for label in ("Succeeded", "Failed", "Rejected", "Canceled", "Needs attention", "In progress"):
        assert label in legend
    table = chart[chart.index('<table class="visually-hidden"') :].split("</table>")[0]
    assert table.count("<tr>") == 31  # a header row and one row per day
    assert f'<th scope="row">{timezone.localdate().isoformat()}</th><td>1</td>' in table
    day = timezone.localdate().isoformat()
    assert f'<a href="{HISTORY}?from={day}&amp;to={day}">' in chart


# --- Recent failures -------------------------------------------------------------------------


def test_recent_failures_are_the_ten_newest_with_category_message_and_a_link(
    viewer_client, make_task, one
):
    failures = [
        make_task(
            f"broken {i}",
            ago=timedelta(minutes=i),
            account=one,
            state=[State.FAILED, State.REJECTED, State.NEEDS_ATTENTION][i % 3],
            error_category="moderation",
            error_message=f"<i>Kling said {i}</i>",
        )
        for i in range(12)
    ]
    fine = make_task("fine", ago=timedelta(seconds=1), state=State.SUCCEEDED)

    page = viewer_client.get(HOME).content.decode()
    section = _section(page, "recent-failures")

    shown = [int(pk) for pk in re.findall(r'id="failure-(\d+)"', section)]
    assert shown == [t.pk for t in failures[:10]]
    assert f'id="failure-{fine.pk}"' not in section
    assert f'<a href="{HISTORY}{failures[0].pk}/">broken 0</a>' in section
    assert "&lt;i&gt;Kling said 0&lt;/i&gt;" in section and "<i>Kling said" not in section
    assert f'<a href="{HISTORY}?error=moderation">' in section
    assert f'href="{HISTORY}?state=failures"' in section


def test_no_failures_is_said_plainly(viewer_client):
    assert "No failures." in _section(viewer_client.get(HOME).content.decode(), "recent-failures")


# --- Queries ---------------------------------------------------------------------------------


def test_the_home_page_takes_the_same_few_queries_however_many_tasks_there_are(
    viewer_client, connection, make_task, django_assert_max_num_queries
):
    accounts = [
        KlingAccount.objects.create(connection=connection, email=f"a{i}@example.com")
        for i in range(6)
    ]
    for i in range(12):  # enough recent failures for the bounded failures query
        make_task(account=accounts[i % 6], ago=timedelta(hours=i), state=State.FAILED)
    viewer_client.get(HOME)  # the session's first page remembers the role
    with CaptureQueriesContext(db_connection) as few:
        viewer_client.get(HOME)
    states = [State.FAILED, State.PROCESSING, State.SUCCEEDED, State.CANCELED, State.QUEUED]
    for i in range(300):
        make_task(account=accounts[i % 6], ago=timedelta(hours=i * 5), state=states[i % 5])

    # Session, person, role; accounts, in-flight counts, per-day counts, recent failures;
    # the space used by inputs and kept results (two small rows, however many files).
    with django_assert_max_num_queries(8), CaptureQueriesContext(db_connection) as lots:
        viewer_client.get(HOME)

    assert len(few) == len(lots)


def test_a_quiet_month_still_lists_the_older_failures(viewer_client, make_task):
    old = [make_task(f"old {i}", ago=timedelta(days=40 + i), state=State.FAILED) for i in range(3)]
    recent = make_task("recent", ago=timedelta(days=2), state=State.REJECTED)

    section = _section(viewer_client.get(HOME).content.decode(), "recent-failures")

    shown = [int(pk) for pk in re.findall(r'id="failure-(\d+)"', section)]
    assert shown == [recent.pk, *(t.pk for t in old)]


def test_days_are_local_days_in_the_site_time_zone(viewer_client, make_task, settings):
    settings.TIME_ZONE = "America/New_York"
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    # 23:30 and 00:30 local time fall on different local days (and the same UTC day).
    make_task(at=start_of(today) - timedelta(minutes=30), state=State.SUCCEEDED)
    make_task(at=min(start_of(today) + timedelta(minutes=30), timezone.now()), state=State.FAILED)

    page = viewer_client.get(HOME).content.decode()

    assert 'data-outcome="succeeded" data-count="1"' in _bar(page, yesterday)
    assert 'data-outcome="failed" data-count="1"' in _bar(page, today)
    assert _bar(page, yesterday).count("data-outcome") == 1
    assert _bar(page, today).count("data-outcome") == 1
