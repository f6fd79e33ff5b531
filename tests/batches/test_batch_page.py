"""The batch page: every task a row, counts by state, a progress bar, and ONE polled fragment
that reads the database only, costs the same queries for 5 tasks as for 200, and stops (286)
once every task is settled."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection as db
from django.db import reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motionhub.archive.models import KeptFile
from motionhub.tasks.models import Batch

HX = {"HX-Request": "true"}


def _fragment_queries(client, batch: Batch) -> tuple[int, str]:
    url = reverse("batches:status", args=[batch.pk])
    client.get(url, headers=HX)  # the session and role are loaded once, as on an open page
    reset_queries()  # each request clears the log: counting starts from an empty one
    with CaptureQueriesContext(db) as queries:
        response = client.get(url, headers=HX)
    return len(queries), response.content.decode()


def test_the_fragment_costs_the_same_queries_for_a_batch_of_5_and_of_200(
    viewer_client, make_batch, account
):
    small = make_batch(5, ("queued", "processing", "succeeded"), account=account)
    big = make_batch(200, ("queued", "processing", "succeeded"), account=account)

    small_count, small_html = _fragment_queries(viewer_client, small)
    big_count, big_html = _fragment_queries(viewer_client, big)

    assert small_count == big_count <= 3
    assert small_html.count('<tr id="task-') == 5
    assert big_html.count('<tr id="task-') == 200


def test_the_page_shows_every_task_with_its_cover_account_state_and_counts(
    viewer_client, make_batch, account
):
    batch = make_batch(6, ("queued", "succeeded", "failed"), account=account)

    page = viewer_client.get(batch.get_absolute_url()).content.decode()

    assert page.count('<tr id="task-') == 6
    assert page.count('class="thumb"') == 6
    assert "/media/motions/covers/c0.jpg" in page
    assert page.count(">A</td>") == 6  # the account's label
    assert re.search(r'data-count="failed">2<', page)
    assert "4 of 6 done" in page
    assert '<progress class="batch-progress" value="4" max="6">' in page
    assert 'hx-trigger="every 2s"' in page
    assert page.count("hx-trigger=") == 1  # one poller for the whole batch


def test_the_fragment_keeps_polling_while_a_task_runs_and_stops_with_286_once_all_are_settled(
    viewer_client, make_batch
):
    batch = make_batch(3, ("succeeded", "processing"))
    url = reverse("batches:status", args=[batch.pk])

    running = viewer_client.get(url, headers=HX)
    # As the pipeline moves a state (tasks/timeline.py): updated_at moves with it.
    batch.tasks.update(state="failed", updated_at=timezone.now())
    done = viewer_client.get(url, headers=HX)

    assert running.status_code == 200 and 'hx-trigger="every 2s"' in running.content.decode()
    assert done.status_code == 286 and "hx-trigger" not in done.content.decode()


def test_the_fragment_answers_403_not_a_login_page_without_a_session_and_404_for_no_batch(
    client, viewer_client, make_batch
):
    batch = make_batch(1)

    assert client.get(reverse("batches:status", args=[batch.pk]), headers=HX).status_code == 403
    assert viewer_client.get(reverse("batches:status", args=[999]), headers=HX).status_code == 404


def test_the_list_shows_the_newest_batch_first_with_who_when_and_counts_by_outcome(
    viewer_client, make_batch, bob
):
    older = make_batch(4, ("succeeded", "failed", "canceled", "queued"), by=bob, name="Older")
    newer = make_batch(2, ("succeeded",), name="Newer")

    page = viewer_client.get(reverse("batches:index")).content.decode()

    assert page.index(f'id="batch-{newer.pk}"') < page.index(f'id="batch-{older.pk}"')
    row = page.split(f'id="batch-{older.pk}"')[1].split("</tr>")[0]
    assert "bob" in row
    assert re.findall(r"<td>(\d+)</td>", row) == ["4", "1", "1", "1", "1"]


@pytest.mark.parametrize("n", [51])
def test_the_list_pages_by_keyset(viewer_client, make_batch, n):
    for i in range(n):
        make_batch(1, name=f"B{i}")

    first = viewer_client.get(reverse("batches:index")).content.decode()
    older = re.search(r'rel="next" href="\?before=([^"]+)"', first).group(1)
    second = viewer_client.get(reverse("batches:index"), {"before": older}).content.decode()

    assert first.count('<tr id="batch-') == 50
    assert second.count('<tr id="batch-') == 1


def test_the_results_zip_streams_every_kept_file_named_by_its_task_with_a_manifest(
    viewer_client, make_batch, account
):
    batch = make_batch(3, ("succeeded", "succeeded", "failed"), account=account)
    first, second, failed = batch.tasks.order_by("id")
    for task, kind, body in ((first, "clean_video", b"mp4-1"), (first, "cover", b"jpg-1"),
                             (second, "video", b"mp4-2")):  # fmt: skip
        ext = ".jpg" if kind == "cover" else ".mp4"
        name = default_storage.save(f"archive/{task.pk}-{kind}{ext}", ContentFile(body))
        KeptFile.objects.create(
            task=task, kind=kind, name=name, size=len(body), sha256="0" * 64,
            content_type="video/mp4", source_url="https://cdn.test/x",
        )  # fmt: skip

    response = viewer_client.get(reverse("batches:results", args=[batch.pk]))

    assert response.streaming and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [
        f"001 Run 0 (task {first.pk})/clean video.mp4",
        f"001 Run 0 (task {first.pk})/cover.jpg",
        f"002 Run 1 (task {second.pk})/video (watermarked).mp4",
        "manifest.csv",
    ]
    assert archive.read(names[0]) == b"mp4-1" and archive.read(names[2]) == b"mp4-2"
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [(r["task"], r["state"], r["result_file"]) for r in rows] == [
        (str(first.pk), "succeeded", names[0]),
        (str(first.pk), "succeeded", names[1]),
        (str(second.pk), "succeeded", names[2]),
        (str(failed.pk), "failed", ""),
    ]
    assert {r["account"] for r in rows} == {"A"}


def test_a_poll_that_already_shows_the_current_board_gets_an_empty_204_after_one_query(
    viewer_client, make_batch, account
):
    batch = make_batch(200, ("queued", "processing"))
    url = reverse("batches:status", args=[batch.pk])
    first = viewer_client.get(url, headers=HX).content.decode()
    seen = re.search(r'hx-vals=\'\{"v": "([^"]+)"\}\'', first).group(1)
    full, _html = _fragment_queries(viewer_client, batch)

    reset_queries()
    with CaptureQueriesContext(db) as queries:
        unchanged = viewer_client.get(url, {"v": seen}, headers=HX)
    asked = [q["sql"] for q in queries.captured_queries]  # read now: a request clears the log
    batch.tasks.filter(state="queued").update(account=account)  # moved: updated_at stays
    moved = viewer_client.get(url, {"v": seen}, headers=HX)

    assert unchanged.status_code == 204 and unchanged.content == b""
    assert len(asked) == full  # the aggregate instead of the rows, nothing more
    assert "COUNT" in asked[-1] and "MAX" in asked[-1]
    assert moved.status_code == 200 and ">A</td>" in moved.content.decode()


def test_a_task_of_a_batch_links_back_to_its_batch(viewer_client, make_batch):
    batch = make_batch(2)
    task = batch.tasks.first()

    page = viewer_client.get(task.get_absolute_url()).content.decode()

    assert f'href="{batch.get_absolute_url()}"' in page


def test_everyone_watching_an_unchanged_run_gets_the_board_built_once(
    viewer_client, operator_client, make_batch
):
    batch = make_batch(20, ("queued", "processing"))
    url = reverse("batches:status", args=[batch.pk])
    first = viewer_client.get(url, headers=HX)  # builds the board from the rows

    operator_client.get(url, headers=HX)  # the session and role loaded, as on an open page
    reset_queries()
    with CaptureQueriesContext(db) as queries:
        second = operator_client.get(url, headers=HX)
    asked = [q["sql"] for q in queries.captured_queries]
    batch.tasks.filter(state="queued").update(state="canceled", updated_at=timezone.now())
    after_change = operator_client.get(url, headers=HX).content.decode()

    def rows(response) -> list[str]:
        return re.findall(r'<tr id="task-.*?</tr>', response.content.decode())

    assert len(rows(second)) == 20 and rows(second) == rows(first)
    # The version's aggregate only: the rows were not read again for the second viewer.
    assert not [sql for sql in asked if '"motions_motiontask"."name"' in sql]
    assert "COUNT" in asked[-1] and "MAX" in asked[-1]
    assert 'data-state="canceled"' in after_change and 'data-state="queued"' not in after_change
