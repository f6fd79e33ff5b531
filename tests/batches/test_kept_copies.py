"""The batch page shows each success's result from its kept copy (cover as the thumbnail,
links to the kept video and cover, served behind login), upstream's only while nothing is kept,
and the task's own input cover for the rest; the fragment's query count does not move."""

from __future__ import annotations

from motionhub.archive.models import ArchiveState, FileKind, KeptFile, TaskArchive
from motionhub.tasks.models import MotionTask

from .test_batch_page import HX, _fragment_queries


def _keep(task, kind: str) -> KeptFile:
    # As the archive job does: the task's archive row first, then each kept file (which links
    # itself to that row).
    TaskArchive.objects.get_or_create(task=task, defaults={"state": ArchiveState.DONE})
    return KeptFile.objects.create(task=task, kind=kind, name=f"archive/{task.pk}-{kind}",
                                   size=1, sha256="", content_type="image/jpeg",
                                   source_url="https://cdn.test/x")  # fmt: skip


def test_successes_show_their_kept_copy_and_upstream_only_while_nothing_is_kept(
    viewer_client, make_batch, account
):
    batch = make_batch(3, ("succeeded", "succeeded", "failed"), account=account)
    kept_task, waiting, failed = batch.tasks.order_by("id")
    for task in (kept_task, waiting):
        MotionTask.objects.filter(pk=task.pk).update(upstream={"result": {
            "video_url": f"https://cdn.test/{task.pk}.mp4",
            "cover_url": f"https://cdn.test/{task.pk}.jpg"}})  # fmt: skip
    video, cover = _keep(kept_task, FileKind.CLEAN_VIDEO), _keep(kept_task, FileKind.COVER)

    page = viewer_client.get(batch.get_absolute_url()).content.decode()
    fragment = viewer_client.get(f"/batches/{batch.pk}/status/", headers=HX).content.decode()
    for html in (page, fragment):
        row = lambda task: html.split(f'<tr id="task-{task.pk}"')[1].split("</tr>")[0]  # noqa: E731, B023
        assert f'<img class="thumb" src="{cover.url}"' in row(kept_task)
        assert f'href="{video.url}">video</a>' in row(kept_task)
        assert "cdn.test" not in row(kept_task)
        assert f'src="https://cdn.test/{waiting.pk}.jpg"' in row(waiting)
        assert "(upstream)" in row(waiting)
        assert "/media/motions/covers/" in row(failed)  # no result: the input cover


def test_the_fragment_still_costs_the_same_queries_with_kept_files(
    viewer_client, make_batch, account
):
    small = make_batch(5, ("succeeded",), account=account)
    big = make_batch(200, ("succeeded",), account=account)
    for task in list(small.tasks.all()) + list(big.tasks.all()):
        _keep(task, FileKind.COVER)
    assert _fragment_queries(viewer_client, small)[0] == _fragment_queries(viewer_client, big)[0]


def test_an_open_batch_page_shows_a_result_once_it_is_kept(viewer_client, make_batch, account):
    """Archiving leaves the task as it was: the board's version still moves with its files."""
    import re

    batch = make_batch(2, ("succeeded", "processing"), account=account)
    done = batch.tasks.get(state="succeeded")
    url = f"/batches/{batch.pk}/status/"
    first = viewer_client.get(url, headers=HX).content.decode()
    seen = re.search(r'hx-vals=\'\{"v": "([^"]+)"\}\'', first).group(1)
    assert viewer_client.get(url, {"v": seen}, headers=HX).status_code == 204

    cover = _keep(done, FileKind.COVER)
    after = viewer_client.get(url, {"v": seen}, headers=HX)

    assert after.status_code == 200
    assert f'<img class="thumb" src="{cover.url}"' in after.content.decode()
