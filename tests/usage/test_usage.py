"""Spend per task from the balance the upstream reports around it, and the Usage page (+ CSV)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from motionhub.tasks import dispatch, track
from motionhub.tasks.models import MotionTask, State
from motionhub.usage import spend
from motionhub.usage.models import TaskSpend
from tests.tasks.conftest import BASE, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"


def _points(total: int) -> dict:
    return {"userPoints": {"points": [], "total": total}}


def _run_to_success(upload, account, upstream, before: int, after: int) -> MotionTask:
    upstream.mock.post(UPLOAD_URL, json=task_json(**_points(before)))
    final = task_json(status_name="succeed", final=True, **_points(after))
    upstream.mock.get(f"{BASE}/tasks/{UPSTREAM_ID}", json=final)
    task = upload(account)
    dispatch.run()
    track.read(task.pk)
    task.refresh_from_db()
    assert task.state == State.SUCCEEDED
    return task


def test_a_succeeded_task_records_its_balance_before_and_after_and_the_credits_used(
    upload, account, upstream
):
    task = _run_to_success(upload, account, upstream, before=56000, after=55900)

    recorded = TaskSpend.objects.get(task=task)
    assert (recorded.balance_before, recorded.balance_after, recorded.credits) == (
        56000,
        55900,
        100,
    )


def test_a_balance_the_upstream_does_not_report_leaves_the_credits_unknown(account, db):
    task = MotionTask.objects.create(name="x", account=account, upstream={"create": {}})

    recorded = spend.record(task.pk)

    assert recorded.balance_before is None and recorded.credits is None
    assert spend.balance({"userPoints": {"total": True}}) is None


def test_the_usage_page_shows_credits_per_member_account_and_week_with_csv(
    upload, account, upstream, viewer_client
):
    _run_to_success(upload, account, upstream, before=56000, after=55900)
    MotionTask.objects.create(name="old", account=account,
                              created_at=timezone.now() - timedelta(days=30))  # fmt: skip

    page = viewer_client.get(reverse("usage:index")).content.decode()
    assert "<td>bob</td><td>1</td><td>1</td><td>100</td>" in page  # per member
    assert "<td>A</td><td>2</td><td>1</td><td>100</td>" in page  # per account

    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    response = viewer_client.get(reverse("usage:export") + f"?since={since}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["week", "member", "account", "tasks", "succeeded", "credits"]
    assert [r[1:] for r in rows[1:]] == [["bob", "A", "1", "1", "100"]]


def test_the_usage_page_draws_credits_and_tasks_per_week_and_the_filter_narrows_it(
    upload, account, upstream, viewer_client
):
    _run_to_success(upload, account, upstream, before=56000, after=55900)
    five_weeks_ago = timezone.now() - timedelta(weeks=5)
    MotionTask.objects.create(name="old", account=account, created_at=five_weeks_ago)

    page = viewer_client.get(reverse("usage:index")).content.decode()

    chart = page[page.index('id="usage-chart"') : page.index('id="usage-chart-table"')]
    assert "<script" not in page.split("</header>")[-1]  # drawn on the server, no script
    this_week = [w for w in chart.split('data-week="')[1:] if 'data-value="100"' in w]
    assert len(this_week) == 1  # the credits bar of this week
    # Six weeks, the empty ones between included, in each of the two panels.
    assert chart.count('class="seg credits"') == 6
    assert chart.count('class="seg tasks"') == 6
    assert "Week of" in chart and "100 credits" in chart

    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    narrowed = viewer_client.get(reverse("usage:index") + f"?since={since}").content.decode()
    assert narrowed.count('class="seg tasks"') == 1


def test_the_usage_page_without_tasks_draws_no_chart(viewer_client, db):
    page = viewer_client.get(reverse("usage:index")).content.decode()
    assert 'id="usage-chart"' not in page
