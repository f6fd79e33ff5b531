"""The home page's figures come from per-day counts (TaskDayCount) kept on every state change:
they must say exactly what counting the tasks says, and the upgrade's backfill must agree.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motionhub.core.days import start_of
from motionhub.dashboard import figures as dashboard
from motionhub.tasks import accept, daycount, timeline
from motionhub.tasks.models import MotionTask, State, TaskDayCount

from .test_home import HOME, _counts, _section

WORKER = "worker"


@pytest.fixture(autouse=True)
def no_dispatcher(monkeypatch):
    # Finishing a task wakes the dispatcher through django-q; these tests only count.
    monkeypatch.setattr("motionhub.tasks.dispatch.soon", lambda: None)


def plain_count() -> Counter:
    """(local day, outcome) → tasks, by reading every task: what the counts must match."""
    return Counter(
        (daycount.day_of(created), daycount.outcome_of(state))
        for created, state in MotionTask.objects.values_list("created_at", "state")
    )


def kept_counts() -> Counter:
    counts = Counter()
    for row in TaskDayCount.objects.all():
        for outcome in TaskDayCount.OUTCOMES:
            if getattr(row, outcome):
                counts[row.day, outcome] = getattr(row, outcome)
    return counts


def walk(task: MotionTask, *states: str) -> None:
    """Move the task through `states`, one timeline.move each, as the workers would."""
    current = task.state
    for state in states:
        assert timeline.move(task.pk, [current], state, source=WORKER)
        current = state


@pytest.fixture
def a_busy_month(make_task, bob):
    """Tasks on several days going through every kind of state change."""
    now = timezone.now()
    today_early = min(start_of(timezone.localdate()) + timedelta(minutes=5), now)
    made = {
        "done": make_task("done", at=today_early),
        "failed then retried": make_task("failed", at=today_early),
        "canceled in the queue": make_task("canceled", ago=timedelta(days=1)),
        "stuck then requeued": make_task("stuck", ago=timedelta(days=3)),
        "stuck": make_task("stuck forever", ago=timedelta(days=3)),
        "rejected": make_task("rejected", ago=timedelta(days=6, hours=23)),
        "last month": make_task("old", ago=timedelta(days=40)),
        "still going": make_task("going", at=today_early),
        "from a clock running ahead": make_task("ahead", at=now + timedelta(days=1)),
    }
    walk(made["done"], "uploading", "submitting", "submitted", "processing", "succeeded")
    walk(made["failed then retried"], "uploading", "submitting", "submitted", "failed")
    made["retry"] = accept.retry(MotionTask.objects.get(pk=made["failed then retried"].pk), bob)
    walk(made["canceled in the queue"], "canceled")
    walk(made["stuck then requeued"], "uploading", "submitting", "needs_attention", "queued")
    walk(made["stuck"], "uploading", "submitting", "needs_attention", "canceled")
    walk(made["rejected"], "uploading", "submitting", "rejected")
    walk(made["last month"], "uploading", "submitting", "submitted", "succeeded")
    walk(made["still going"], "uploading", "submitting", "submitted", "processing")
    walk(made["from a clock running ahead"], "uploading", "submitting", "failed")
    return made


def test_the_counts_kept_on_every_state_change_match_a_plain_count_of_the_tasks(a_busy_month):
    assert kept_counts() == plain_count()
    assert sum(kept_counts().values()) == MotionTask.objects.count() == 10


def test_the_home_page_shows_what_counting_the_tasks_shows(viewer_client, a_busy_month):
    today = timezone.localdate()
    week = dashboard.week_start(today)
    # The page's rule, applied to the tasks themselves: created since the day's local
    # midnight (later than today included), by the outcome of the state they are in now.
    expected_today, expected_week = Counter(), Counter()
    for task in MotionTask.objects.all():
        outcome = dashboard.OUTCOME_OF[task.state]
        expected_today[outcome] += task.created_at >= start_of(today)
        expected_week[outcome] += task.created_at >= start_of(week)

    page = viewer_client.get(HOME).content.decode()

    shown_today = {key: n for key, (n, _href) in _counts(page, "counts-today").items()}
    shown_week = {key: n for key, (n, _href) in _counts(page, "counts-week").items()}
    outcomes = [key for key, _label, _states in dashboard.OUTCOMES]
    assert shown_today == {key: expected_today[key] for key in outcomes}
    assert shown_week == {key: expected_week[key] for key in outcomes}
    # Today: done, the failed one and its retry, the one still going, the one ahead.
    assert shown_today == {
        "succeeded": 1, "failed": 2, "rejected": 0, "canceled": 0, "needs_attention": 0,
        "in_progress": 2,
    }  # fmt: skip


def test_a_state_change_that_rolls_back_takes_its_count_with_it(make_task):
    task = make_task("undone")
    before = kept_counts()

    with pytest.raises(RuntimeError), transaction.atomic():
        walk(task, "uploading", "submitting", "failed")
        raise RuntimeError("the worker died before committing")

    assert kept_counts() == before == plain_count()


def test_a_change_between_live_states_writes_no_count(make_task):
    task = make_task("busy")

    with CaptureQueriesContext(connection) as queries:
        walk(task, "uploading", "submitting", "submitted", "processing")

    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if "taskdaycount" in q["sql"].lower()]


def test_every_state_has_the_outcome_the_home_page_gives_it():
    for state in State:
        assert daycount.outcome_of(state) == dashboard.OUTCOME_OF[state]
    assert tuple(key for key, _label, _states in dashboard.OUTCOMES) == TaskDayCount.OUTCOMES


def test_a_rebuild_recounts_from_the_tasks_in_the_current_time_zone(a_busy_month, settings):
    TaskDayCount.objects.update(succeeded=99)  # drifted, however it happened
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: most tasks change local day

    call_command("motionhub_rollup", stdout=io.StringIO())

    assert kept_counts() == plain_count()
    assert sum(kept_counts().values()) == 10


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_backfill_gives_the_figures_counting_on_the_way_gave(
    a_busy_month, viewer_client
):
    live = kept_counts()
    before = figures(viewer_client.get(HOME).content.decode())

    # Back to before the counts existed (the table goes), then upgrade: the backfill counts.
    call_command("migrate", "motions", "0002", verbosity=0)
    call_command("migrate", "motions", verbosity=0)

    assert kept_counts() == live == plain_count()
    assert figures(viewer_client.get(HOME).content.decode()) == before


def figures(page: str) -> list[str]:
    return [_section(page, part) for part in ("counts-today", "counts-week", "chart")]


def test_the_home_page_shows_a_change_at_its_next_load(viewer_client, make_task):
    task = make_task("going", state=State.QUEUED, ago=timedelta(0))
    first = _counts(viewer_client.get(HOME).content.decode(), "counts-today")
    assert (first["succeeded"][0], first["in_progress"][0]) == (0, 1)

    walk(task, "uploading", "submitting", "submitted", "succeeded")

    # The markup kept for the earlier counts is not what the page shows now.
    again = _counts(viewer_client.get(HOME).content.decode(), "counts-today")
    assert (again["succeeded"][0], again["in_progress"][0]) == (1, 0)
