"""/tasks/export.csv: exactly the filtered set, streamed, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motionhub.history import export as history
from motionhub.tasks.models import Kind, State

from .conftest import EXPORT, HISTORY, pager_link, shown_ids


def _read(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def tasks(make_task, one, two, alice, bob):
    now = timezone.now()
    return {
        "Moonwalk": make_task(
            "Moonwalk",
            at=now - timedelta(days=2),
            account=one,
            submitted_by=alice,
            state=State.SUCCEEDED,
            finished_at=now - timedelta(days=2) + timedelta(seconds=90),
        ),
        "Robot": make_task(
            "Robot",
            at=now - timedelta(days=1),
            account=two,
            submitted_by=bob,
            state=State.FAILED,
            error_category="moderation",
            error_message="Kling said: guideline",
            upstream_task_id=2**62 + 1,
        ),
        "Spin": make_task(
            "Spin",
            at=now,
            account=one,
            submitted_by=bob,
            kind=Kind.MOTION_CREATE,
            state=State.PROCESSING,
        ),
    }


def test_the_export_has_a_header_and_every_task_newest_first(viewer_client, tasks):
    response = viewer_client.get(EXPORT)

    rows = _read(response)
    assert list(rows[0].keys()) == list(history.CSV_HEADER)
    assert [r["name"] for r in rows] == ["Spin", "Robot", "Moonwalk"]
    robot = rows[1]
    assert robot["id"] == str(tasks["Robot"].pk)
    assert robot["account"] == "two@example.com" and robot["submitted_by"] == "bob"
    assert robot["state"] == "failed" and robot["error_category"] == "moderation"
    assert robot["error_message"] == "Kling said: guideline"
    assert robot["upstream_task_id"] == str(2**62 + 1)  # exact: never through a float
    moonwalk = rows[2]
    assert moonwalk["account"] == "One" and moonwalk["account_email"] == "one@example.com"
    assert moonwalk["created_at_utc"] == tasks["Moonwalk"].created_at.astimezone(UTC).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert moonwalk["duration_s"] == "90" and rows[0]["duration_s"] == ""
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_times_are_utc_to_the_second(viewer_client, make_task):
    at = datetime(2030, 5, 4, 12, 30, 15, 123456, tzinfo=UTC)
    make_task("Clock", at=at, state=State.SUCCEEDED, finished_at=at + timedelta(seconds=61.9))

    (row,) = _read(viewer_client.get(EXPORT))

    assert row["created_at_utc"] == "2030-05-04 12:30:15"
    assert row["finished_at_utc"] == "2030-05-04 12:31:17"
    assert row["duration_s"] == "62"


def test_it_exports_exactly_what_the_page_shows_for_the_same_filters(viewer_client, tasks, one):
    for query in (
        {"account": one.pk},
        {"who": "bob"},
        {"state": "failures"},
        {"q": "o"},
        {"kind": "motion_create"},
        {"error": "any"},
        {"who": "bob", "account": one.pk},
    ):
        page_ids = shown_ids(viewer_client.get(HISTORY, query))
        exported = [int(r["id"]) for r in _read(viewer_client.get(EXPORT, query))]
        assert exported == page_ids, query


def test_the_export_is_every_matching_row_not_one_page(viewer_client, make_task, one):
    for i in range(130):
        make_task(f"task {i}", account=one, ago=timedelta(minutes=i))
    page_two = pager_link(viewer_client.get(HISTORY, {"account": one.pk}), "next")

    # A cursor in the address (an export started from page 2) changes nothing.
    rows = _read(viewer_client.get(EXPORT + "?" + page_two.split("?", 1)[1]))

    assert len(rows) == 130


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(
    viewer_client, make_task, connection
):
    from motionhub.accounts.models import KlingAccount

    evil = KlingAccount.objects.create(
        connection=connection, email="e@example.com", label="+cmd|' /C calc'!A0"
    )
    for name in ('=HYPERLINK("http://evil.test")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "plain"):
        make_task(
            name, account=evil, error_category="gone", error_message="=1+1", upstream_status="@x"
        )

    rows = _read(viewer_client.get(EXPORT))

    names = {r["name"] for r in rows}
    assert names == {
        '\'=HYPERLINK("http://evil.test")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "plain",
    }
    for row in rows:
        assert row["account"] == "'+cmd|' /C calc'!A0"
        assert row["error_message"] == "'=1+1" and row["upstream_status"] == "'@x"


def test_the_export_streams_with_a_dated_file_name(viewer_client, tasks):
    response = viewer_client.get(EXPORT)

    assert isinstance(response, StreamingHttpResponse)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="motionhub-tasks-{today}.csv"'
    )


def test_the_export_reads_the_rows_in_chunks_with_a_fixed_number_of_queries(
    viewer_client, make_task, django_assert_max_num_queries
):
    viewer_client.get(HISTORY)  # the session's first page remembers the role
    for i in range(5):
        make_task(f"few {i}")
    with CaptureQueriesContext(db_connection) as few:
        _read(viewer_client.get(EXPORT))
    for i in range(2100):  # more than one chunk
        make_task(f"many {i}")

    with django_assert_max_num_queries(6), CaptureQueriesContext(db_connection) as lots:
        rows = _read(viewer_client.get(EXPORT))

    assert len(rows) == 2105 and len(few) == len(lots)


def test_anonymous_visitors_and_people_without_a_role_cannot_export(db, dave, tasks):
    response = Client().get(EXPORT)
    assert response.status_code == 302 and reverse("login") in response["Location"]

    client = Client()
    client.force_login(dave)
    assert client.get(EXPORT).status_code == 403


def test_the_export_only_answers_get(viewer_client):
    assert viewer_client.post(EXPORT).status_code == 405
