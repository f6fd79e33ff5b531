"""useapi.net's usage statistics read per connection by a job, stored, and shown on /usage/."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from motionhub.accounts.models import Connection
from motionhub.sandbox import state
from motionhub.sandbox.models import Task
from motionhub.usage import jobs
from motionhub.usage.models import UpstreamUsage
from tests.conftest import SANDBOX_TOKEN


@pytest.fixture
def sandbox_connection(sandbox_url, transactional_db) -> Connection:
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(SANDBOX_TOKEN)
    conn.save()
    return conn


def test_the_scheduled_read_stores_each_connections_figures_from_the_sandbox_over_http(
    sandbox_connection, sync_jobs, viewer_client
):
    account = state.seed_account(SANDBOX_TOKEN, "studio-a@sandbox.test")
    for _ in range(3):
        Task.objects.create(account=account, type=Task.MOTION_CREATE, scene="x", base_url="x")

    assert jobs.read_all() == 1

    today = jobs.days_to_read()[-1]
    stored = UpstreamUsage.objects.get(connection=sandbox_connection, day=today)
    assert stored.requests == 3 and stored.by_account == {"studio-a@sandbox.test": 3}
    assert stored.success_rate == 100.0 and stored.error == "" and stored.read_at is not None
    assert UpstreamUsage.objects.filter(connection=sandbox_connection).count() == 2  # + yesterday

    page = viewer_client.get(reverse("usage:index")).content.decode()
    section = page[page.index('id="upstream-usage"') :]
    assert "<td>studio-a@sandbox.test</td><td>3</td><td>0</td>" in section  # useapi's, ours
    assert "<td>Sandbox</td><td>3</td><td>100.0%</td>" in section


@responses.activate
def test_a_failed_read_keeps_the_figures_already_stored_and_says_why(db):
    conn = Connection(name="Prod", base_url="https://api.useapi.net/v1/kling")
    conn.set_token("user:77-aSecretTokenValue")
    conn.save()
    yesterday, today = jobs.days_to_read()
    UpstreamUsage.objects.create(connection=conn, day=today, requests=5)
    responses.get("https://api.useapi.net/v2/account/stats", status=503,
                  json={"error": "down for user:77-aSecretTokenValue"})  # fmt: skip

    assert jobs.read_upstream_usage(conn.pk) == 0

    kept = UpstreamUsage.objects.get(connection=conn, day=today)
    assert kept.requests == 5 and kept.error
    assert "aSecretTokenValue" not in kept.error
    assert [c.request.url.split("?")[1] for c in responses.calls][:1] == [
        f"bot=kling&date={yesterday.isoformat()}"
    ]


def test_a_connection_not_under_v1_kling_records_why_it_has_no_figures(db):
    conn = Connection(name="Proxy", base_url="https://proxy.example.test/kling")
    conn.set_token("user:77-aSecretTokenValue")
    conn.save()

    assert jobs.read_upstream_usage(conn.pk) == 0  # no request is made (responses is off)

    assert "useapi root" in UpstreamUsage.objects.filter(connection=conn).first().error
