"""The tolerant converters every parser relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motionhub.useapi.parsers import parse_task_status
from motionhub.useapi.values import as_bool, as_datetime, as_eta, as_int, as_url, mask_secrets

from .samples import BIG_TASK_ID


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (BIG_TASK_ID, BIG_TASK_ID),
        (str(BIG_TASK_ID), BIG_TASK_ID),
        (" -100000000000004 ", -100000000000004),
        (5.0, 5),
        (5.5, None),
        (True, None),
        ("12a", None),
        (None, None),
        ([], None),
    ],
)
def test_it_reads_ints_exactly_or_not_at_all(value, expected):
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("false", False),
        ("TRUE", True),
        (0, False),
        ("maybe", None),
        (None, None),
    ],
)
def test_it_reads_booleans_tolerantly(value, expected):
    assert as_bool(value) is expected


NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        1_767_225_600_000,  # epoch ms, as Kling sends
        1_767_225_600,  # epoch s
        "1767225600000",
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:00",  # naive: taken as UTC
        "2026-01-01T01:00:00+01:00",
    ],
)
def test_it_reads_times_as_utc_from_epoch_or_iso(value):
    assert as_datetime(value) == NEW_YEAR


@pytest.mark.parametrize("value", [None, 0, -5, "yesterday", {}, 10**30])
def test_it_gives_no_time_for_unreadable_values(value):
    assert as_datetime(value) is None


def test_it_masks_passwords_at_any_depth_without_touching_the_original():
    original = {"password": "pw", "items": [{"passToken": "pt", "name": "x"}], "token": None}
    masked = mask_secrets(original)
    assert masked == {
        "password": "***",
        "items": [{"passToken": "***", "name": "x"}],
        "token": None,
    }
    assert original["password"] == "pw"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://cdn.example.test/a.mp4", "https://cdn.example.test/a.mp4"),
        ("HTTP://cdn.example.test/a.mp4", "HTTP://cdn.example.test/a.mp4"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        (42, None),
    ],
)
def test_it_accepts_only_http_urls(value, expected):
    assert as_url(value) == expected


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (int(NOW.timestamp() * 1000) + 30_000, NOW + timedelta(seconds=30)),  # epoch ms
        (int(NOW.timestamp()) + 30, NOW + timedelta(seconds=30)),  # epoch seconds
        (str(int(NOW.timestamp() * 1000) + 30_000), NOW + timedelta(seconds=30)),
        (45, NOW + timedelta(seconds=45)),  # seconds remaining
        (12.5, NOW + timedelta(seconds=12.5)),
        ("45", NOW + timedelta(seconds=45)),
        (90_000, NOW + timedelta(seconds=90)),  # above a day: milliseconds remaining
        ("2026-03-01T12:00:30Z", NOW + timedelta(seconds=30)),
        (0, None),
        (-5, None),
        (True, None),
        ("soon", None),
        ("nan", None),
        (None, None),
        ({}, None),
    ],
)
def test_it_reads_eta_hints_tolerantly(value, expected):
    assert as_eta(value, now=NOW) == expected


def test_a_task_answer_carries_its_eta_at_the_top_or_inside_task():
    eta = int(NOW.timestamp() * 1000) + 20_000
    top = {"task": {"id": 7, "status_name": "processing"}, "status_final": False, "etaTime": eta}
    inside = {"task": {"id": 7, "status_name": "processing", "etaTime": eta}}
    origin = {"task": {"id": 7}, "etaTime": 0, "originEtaTime": eta}  # 0: no hint; the origin
    for body in (top, inside, origin):
        assert parse_task_status(body).eta_at == NOW + timedelta(seconds=20)
    assert parse_task_status({"task": {"id": 7}}).eta_at is None
    final = {"task": {"id": 7}, "status_name": "succeed", "status_final": True, "etaTime": eta}
    assert parse_task_status(final).eta_at is None
