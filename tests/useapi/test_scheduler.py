"""GET /scheduler/available: running jobs and free slots per account."""

from __future__ import annotations

from datetime import UTC, datetime

from .samples import BASE, BIG_TASK_ID, CAPACITY, EMAIL, TOKEN


def test_it_reads_running_jobs_and_free_slots_per_account(api, client):
    api.get(f"{BASE}/scheduler/available", json=CAPACITY)
    capacity = client.scheduler_available()
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.url == f"{BASE}/scheduler/available"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    (job,) = capacity.executing
    assert job.task_id == BIG_TASK_ID
    assert job.email == EMAIL
    assert job.started == datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
    assert job.elapsed == "01:30"
    assert job.reply_url == "https://hub.example.test/hooks/useapi/abc"
    assert job.reply_ref == "42"
    assert [(a.email, a.max_jobs, a.executing, a.available) for a in capacity.available] == [
        (EMAIL, 5, 1, 4),
        ("second@example.com", 1, 1, 0),
    ]
    assert capacity.raw == CAPACITY


def test_it_finds_the_capacity_of_one_account_by_email_ignoring_case(api, client):
    api.get(f"{BASE}/scheduler/available", json=CAPACITY)
    capacity = client.scheduler_available()
    assert capacity.for_email(EMAIL.upper()).available == 4
    assert capacity.for_email("nobody@example.com") is None


def test_it_reads_an_idle_scheduler_with_missing_lists(api, client):
    api.get(f"{BASE}/scheduler/available", json={"executing": None})
    capacity = client.scheduler_available()
    assert capacity.executing == []
    assert capacity.available == []


def test_it_reads_the_running_jobs_of_get_scheduler_with_their_reply_refs(api, client):
    api.get(f"{BASE}/scheduler", json=CAPACITY["executing"])
    (job,) = client.scheduler()
    assert api.calls[0].request.url == f"{BASE}/scheduler"
    assert (job.task_id, job.email, job.reply_ref) == (BIG_TASK_ID, EMAIL, "42")


def test_it_reads_running_jobs_wrapped_in_executing_too(api, client):
    api.get(f"{BASE}/scheduler", json={"executing": [{"id": str(BIG_TASK_ID), "replyRef": "r"}]})
    (job,) = client.scheduler()
    assert (job.task_id, job.reply_ref, job.reply_url) == (BIG_TASK_ID, "r", None)
