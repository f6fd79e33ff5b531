"""The library against the built-in sandbox over real HTTP: refresh, link, delete, refresh again."""

from __future__ import annotations

import pytest

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library import jobs
from motionhub.library.models import DeletionState, LibrarySync, Motion, MotionDeletion, Origin
from motionhub.sandbox import catalogue, media, state
from motionhub.tasks.models import MotionTask, State

TOKEN = "user:7-abcLibrarySandbox"
EMAIL = "studio@sandbox.test"


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "wave.mp4"
    media.encode_clip(path, seconds=2.5, size=(320, 240))
    return path


@pytest.fixture
def bob(transactional_db):
    # Not the shared fixture: a transactional test flushes the role groups the data migration
    # made, and only the person is needed here.
    from django.contrib.auth.models import User

    return User.objects.create_user("bob")


@pytest.fixture
def sandbox_account(sandbox_url, transactional_db) -> KlingAccount:
    state.seed_account(TOKEN, EMAIL, max_jobs=3)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    return KlingAccount.objects.create(connection=conn, email=EMAIL, label="Sandbox studio")


def _our_upload(account: KlingAccount, clip, bob) -> MotionTask:
    """What the submission flow leaves behind: the assets it uploaded and the upstream task."""
    client = account.connection.client()
    video = client.upload_asset(clip, "video/mp4", email=EMAIL)
    created = client.motion_upload(
        resource_url=video.resource_url, cover_url=video.cover_url, email=EMAIL
    )
    state.fast_forward(3600, token=TOKEN)  # the extraction has long finished
    return MotionTask.objects.create(
        name="Wave",
        account=account,
        submitted_by=bob,
        state=State.SUCCEEDED,
        upstream_task_id=created.task_id,
        upstream={"assets": {"video": {"resourceUrl": video.resource_url}}},
    )


def test_a_library_is_refreshed_from_the_sandbox_and_a_motion_deleted_there(
    sandbox_account, sync_jobs, clip, bob
):
    task = _our_upload(sandbox_account, clip, bob)

    jobs.refresh_account(sandbox_account.pk)

    sync = LibrarySync.objects.get(account=sandbox_account)
    assert sync.last_error == "" and sync.last_synced_at is not None
    (mine,) = Motion.objects.filter(account=sandbox_account, kind=Origin.MINE)
    assert mine.shape == "2025"
    assert mine.task_id == task.upstream_task_id
    assert mine.source_task_id == task.pk
    assert mine.video_url.startswith("http") and mine.bvh_url.startswith("http")
    official = Motion.objects.filter(account=sandbox_account, kind=Origin.OFFICIAL)
    assert official.count() == len(catalogue.OFFICIAL)
    assert all(m.work_id < 0 and m.tag for m in official)

    ((_, deletion),) = jobs.request_deletions([mine], bob)
    jobs.delete_motion(deletion.pk)

    assert MotionDeletion.objects.get(pk=deletion.pk).state == DeletionState.DONE
    assert not Motion.objects.filter(account=sandbox_account, kind=Origin.MINE).exists()
    jobs.refresh_account(sandbox_account.pk)
    assert not Motion.objects.filter(account=sandbox_account, kind=Origin.MINE).exists()


def test_a_library_in_the_2026_shape_links_uploads_by_their_video_url(
    sandbox_account, sync_jobs, clip, bob
):
    task = _our_upload(sandbox_account, clip, bob)
    state.configure(shape="2026")

    jobs.refresh_account(sandbox_account.pk)

    (mine,) = Motion.objects.filter(account=sandbox_account, kind=Origin.MINE)
    assert mine.shape == "2026" and mine.task_id is None
    assert mine.source_task_id == task.pk
    assert not mine.can_be_deleted
    official = Motion.objects.filter(account=sandbox_account, kind=Origin.OFFICIAL)
    assert official.count() == len(catalogue.OFFICIAL)
    assert LibrarySync.objects.get(account=sandbox_account).last_error == ""
