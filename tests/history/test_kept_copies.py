"""The history's "archived / not" filter (with its pages and the CSV) and each succeeded row's
links: the kept copy, served behind login, and upstream's URL only while nothing is kept."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from motionhub.archive.models import ArchiveState, FileKind, KeptFile, TaskArchive
from motionhub.tasks.models import State

from .conftest import EXPORT, HISTORY, pager_link, shown_ids


def _upstream(i: int) -> dict:
    return {"result": {"video_url": f"https://cdn.test/{i}.mp4",
                       "cover_url": f"https://cdn.test/{i}.jpg"}}  # fmt: skip


def _keep(task, *kinds: str) -> list[KeptFile]:
    TaskArchive.objects.create(task=task, state=ArchiveState.DONE)
    return [
        KeptFile.objects.create(
            task=task,
            kind=kind,
            name=f"archive/{task.pk}-{kind}",
            size=10,
            sha256="0" * 64,
            content_type="video/mp4",
            source_url="https://cdn.test/x",
        )
        for kind in kinds
    ]


@pytest.fixture
def results(make_task, one):
    """60 successes, every other one archived; a failure and a queued task besides."""
    archived, not_archived = [], []
    for i in range(60):
        task = make_task(
            f"made {i}", ago=timedelta(minutes=100 - i), account=one, state=State.SUCCEEDED,
            kind="motion_create", upstream=_upstream(i),
        )  # fmt: skip
        if i % 2:
            _keep(task, FileKind.VIDEO, FileKind.CLEAN_VIDEO, FileKind.COVER)
            archived.append(task)
        else:
            not_archived.append(task)
    failing = make_task("archive failed", account=one, state=State.SUCCEEDED,
                        upstream=_upstream(99))  # fmt: skip
    TaskArchive.objects.create(task=failing, state=ArchiveState.FAILED, reason="truncated")
    not_archived.append(failing)
    make_task("broken", account=one, state=State.FAILED)
    make_task("waiting", account=one, state=State.QUEUED)
    return archived, not_archived


def _all_pages(client, query: dict) -> list[int]:
    response = client.get(HISTORY, query)
    ids = shown_ids(response)
    while link := pager_link(response, "next"):
        response = client.get(link)
        ids += shown_ids(response)
    return ids


def _exported(client, query: str) -> list[int]:
    body = b"".join(client.get(f"{EXPORT}?{query}").streaming_content).decode()
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(body))]


def test_archived_or_not_filters_every_page_and_the_csv(viewer_client, results):
    archived, not_archived = results
    newest_first = lambda tasks: [t.pk for t in sorted(tasks, key=lambda t: (t.created_at, t.pk),  # noqa: E731
                                                       reverse=True)]  # fmt: skip

    assert _all_pages(viewer_client, {"archived": "yes"}) == newest_first(archived)
    assert _all_pages(viewer_client, {"archived": "no"}) == newest_first(not_archived)
    assert _exported(viewer_client, "archived=yes") == newest_first(archived)
    assert _exported(viewer_client, "archived=no") == newest_first(not_archived)
    page = viewer_client.get(HISTORY, {"archived": "yes"}).content.decode()
    assert '<option value="yes" selected>Archived</option>' in page
    wrong = viewer_client.get(HISTORY, {"archived": "maybe"})
    assert "Choose archived or not." in wrong.content.decode()
    assert len(shown_ids(wrong)) == 50  # an invalid value filters nothing


def test_a_row_links_the_kept_copy_and_upstream_only_while_nothing_is_kept(
    viewer_client, make_task, one
):
    kept_task = make_task("kept", account=one, state=State.SUCCEEDED, upstream=_upstream(1))
    clean, cover = _keep(kept_task, FileKind.CLEAN_VIDEO, FileKind.COVER)
    KeptFile.objects.create(task=kept_task, kind=FileKind.VIDEO, name="w", size=1, sha256="",
                            content_type="video/mp4", source_url="")  # fmt: skip
    waiting = make_task("waiting", account=one, state=State.SUCCEEDED, upstream=_upstream(2))
    cover_only = make_task("cover kept", account=one, state=State.SUCCEEDED, upstream=_upstream(3))
    (only_cover,) = _keep(cover_only, FileKind.COVER)
    hostile = make_task("hostile", account=one, state=State.SUCCEEDED,
                        upstream={"result": {"video_url": "javascript:alert(1)"}})  # fmt: skip

    page = viewer_client.get(HISTORY).content.decode()
    row = lambda task: page.split(f'<tr id="task-{task.pk}">')[1].split("</tr>")[0]  # noqa: E731

    assert f'href="{clean.url}">video</a>' in row(kept_task)  # the clean master, not the other
    assert f'href="{cover.url}">cover</a>' in row(kept_task)
    assert "cdn.test" not in row(kept_task)
    assert 'href="https://cdn.test/2.mp4" rel="noreferrer">video</a>' in row(waiting)
    assert "(upstream)" in row(waiting)
    assert "javascript" not in row(hostile)
    # Mixed: the kept cover, and upstream's video said to be upstream's.
    assert f'href="{only_cover.url}">cover</a>' in row(cover_only)
    assert ('href="https://cdn.test/3.mp4" rel="noreferrer">video</a> '
            '<span class="muted">(upstream)</span>') in row(cover_only)  # fmt: skip
    assert "(upstream)" not in row(kept_task)
    # The kept file's address is the signed-in archive view.
    assert viewer_client.get(clean.url).status_code in (200, 404)


def test_the_result_links_cost_no_query_per_row(viewer_client, make_task, one, results):
    viewer_client.get(HISTORY)  # the session's first page remembers the role: one write more
    with CaptureQueriesContext(db_connection) as plain:
        viewer_client.get(HISTORY)
    with CaptureQueriesContext(db_connection) as filtered:
        response = viewer_client.get(HISTORY, {"archived": "yes"})
    assert len(shown_ids(response)) == 30
    assert len(plain) == len(filtered) <= 6


def test_a_result_retention_removed_says_so_instead_of_linking_upstream(
    viewer_client, make_task, one
):
    task = make_task("old", account=one, state=State.SUCCEEDED, upstream=_upstream(7))
    kept = _keep(task, FileKind.CLEAN_VIDEO, FileKind.COVER)
    for row in kept:
        row.delete()  # as retention removes them
    TaskArchive.objects.filter(task=task).update(state=ArchiveState.EXPIRED)

    page = viewer_client.get(HISTORY).content.decode()
    row = page.split(f'<tr id="task-{task.pk}">')[1].split("</tr>")[0]
    assert "no longer kept" in row and "cdn.test" not in row and "/archive/files/" not in row
    assert task.pk in shown_ids(viewer_client.get(HISTORY, {"archived": "no"}))
