"""The archive job and its sweep, with the CDN at the network edge as a real local HTTP server."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from motionhub.archive import jobs
from motionhub.archive.models import ArchiveState, FileKind, KeptFile, TaskArchive
from motionhub.tasks.models import State

from .conftest import JPEG, MP4, TOKEN


def _stored(media_root: Path) -> list[Path]:
    folder = Path(media_root) / "archive"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_clean_mp4_and_the_cover_are_kept_with_their_checksums(made, cdn, media_root):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()

    jobs.archive_task(task.pk)

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.DONE, archive.reason
    video = KeptFile.objects.get(task=task, kind=FileKind.CLEAN_VIDEO)
    assert (video.size, video.content_type) == (len(MP4), "video/mp4")
    assert video.sha256 == hashlib.sha256(MP4).hexdigest()
    assert video.source_url == cdn.url("/clean.mp4")  # no query string: no signature kept
    assert (Path(media_root) / video.name).read_bytes() == MP4
    cover = KeptFile.objects.get(task=task, kind=FileKind.COVER)
    assert (Path(media_root) / cover.name).read_bytes() == JPEG
    assert not KeptFile.objects.filter(task=task, kind=FileKind.VIDEO).exists()
    for row in KeptFile.objects.values():
        assert "s3cr3t" not in str(row) and TOKEN not in str(row)


def test_without_a_clean_link_the_watermarked_video_is_kept(made, cdn):
    cdn.add("/made.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made(clean=None)

    jobs.archive_task(task.pk)

    assert TaskArchive.objects.get(task=task).state == ArchiveState.DONE
    assert set(KeptFile.objects.filter(task=task).values_list("kind", flat=True)) == {
        FileKind.VIDEO,
        FileKind.COVER,
    }


def test_a_clean_link_that_answers_an_html_page_falls_back_to_the_watermarked_video(made, cdn):
    cdn.add("/clean.mp4", body=b"<html>Access denied</html>", content_type="text/html")
    cdn.add("/made.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()

    jobs.archive_task(task.pk)

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.DONE
    assert "web page" in archive.reason and "watermarked" in archive.reason
    assert archive.video.kind == FileKind.VIDEO


def test_a_truncated_download_is_retried_then_left_for_the_sweep_with_nothing_stored(
    made, cdn, media_root, operator_client, sync_jobs
):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4", send_bytes=1000)
    cdn.add("/made.mp4", body=MP4, content_type="video/mp4", send_bytes=1000)
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()

    jobs.archive_task(task.pk)

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.FAILED
    assert "truncated" in archive.reason or "broke off" in archive.reason
    assert archive.next_try_at > timezone.now()
    assert cdn.routes["/clean.mp4"].hits == 3  # MOTIONHUB_ARCHIVE_ATTEMPTS
    task.refresh_from_db()
    assert task.state == State.SUCCEEDED  # a failed archive never undoes the success
    assert [p.name for p in _stored(media_root)] == [Path(archive.cover.name).name]
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Not archived:" in page

    # Later the file is whole again; the sweep picks the task up once it is due.
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    assert jobs.sweep() == 0  # not due yet
    TaskArchive.objects.filter(pk=archive.pk).update(next_try_at=timezone.now())
    assert jobs.sweep() == 1

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.DONE, archive.reason
    assert archive.video.kind == FileKind.CLEAN_VIDEO
    assert archive.attempts == 2
    page = operator_client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'src="{archive.video.url}"' in page and "Not archived:" not in page


def test_a_passing_failure_is_retried_within_the_job(made, cdn):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4", fail_times=2)
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()

    jobs.archive_task(task.pk)

    assert TaskArchive.objects.get(task=task).state == ArchiveState.DONE
    assert cdn.routes["/clean.mp4"].hits == 3


def test_a_file_above_the_limit_is_refused_for_good_and_not_stored(made, cdn, media_root, settings):
    settings.MOTIONHUB_ARCHIVE_MAX_BYTES = 50_000
    cdn.add("/clean.mp4", body=MP4 + MP4, content_type="video/mp4")
    cdn.add("/made.mp4", body=MP4 + MP4, content_type="video/mp4")
    task = made(cover=None)

    jobs.archive_task(task.pk)

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.GAVE_UP
    assert "above the 0 MB limit" in archive.reason or "limit" in archive.reason
    assert _stored(media_root) == []
    assert cdn.routes["/clean.mp4"].hits == 1  # refusals are not retried


def test_a_result_on_a_private_address_is_refused(made, cdn, media_root):
    task = made(clean=None)
    # "localhost" is loopback but not the connection's host (127.0.0.1).
    task.upstream["result"]["video_url"] = cdn.url("/made.mp4", host="localhost")
    task.upstream["result"]["cover_url"] = "ftp://cdn.example/cover.jpg"
    task.save()
    cdn.add("/made.mp4", body=MP4, content_type="video/mp4")

    jobs.archive_task(task.pk)

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.GAVE_UP
    assert "private or loopback" in archive.reason
    # A non-http(s) address is never even tried (upstream text becomes a URL only if http(s)).
    assert cdn.routes["/made.mp4"].hits == 0
    assert _stored(media_root) == []


def test_the_sweep_gives_up_after_its_bounded_tries(made, cdn, settings, sync_jobs):
    settings.MOTIONHUB_ARCHIVE_SWEEP_ATTEMPTS = 2
    cdn.add("/clean.mp4", body=b"", fail_times=100)
    task = made(video=None, cover=None)
    jobs.archive_task(task.pk)
    TaskArchive.objects.filter(task=task).update(next_try_at=timezone.now() - timedelta(1))

    jobs.sweep()

    archive = TaskArchive.objects.get(task=task)
    assert archive.state == ArchiveState.GAVE_UP and "Gave up after 2 tries" in archive.reason


def test_the_sweep_archives_successes_that_never_got_a_job(made, cdn, sync_jobs):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()  # created directly: no success signal, no archive row

    assert jobs.sweep() == 1

    assert TaskArchive.objects.get(task=task).state == ArchiveState.DONE


def test_running_the_job_twice_keeps_each_file_once(made, cdn, media_root):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()
    jobs.archive_task(task.pk)
    jobs.archive_task(task.pk)  # done already: nothing to do
    TaskArchive.objects.filter(task=task).update(state=ArchiveState.PENDING)
    jobs.archive_task(task.pk)  # claimed again: finds both kept
    assert KeptFile.objects.filter(task=task).count() == 2
    assert len(_stored(media_root)) == 2
    assert cdn.routes["/clean.mp4"].hits == 1


@pytest.mark.parametrize("state", [State.FAILED, State.PROCESSING])
def test_only_successes_are_archived(made, cdn, state):
    task = made()
    task.state = state
    task.save()
    jobs.archive_task(task.pk)
    assert TaskArchive.objects.get(task=task).state == ArchiveState.GAVE_UP
    assert not KeptFile.objects.exists()


def test_the_archive_row_links_the_clean_video_over_the_watermarked_and_the_cover(made, cdn):
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()
    jobs.archive_task(task.pk)
    archive = TaskArchive.objects.get(task=task)
    clean = KeptFile.objects.get(task=task, kind=FileKind.CLEAN_VIDEO)
    assert (archive.video_file_id, archive.cover_file_id) == (
        clean.pk,
        KeptFile.objects.get(task=task, kind=FileKind.COVER).pk,
    )

    KeptFile.objects.create(task=task, kind=FileKind.VIDEO, name="w.mp4", size=1, sha256="",
                            content_type="video/mp4", source_url="")  # fmt: skip
    assert TaskArchive.objects.get(task=task).video_file_id == clean.pk  # the clean one stays

    clean.delete()  # as retention removes it
    assert TaskArchive.objects.get(task=task).video_file_id is None
