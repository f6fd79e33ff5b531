"""Refreshing the cache: both API shapes, the page walk, atomic replacement, links to our
uploads, and what triggers a refresh (the button, a succeeded upload, the schedule)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from motionhub.core.schedules import ensure_schedules
from motionhub.library import jobs
from motionhub.library.models import LibrarySync, Motion, Origin
from motionhub.tasks.models import Kind as TaskKind
from motionhub.tasks.models import MotionTask
from motionhub.tasks.track import task_succeeded

from .conftest import BIG_TASK_ID, asset_2026, mine_2025, official_2025


def cached(account, kind) -> list[Motion]:
    return list(Motion.objects.filter(account=account, kind=kind).order_by("position"))


def test_a_refresh_caches_both_lists_in_the_2025_shape(account, upstream):
    upstream.mine[account.email] = [mine_2025(1), mine_2025(2)]
    upstream.official[account.email] = [official_2025(1), official_2025(2, tag="dance")]

    jobs.refresh_account(account.pk)

    mine = cached(account, Origin.MINE)
    assert [m.name for m in mine] == ["Ours 1", "Ours 2"]
    first = mine[0]
    assert first.shape == "2025"
    assert first.task_id == BIG_TASK_ID + 1  # exact, never through a float
    assert first.work_id == 500_000_000_000_001
    assert first.video_url == "https://cdn.test/mine-1.mp4"
    assert first.cover_url == "https://cdn.test/mine-1.jpg"
    assert first.bvh_url == "https://cdn.test/mine-1-bvh.zip"
    assert first.binary_url == "https://cdn.test/mine-1-binary.zip"
    assert first.raw["workName"] == "Ours 1"
    official = cached(account, Origin.OFFICIAL)
    assert [(m.name, m.tag) for m in official] == [("Official 1", "basic"), ("Official 2", "dance")]
    assert official[0].work_id < 0
    sync = LibrarySync.objects.get(account=account)
    assert sync.last_synced_at is not None and sync.last_error == ""
    assert (sync.mine_count, sync.official_count) == (2, 2)
    assert sync.running_since is None
    assert upstream.list_calls(mine=True)[0] == {
        "email": account.email,
        "mine": "true",
        "pageNum": "1",
        "pageSize": "100",
    }
    assert "pageNum" not in upstream.list_calls(mine=False)[0]


def test_a_refresh_caches_both_lists_in_the_2026_shape(account, upstream):
    upstream.mine[account.email] = [asset_2026(1, prefix="mine")]
    upstream.official[account.email] = [asset_2026(1), asset_2026(2)]

    jobs.refresh_account(account.pk)

    (mine,) = cached(account, Origin.MINE)
    assert mine.shape == "2026"
    assert mine.key == "asset:mine_1" and mine.asset_id == "mine_1"
    assert mine.task_id is None and mine.work_id is None
    assert mine.video_url == "https://cdn.test/mine-1.mp4"
    assert mine.cover_url == "https://cdn.test/mine-1.jpg"
    assert mine.duration_ms == 4200 and mine.duration_s == 4.2
    assert mine.bvh_url == "" and mine.binary_url == ""
    assert not mine.can_be_deleted
    assert [m.asset_id for m in cached(account, Origin.OFFICIAL)] == ["motion_1", "motion_2"]
    assert LibrarySync.objects.get(account=account).last_error == ""


def test_the_refresh_walks_every_page_until_a_short_one(account, upstream):
    upstream.mine[account.email] = [mine_2025(n) for n in range(250)]

    jobs.refresh_account(account.pk)

    pages = [(c["pageNum"], c["pageSize"]) for c in upstream.list_calls(mine=True)]
    assert pages == [("1", "100"), ("2", "100"), ("3", "100")]
    mine = cached(account, Origin.MINE)
    assert len(mine) == 250
    assert [m.name for m in mine[:2]] == ["Ours 0", "Ours 1"]  # upstream's order is kept
    assert LibrarySync.objects.get(account=account).mine_count == 250


def test_a_full_last_page_costs_one_more_empty_read(account, upstream):
    upstream.mine[account.email] = [mine_2025(n) for n in range(200)]

    jobs.refresh_account(account.pk)

    assert [c["pageNum"] for c in upstream.list_calls(mine=True)] == ["1", "2", "3"]
    assert len(cached(account, Origin.MINE)) == 200


def test_the_walk_stops_when_upstream_ignores_paging(account, upstream):
    # The 2026 API has no paging: every page is the whole list again.
    upstream.honour_paging = False
    upstream.mine[account.email] = [asset_2026(n, prefix="mine") for n in range(100)]

    jobs.refresh_account(account.pk)

    assert len(upstream.list_calls(mine=True)) == 2
    assert len(cached(account, Origin.MINE)) == 100


def test_the_walk_stops_at_its_cap_and_removes_nothing_it_did_not_reach(
    account, upstream, make_motion, monkeypatch
):
    monkeypatch.setattr(jobs, "MAX_PAGES", 2)
    monkeypatch.setattr(jobs, "PAGE_SIZE", 2)
    beyond = make_motion(account, key="work:999999", name="Old one")
    upstream.mine[account.email] = [mine_2025(n) for n in range(10)]

    jobs.refresh_account(account.pk)

    assert len(upstream.list_calls(mine=True)) == 2
    names = {m.name for m in cached(account, Origin.MINE)}
    assert names == {"Ours 0", "Ours 1", "Ours 2", "Ours 3", "Old one"}
    assert Motion.objects.filter(pk=beyond.pk).exists()
    sync = LibrarySync.objects.get(account=account)
    assert "stopped after 4 motions" in sync.last_error


def test_a_refresh_replaces_the_set_and_keeps_the_ids_of_motions_still_listed(account, upstream):
    upstream.mine[account.email] = [mine_2025(1), mine_2025(2), mine_2025(3)]
    jobs.refresh_account(account.pk)
    kept = Motion.objects.get(account=account, name="Ours 2")

    upstream.mine[account.email] = [mine_2025(2, workName="Ours 2 renamed"), mine_2025(4)]
    jobs.refresh_account(account.pk)

    mine = cached(account, Origin.MINE)
    assert [m.name for m in mine] == ["Ours 2 renamed", "Ours 4"]
    assert mine[0].pk == kept.pk
    assert mine[0].position == 0


def test_a_failed_read_keeps_that_list_cached_and_records_the_human_message(
    account, upstream, make_motion
):
    before = make_motion(account, name="Cached before")
    upstream.fail(account.email, mine=True, status=402, body={"error": "Subscription required"})
    upstream.official[account.email] = [official_2025(1)]

    jobs.refresh_account(account.pk)

    assert [m.pk for m in cached(account, Origin.MINE)] == [before.pk]
    assert [m.name for m in cached(account, Origin.OFFICIAL)] == ["Official 1"]
    sync = LibrarySync.objects.get(account=account)
    assert sync.last_synced_at is None
    assert sync.official_synced_at is not None
    assert "Our motions:" in sync.last_error
    assert "subscription is not active" in sync.last_error
    assert sync.running_since is None and sync.finished_at is not None


def test_a_failure_on_a_later_page_changes_nothing(account, upstream, make_motion):
    before = make_motion(account, name="Cached before")
    upstream.mine[account.email] = [mine_2025(n) for n in range(150)]
    upstream.before = lambda request: (
        (503, {"error": "Service Unavailable"}) if "pageNum=2" in request.url else None
    )

    jobs.refresh_account(account.pk)

    assert [m.pk for m in cached(account, Origin.MINE)] == [before.pk]
    assert "having trouble" in LibrarySync.objects.get(account=account).last_error


def test_a_motion_with_missing_or_odd_fields_is_still_cached(account, upstream):
    upstream.mine[account.email] = [
        {"taskId": "12345"},  # nothing but an id
        {"workId": 7, "workName": "   ", "cover": "not an object", "duration": "long"},
        {"url": "javascript:alert(1)", "coverUrl": "data:image/png;base64,xx", "name": "Bad"},
        "not even an object",
    ]

    jobs.refresh_account(account.pk)

    mine = cached(account, Origin.MINE)
    assert len(mine) == 3
    assert mine[0].name and mine[0].task_id == 12345
    assert mine[1].name == "Motion 7" and mine[1].cover_url == "" and mine[1].duration_ms is None
    assert mine[2].video_url == "" and mine[2].cover_url == ""


def test_uploads_are_linked_by_task_id_in_2025_and_by_video_url_in_2026(
    account, other_account, upstream, upload_task
):
    by_id = upload_task(account, task_id=BIG_TASK_ID + 1)
    by_url = upload_task(account, resource_url="https://cdn.test/mine-7.mp4")
    upload_task(other_account, task_id=BIG_TASK_ID + 2)  # another account's task: no match
    upload_task(account, task_id=BIG_TASK_ID + 3, kind=TaskKind.MOTION_CREATE)  # not an upload
    upstream.mine[account.email] = [
        mine_2025(1),
        mine_2025(2),
        mine_2025(3),
        asset_2026(7, prefix="mine"),
        asset_2026(8, prefix="mine"),
    ]

    jobs.refresh_account(account.pk)

    links = {m.name: m.source_task_id for m in cached(account, Origin.MINE)}
    assert links == {
        "Ours 1": by_id.pk,
        "Ours 2": None,
        "Ours 3": None,
        "mine_7": by_url.pk,
        "mine_8": None,
    }


def test_a_refresh_already_running_is_not_run_twice(account, upstream):
    LibrarySync.objects.create(account=account, running_since=timezone.now())

    jobs.refresh_account(account.pk)

    assert upstream.list_calls() == []


def test_a_refresh_left_running_by_a_dead_worker_is_taken_over(account, upstream):
    LibrarySync.objects.create(account=account, running_since=timezone.now() - timedelta(hours=1))
    upstream.mine[account.email] = [mine_2025(1)]

    jobs.refresh_account(account.pk)

    assert len(cached(account, Origin.MINE)) == 1


def test_a_request_made_during_a_refresh_runs_another_one(account, upstream):
    upstream.mine[account.email] = [mine_2025(1)]
    asked = []

    def meanwhile(request) -> None:
        if not asked:  # someone presses Refresh while the first read is under way
            asked.append(True)
            LibrarySync.objects.filter(account=account).update(requested_at=timezone.now())

    upstream.before = meanwhile

    jobs.refresh_account(account.pk)

    assert len(upstream.list_calls(mine=True)) == 2


def test_a_removed_account_is_not_refreshed(account, upstream):
    account.removed_at = timezone.now()
    account.save()

    jobs.refresh_account(account.pk)

    assert upstream.list_calls() == []


def test_a_succeeded_upload_enqueues_a_refresh_of_its_account_on_commit(
    account, other_account, upstream, upload_task, django_capture_on_commit_callbacks
):
    task = upload_task(account, task_id=BIG_TASK_ID + 1)
    upstream.mine[account.email] = [mine_2025(1)]

    with django_capture_on_commit_callbacks(execute=False):
        task_succeeded.send(sender=MotionTask, task_id=task.pk)
    assert upstream.list_calls() == []  # not before the success is committed

    with django_capture_on_commit_callbacks(execute=True):
        task_succeeded.send(sender=MotionTask, task_id=task.pk)

    assert {c["email"] for c in upstream.list_calls()} == {account.email}
    (motion,) = cached(account, Origin.MINE)
    assert motion.source_task_id == task.pk


def test_a_succeeded_motion_create_does_not_refresh_the_library(
    account, upstream, upload_task, django_capture_on_commit_callbacks
):
    task = upload_task(account, task_id=BIG_TASK_ID, kind=TaskKind.MOTION_CREATE)

    with django_capture_on_commit_callbacks(execute=True):
        task_succeeded.send(sender=MotionTask, task_id=task.pk)

    assert upstream.list_calls() == []
    assert not LibrarySync.objects.exists()


def test_the_schedule_is_created_by_name_and_only_once(db):
    ensure_schedules()
    ensure_schedules()

    (schedule,) = Schedule.objects.filter(name="motionhub: refresh motion libraries")
    assert schedule.func == "motionhub.library.jobs.refresh_all"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 15
    assert schedule.repeats == -1


def test_the_schedule_refreshes_every_enabled_account(
    account, other_account, connection, upstream, django_capture_on_commit_callbacks
):
    from motionhub.accounts.models import KlingAccount

    disabled = KlingAccount.objects.create(
        connection=connection, email="off@example.com", enabled=False
    )
    upstream.mine[account.email] = [mine_2025(1)]
    upstream.mine[other_account.email] = [mine_2025(2)]

    with django_capture_on_commit_callbacks(execute=True):
        jobs.refresh_all()

    emails = {c["email"] for c in upstream.list_calls()}
    assert emails == {account.email, other_account.email}
    assert disabled.email not in emails
    assert LibrarySync.objects.filter(last_synced_at__isnull=False).count() == 2


@pytest.mark.parametrize("shape", ["2025", "2026"])
def test_refreshing_twice_is_stable(account, upstream, shape):
    items = [mine_2025(1), mine_2025(2)] if shape == "2025" else [asset_2026(1), asset_2026(2)]
    upstream.mine[account.email] = items

    jobs.refresh_account(account.pk)
    first = [(m.pk, m.key) for m in cached(account, Origin.MINE)]
    jobs.refresh_account(account.pk)

    assert [(m.pk, m.key) for m in cached(account, Origin.MINE)] == first
