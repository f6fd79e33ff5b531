"""GET /assets/download has one owner, the archive job: a success asks upstream once, the
task page reads what the job recorded (the clean MP4 link, or why there is none)."""

from __future__ import annotations

import json

from motionhub.archive.models import ArchiveState, FileKind, TaskArchive
from motionhub.tasks.models import MotionTask
from motionhub.tasks.track import task_succeeded

from .conftest import JPEG, MP4


def _succeed(task_id: int, capture) -> None:
    with capture(execute=True):
        task_succeeded.send_robust(sender=MotionTask, task_id=task_id)


def test_a_success_asks_for_the_clean_mp4_once_and_the_page_links_the_kept_copy(
    made, cdn, sync_jobs, operator_client, django_capture_on_commit_callbacks
):
    asked = cdn.add("/v1/kling/assets/download", content_type="application/json",
                    body=json.dumps({"cdnUrl": cdn.url("/clean.mp4")}).encode())  # fmt: skip
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made(clean=None)
    task.upstream.pop("download")
    task.save()

    _succeed(task.pk, django_capture_on_commit_callbacks)

    assert asked.hits == 1  # one owner: no second job asks upstream for the same link
    task.refresh_from_db()
    assert task.result["clean_url"] == cdn.url("/clean.mp4")
    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.DONE, archive.reason
    assert archive.video.kind == FileKind.CLEAN_VIDEO
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'href="{archive.video.download_url}"' in page and "clean MP4" in page


def test_a_refused_clean_link_is_recorded_the_watermarked_video_kept(
    made, cdn, sync_jobs, operator_client, django_capture_on_commit_callbacks
):
    asked = cdn.add("/v1/kling/assets/download", status=404, content_type="application/json",
                    body=b'{"error": "work not found"}')  # fmt: skip
    cdn.add("/made.mp4", body=MP4, content_type="video/mp4")
    task = made(clean=None, cover=None)
    task.upstream.pop("download")
    task.save()

    _succeed(task.pk, django_capture_on_commit_callbacks)

    assert asked.hits == 1
    task.refresh_from_db()
    assert not task.result["clean_url"] and task.result["clean_error"]
    archive = TaskArchive.objects.get(task=task)
    assert archive.video.kind == FileKind.VIDEO
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Download the video (watermarked)" in page


def test_a_job_queued_under_the_old_name_is_handed_to_the_archive(made, cdn, sync_jobs):
    from motionhub.tasks import results

    asked = cdn.add("/v1/kling/assets/download", content_type="application/json",
                    body=json.dumps({"cdnUrl": cdn.url("/clean.mp4")}).encode())  # fmt: skip
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    task = made(clean=None, cover=None)
    task.upstream.pop("download")
    task.save()

    results.fetch_clean_download(task.pk)

    assert asked.hits == 1
    assert TaskArchive.objects.get(task=task).state == ArchiveState.DONE
