"""Retention: inputs go 30 days after their task is final (files shared with a task still
within its time stay), kept results only when a retention is set; pages then say so; each run
is audited as "system" and measures the space the home page shows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_q.models import Schedule

from motionhub.archive import jobs, retention
from motionhub.archive.models import ArchiveState, KeptFile, SpaceUsed, TaskArchive
from motionhub.audit.models import AuditEntry
from motionhub.core.schedules import ensure_schedules
from motionhub.tasks import bulk
from motionhub.tasks.models import Kind, MotionTask, State

from .conftest import JPEG, MP4

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"v" * 3000
COVER = b"\xff\xd8\xff\xe0" + b"c" * 1000


@pytest.fixture
def upload(account):
    def make(days_ago: float, state=State.SUCCEEDED, **extra) -> MotionTask:
        task = MotionTask(kind=Kind.MOTION_UPLOAD, name="Wave", account=account, state=state,
                          finished_at=timezone.now() - timedelta(days=days_ago),
                          inputs={"video_size": len(VIDEO)}, **extra)  # fmt: skip
        task.video.save("v.mp4", ContentFile(VIDEO), save=False)
        task.cover.save("c.jpg", ContentFile(COVER), save=False)
        task.save()
        return task

    return make


def _exists(media_root, name: str) -> bool:
    return bool(name) and (Path(media_root) / name).exists()


def test_inputs_go_thirty_days_after_their_task_is_final_and_the_page_says_so(
    upload, media_root, operator_client
):
    old, recent = upload(31), upload(29, state=State.FAILED)
    running = upload(40, state=State.PROCESSING)  # not final: its inputs are still needed
    old_video, old_cover = old.video.name, old.cover.name

    done = retention.apply()

    assert done["input_files"] == 2 and done["input_tasks"] == 1
    assert not _exists(media_root, old_video) and not _exists(media_root, old_cover)
    old.refresh_from_db()
    assert not old.video and not old.cover and old.inputs["removed"] == ["cover", "video"]
    assert old.state == State.SUCCEEDED  # the row stays, only its files went
    for kept in (recent, running):
        kept.refresh_from_db()
        assert _exists(media_root, kept.video.name) and _exists(media_root, kept.cover.name)

    page = operator_client.get(f"/tasks/{old.pk}/").content.decode()
    assert "no longer kept" in page and old_video not in page
    entry = AuditEntry.objects.get(action="storage.retention")
    assert entry.actor is None and entry.actor_name == "system"
    assert "Removed 2 input file(s) of 1 task(s)" in entry.detail
    inputs = SpaceUsed.objects.get(kind=SpaceUsed.INPUTS)
    assert (inputs.files, inputs.bytes) == (4, 2 * (len(VIDEO) + len(COVER)))

    assert retention.apply()["input_files"] == 0  # nothing left to do: nothing audited
    assert AuditEntry.objects.filter(action="storage.retention").count() == 1


def test_a_file_shared_with_a_task_still_within_its_time_stays(upload, media_root, settings):
    original = upload(60, state=State.FAILED)
    retry = MotionTask.objects.create(
        kind=Kind.MOTION_UPLOAD, name="Wave", account=original.account, state=State.QUEUED,
        video=original.video.name, cover=original.cover.name, retry_of=original,
    )  # fmt: skip

    assert retention.apply()["input_files"] == 0
    assert _exists(media_root, original.video.name)

    retry.state, retry.finished_at = State.SUCCEEDED, timezone.now() - timedelta(days=31)
    retry.save()
    assert retention.apply()["input_files"] == 2
    assert not _exists(media_root, original.video.name)
    for task in (original, retry):
        task.refresh_from_db()
        assert not task.video and task.inputs["removed_at"]
    assert not original.is_retryable  # nothing left to send again
    assert not bulk.to_retry(MotionTask.objects.filter(pk=original.pk)).exists()


def test_forever_keeps_inputs(upload, media_root, settings):
    settings.MOTIONHUB_KEEP_INPUTS_DAYS = None
    task = upload(400)
    assert retention.apply()["input_files"] == 0
    assert _exists(media_root, task.video.name)


def _archived(made, cdn, days_ago: float) -> MotionTask:
    cdn.add("/clean.mp4", body=MP4, content_type="video/mp4")
    cdn.add("/made.jpg", body=JPEG, content_type="image/jpeg")
    task = made()
    MotionTask.objects.filter(pk=task.pk).update(
        finished_at=timezone.now() - timedelta(days=days_ago)
    )
    jobs.archive_task(task.pk)
    assert TaskArchive.objects.get(task=task).state == ArchiveState.DONE
    return task


def test_kept_results_stay_forever_by_default(made, cdn, media_root):
    task = _archived(made, cdn, days_ago=3650)
    assert SpaceUsed.objects.get(kind=SpaceUsed.RESULTS).bytes == len(MP4) + len(JPEG)

    assert retention.apply()["result_files"] == 0
    assert KeptFile.objects.filter(task=task).count() == 2
    results = SpaceUsed.objects.get(kind=SpaceUsed.RESULTS)
    assert (results.files, results.bytes) == (2, len(MP4) + len(JPEG))


def test_kept_results_past_their_retention_go_and_the_page_says_so(
    made, cdn, media_root, settings, operator_client
):
    settings.MOTIONHUB_KEEP_RESULTS_DAYS = 90
    old, recent = _archived(made, cdn, days_ago=91), _archived(made, cdn, days_ago=10)
    old_files = list(KeptFile.objects.filter(task=old))
    old_urls = [kept.url for kept in old_files]

    done = retention.apply()

    assert (done["result_files"], done["result_bytes"]) == (2, len(MP4) + len(JPEG))
    assert not KeptFile.objects.filter(task=old).exists()
    assert not any(_exists(media_root, kept.name) for kept in old_files)
    assert KeptFile.objects.filter(task=recent).count() == 2
    archive = TaskArchive.objects.get(task=old)
    assert archive.state == ArchiveState.EXPIRED and "MOTIONHUB_KEEP_RESULTS_DAYS" in archive.reason
    assert jobs.sweep() == 0  # an expired archive is not archived again

    page = operator_client.get(f"/tasks/{old.pk}/").content.decode()
    assert "The result is no longer kept" in page
    assert "<video" not in page.split('id="task-status"')[1]  # no player pointing at nothing
    assert not any(url in page for url in old_urls)
    assert "2 kept result file(s)" in AuditEntry.objects.get(action="storage.retention").detail
    results = SpaceUsed.objects.get(kind=SpaceUsed.RESULTS)
    assert (results.files, results.bytes) == (2, len(MP4) + len(JPEG))


def test_the_retention_job_runs_daily(db):
    ensure_schedules()
    schedule = Schedule.objects.get(name="motionhub: storage retention")
    assert schedule.func == "motionhub.archive.retention.apply"
    assert schedule.schedule_type == Schedule.DAILY


def test_the_home_page_shows_the_space_used(upload, viewer_client):
    upload(1)
    before = viewer_client.get("/").content.decode().split('id="storage-space"')[1]
    assert "Uploaded inputs: <span" in before and "not measured yet" in before
    SpaceUsed.add(SpaceUsed.RESULTS, 5 * 1024 * 1024, 3)
    retention.measure()
    SpaceUsed.add(SpaceUsed.RESULTS, 1024 * 1024, 1)  # kept since: counted at once

    page = viewer_client.get("/").content.decode()
    section = page.split('id="storage-space"')[1].split("</section>")[0]
    assert "uploaded inputs" in section and "2 files, measured" in section
    assert "<strong>1.0\xa0MB</strong> kept results" in section and "(1 file)" in section


def test_a_run_out_of_time_queues_another_that_finishes(upload, media_root, database_broker):
    from django_q.models import OrmQ

    tasks = [upload(40) for _ in range(3)]

    done = retention.apply(budget_seconds=0)  # out of time before the first batch

    assert done["input_files"] == 0
    queued = [q.func() for q in OrmQ.objects.all()]
    assert queued == ["motionhub.archive.retention.apply"]
    assert retention.apply()["input_tasks"] == 3
    assert not any(_exists(media_root, t.video.name) for t in tasks)
