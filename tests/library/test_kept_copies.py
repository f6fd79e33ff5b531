"""A motion made by one of our uploads shows that upload's kept cover and archives (served
behind login), upstream's links only while nothing is kept; in one query for the page."""

from __future__ import annotations

from motionhub.archive.models import FileKind, KeptFile

from .test_library_page import _page_queries


def _keep(task, kind: str) -> KeptFile:
    return KeptFile.objects.create(task=task, kind=kind, name=f"archive/{task.pk}-{kind}",
                                   size=1, sha256="", content_type="application/octet-stream",
                                   source_url="https://cdn.test/x")  # fmt: skip


def test_a_card_shows_the_kept_cover_and_archives_of_our_upload(
    viewer_client, account, make_motion, synced, upload_task, django_assert_max_num_queries
):
    synced(account)
    kept_task, bare_task = upload_task(account, task_id=1), upload_task(account, task_id=2)
    cover, bvh, binary = (_keep(kept_task, k) for k in (FileKind.COVER, FileKind.BVH,
                                                         FileKind.BINARY))  # fmt: skip
    kept = make_motion(account, source_task=kept_task, bvh_url="https://cdn.test/1.zip",
                       binary_url="https://cdn.test/1.bin")  # fmt: skip
    waiting = make_motion(account, source_task=bare_task, bvh_url="https://cdn.test/2.zip")
    outside = make_motion(account)

    viewer_client.get("/motions/")
    page = viewer_client.get("/motions/").content.decode()
    shown = {part.split('"')[0]: part.split("</article>")[0]
             for part in page.split('id="motion-')[1:]}  # fmt: skip

    card = shown[str(kept.pk)]
    assert f'<img src="{cover.url}"' in card
    assert f'href="{bvh.url}"' in card and f'href="{binary.url}"' in card
    assert kept.cover_url not in card.split("<video")[0]  # the kept cover, not upstream's
    assert f'<img src="{waiting.cover_url}"' in shown[str(waiting.pk)]  # nothing kept yet
    assert 'href="https://cdn.test/2.zip"' in shown[str(waiting.pk)]
    assert f'<img src="{outside.cover_url}"' in shown[str(outside.pk)]
    _page_queries(viewer_client, django_assert_max_num_queries, 7)
