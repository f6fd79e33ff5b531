"""Each person's own rate limit (MOTIONHUB_API_RATE a minute): the next request is a 429
problem with Retry-After until the minute is over; other people are not held up."""

from __future__ import annotations

import time

from motionhub.api import ratelimit
from motionhub.api.models import RateWindow
from tests.api.conftest import assert_problem


def test_past_the_limit_a_429_says_when_to_come_back(api_as, settings, db, monkeypatch):
    settings.MOTIONHUB_API_RATE = 3
    moment = 1_800_000_000 + 15.2  # 15.2 s into a minute
    monkeypatch.setattr(ratelimit.time, "time", lambda: moment)
    bob, alice = api_as("operator"), api_as("admin")

    assert [bob.get("/api/v1/accounts").status_code for _ in range(3)] == [200, 200, 200]
    refused = bob.get("/api/v1/accounts")
    body = assert_problem(refused, 429, "3 requests a minute")
    assert refused["Retry-After"] == "45"
    assert body["type"] == "urn:motionhub:problem:rate-limited"
    assert alice.get("/api/v1/accounts").status_code == 200  # a person's own limit

    moment += 45  # the next minute
    assert bob.get("/api/v1/accounts").status_code == 200
    # The new minute's first request tidied the old window away.
    assert RateWindow.objects.filter(owner__username="bob").count() == 1


def test_zero_means_no_limit(api_as, settings, db):
    settings.MOTIONHUB_API_RATE = 0
    viewer = api_as("viewer")
    assert all(viewer.get("/api/v1/accounts").status_code == 200 for _ in range(5))
    assert not RateWindow.objects.exists()


def test_the_count_is_in_the_database_shared_by_every_process(api_as, settings, db):
    settings.MOTIONHUB_API_RATE = 10
    viewer = api_as("viewer")
    viewer.get("/api/v1/accounts")
    viewer.get("/api/v1/tasks")
    window = RateWindow.objects.get(owner__username="charlie")
    assert window.count == 2 and window.minute == int(time.time() // 60)
