"""GET /v2/account/stats?bot=kling on the sandbox's useapi root: figures from the tasks it ran."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from motionhub.sandbox import state
from motionhub.sandbox.models import Task
from motionhub.useapi import Client
from tests.conftest import SANDBOX_TOKEN

CIRCLE_GLIDE = -100000000000004


def _stats_url(sandbox_url: str) -> str:
    return sandbox_url.removesuffix("/v1/kling") + "/v2/account/stats"


def test_it_counts_the_create_calls_of_the_day_per_account_through_the_client(
    api, image_url, sandbox_url
):
    for _ in range(2):
        answer = api.post("videos/motion-create", {"workId": CIRCLE_GLIDE, "image": image_url})
        assert answer.status_code == 200
    second = state.seed_account(SANDBOX_TOKEN, "second@sandbox.test")
    Task.objects.create(account=second, type=Task.MOTION_PROCESS, scene="x", base_url="x")
    # Another token's task is not counted.
    other = "user:1002-someoneelsestoken"
    state.seed_account(other, "x@sandbox.test")

    stats = Client(sandbox_url, SANDBOX_TOKEN).account_stats()

    assert stats.bot == "kling" and stats.total == 3
    assert stats.day == datetime.now(UTC).date()
    assert stats.by_config == {"studio@sandbox.test": 2, "second@sandbox.test": 1}
    assert stats.by_endpoint == {"videos-motion-create": 2, "videos-motion-upload": 1}
    assert stats.by_code == {"200": 3} and stats.success_rate == 100.0
    assert stats.avg_msec is not None and len(stats.rows) == 3
    assert all(row.job_id.endswith("-user:1001-bot:kling") for row in stats.rows)


def test_date_limit_and_config_narrow_the_rows(api, image_url, sandbox_url):
    for _ in range(3):
        api.post("videos/motion-create", {"workId": CIRCLE_GLIDE, "image": image_url})
    Task.objects.filter(pk=Task.objects.order_by("created").first().pk).update(
        created=datetime.now(UTC) - timedelta(days=2)
    )
    client = Client(sandbox_url, SANDBOX_TOKEN)

    assert client.account_stats().total == 2  # today only
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).date()
    assert client.account_stats(day=two_days_ago).total == 1
    assert client.account_stats(limit=10).total == 3  # every date
    assert client.account_stats(config="nobody@sandbox.test").total == 0


def test_no_data_has_no_summary_and_bot_is_required(api, account, sandbox_url):
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    empty = requests.get(_stats_url(sandbox_url), params={"bot": "kling"}, headers=headers,
                         timeout=10).json()  # fmt: skip
    assert empty["total"] == 0 and "summary" not in empty and empty["data"] == []
    missing = requests.get(_stats_url(sandbox_url), headers=headers, timeout=10)
    assert missing.status_code == 400
    anonymous = requests.get(_stats_url(sandbox_url), params={"bot": "kling"}, timeout=10)
    assert anonymous.status_code == 401
