"""Usage statistics: GET /v2/account/stats?bot=kling on the useapi root (reference §13)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from motionhub.useapi import BadResponse, Client, InvalidInput, Unauthorized, useapi_root

from .samples import BASE, TOKEN

# The documented answer's shape (its example is for another bot; the fields are the same).
DOCUMENTED = {
    "bot": "kling",
    "date": "2026-02-13",
    "total": 12,
    "summary": {
        "from": "2026-02-13T00:00:03.000Z",
        "to": "2026-02-13T23:58:38.000Z",
        "time_span": "23 hours 58 minutes",
        "by_config": {"a@example.com": 9, "b@example.com": 3},
        "by_code": {"200": 10, "429": 2},
        "by_endpoint": {"post-videos-motion-create": 4, "get-tasks": 8},
        "by_status": {"OK": 10, "Too Many Requests": 2},
        "success_rate": "83.3%",
        "avg_msec": 1759.6,
    },
    "data": [
        {
            "timestamp": "2026-02-13T10:30:00.000Z",
            "jobid": "20260213103000123-user:4242-bot:kling",
            "config": "a@example.com",
            "endpoint": "post-videos-motion-create",
            "status": "OK",
            "func": "v1-kling-videos-motion-create",
            "code": 200,
            "msec": 5432,
        }
    ],
}


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        ("https://api.useapi.net/v1/kling", "https://api.useapi.net"),
        ("https://api.useapi.net/v1/kling/", "https://api.useapi.net"),
        ("http://127.0.0.1:8000/sandbox/v1/kling", "http://127.0.0.1:8000/sandbox"),
        ("http://localhost:41234/sandbox/v1/kling/", "http://localhost:41234/sandbox"),
        ("https://proxy.example.test/useapi/v1/KLING", "https://proxy.example.test/useapi"),
        ("https://api.useapi.net/v1/kling?x=1", "https://api.useapi.net"),
        # Not a Kling base URL: no guess.
        ("https://api.useapi.net/v1/runwayml", None),
        ("https://api.useapi.net/", None),
        ("https://api.useapi.net/v1/kling/extra", None),
        ("ftp://api.useapi.net/v1/kling", None),
        ("not a url", None),
    ],
)
def test_the_useapi_root_is_what_comes_before_v1_kling(base_url, root):
    assert useapi_root(base_url) == root


def test_it_asks_the_root_with_the_bot_date_and_config_and_the_same_token(api):
    client = Client("https://api.useapi.net/v1/kling", TOKEN)
    api.get("https://api.useapi.net/v2/account/stats", json=DOCUMENTED)

    stats = client.account_stats(day=date(2026, 2, 13), config="a@example.com")

    request = api.calls[0].request
    assert request.url == (
        "https://api.useapi.net/v2/account/stats?bot=kling&date=2026-02-13&config=a%40example.com"
    )
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.req_kwargs["timeout"] == (10.0, 30.0)
    assert stats.bot == "kling" and stats.day == date(2026, 2, 13) and stats.total == 12
    assert stats.by_config == {"a@example.com": 9, "b@example.com": 3}
    assert stats.by_code == {"200": 10, "429": 2}
    assert stats.by_endpoint["get-tasks"] == 8
    assert stats.success_rate == 83.3
    assert stats.avg_msec == 1760
    assert stats.starts_at == datetime(2026, 2, 13, 0, 0, 3, tzinfo=UTC)
    [row] = stats.rows
    assert (row.config, row.code, row.msec, row.endpoint) == (
        "a@example.com", 200, 5432, "post-videos-motion-create",
    )  # fmt: skip


def test_the_sandbox_root_is_asked_below_its_prefix(api):
    client = Client("http://127.0.0.1:8000/sandbox/v1/kling", TOKEN)
    api.get("http://127.0.0.1:8000/sandbox/v2/account/stats", json={"bot": "kling", "total": 0})
    client.account_stats(limit=100)
    assert api.calls[0].request.url.endswith("/sandbox/v2/account/stats?bot=kling&limit=100")


def test_an_answer_with_no_data_has_no_summary_and_every_figure_is_optional(api, client):
    api.get("https://api.example.test/v2/account/stats",
            json={"bot": "kling", "date": "2026-02-13", "total": 0})  # fmt: skip
    stats = client.account_stats()
    assert stats.total == 0 and stats.by_config == {} and stats.success_rate is None
    assert stats.rows == [] and stats.avg_msec is None


def test_odd_figures_are_left_out_not_raised(api, client):
    odd = {"total": "7", "date": "not a date", "data": "nope",
           "summary": {"by_config": {"a@example.com": "x", "b@example.com": 2},
                       "by_code": [], "success_rate": "n/a", "avg_msec": True}}  # fmt: skip
    api.get("https://api.example.test/v2/account/stats", json=odd)
    stats = client.account_stats()
    assert stats.total == 7 and stats.day is None and stats.rows == []
    assert stats.by_config == {"b@example.com": 2} and stats.by_code == {}
    assert stats.success_rate is None and stats.avg_msec is None


def test_a_list_instead_of_an_object_is_a_bad_response(api, client):
    api.get("https://api.example.test/v2/account/stats", json=[1, 2])
    with pytest.raises(BadResponse):
        client.account_stats()


def test_errors_are_the_named_ones_and_never_carry_the_token(api, client):
    api.get("https://api.example.test/v2/account/stats", status=401,
            json={"error": f"Bad token {TOKEN}"})  # fmt: skip
    with pytest.raises(Unauthorized) as raised:
        client.account_stats()
    assert TOKEN not in str(raised.value) and "s3cr3tT0kenValue" not in str(raised.value)


def test_a_base_url_not_under_v1_kling_is_refused_without_a_call(api):
    client = Client("https://proxy.example.test/kling-api", TOKEN)
    with pytest.raises(InvalidInput, match="useapi root"):
        client.account_stats()
    assert len(api.calls) == 0
    assert BASE  # the shared sample base is a /v1/kling one
