"""Batches (list, one with its tasks, retry failed, cancel queued), the library from the cache
and its deletions through the job, and the accounts with health, slots and credits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from motionhub import audit
from motionhub.audit.models import AuditEntry
from motionhub.library.models import Motion, MotionDeletion
from motionhub.tasks.models import Batch, MotionTask, State
from tests.api.conftest import assert_problem


def _batch(make_task, bob, states, name="Run", **fields) -> Batch:
    batch = Batch.objects.create(name=name, created_by=bob, **fields)
    for i, state in enumerate(states):
        make_task(f"{name} {i}", state=state, batch=batch)
    return batch


def test_batches_newest_first_with_counts_and_pages(viewer_api, make_task, bob):
    now = timezone.now()
    old = _batch(make_task, bob, ["failed", "succeeded"], name="Old",
                 created_at=now - timedelta(hours=1))  # fmt: skip
    new = _batch(make_task, bob, ["queued"], name="New", created_at=now)

    first = viewer_api.get("/api/v1/batches", {"limit": 1}).json()
    assert [b["id"] for b in first["items"]] == [new.pk] and first["prev"] is None
    second = viewer_api.get(first["next"]).json()
    (item,) = second["items"]
    assert item["id"] == old.pk and item["total"] == 2 and second["next"] is None
    assert item["counts"] == {"failed": 1, "succeeded": 1} and item["created_by"] == "bob"

    detail = viewer_api.get(f"/api/v1/batches/{old.pk}").json()
    assert [t["state"] for t in detail["tasks"]] == ["failed", "succeeded"]
    assert all({"id", "state"} <= set(t) for t in detail["tasks"])


def test_retry_and_cancel_a_batch(operator_api, make_task, bob, django_capture_on_commit_callbacks):
    batch = _batch(make_task, bob, ["failed", "rejected", "needs_attention", "queued", "queued"])

    with django_capture_on_commit_callbacks(execute=False):
        retried = operator_api.post(f"/api/v1/batches/{batch.pk}/retry").json()
        again = operator_api.post(f"/api/v1/batches/{batch.pk}/retry").json()
        attention = operator_api.post(f"/api/v1/batches/{batch.pk}/retry?needs_attention=true")
    assert retried["count"] == 2 and again["count"] == 0
    assert attention.json()["count"] == 1
    new = MotionTask.objects.filter(pk__in=retried["affected"])
    assert {t.state for t in new} == {State.QUEUED} and all(t.batch_id == batch.pk for t in new)

    canceled = operator_api.post(f"/api/v1/batches/{batch.pk}/cancel").json()
    assert canceled["count"] == 5  # the two queued ones and the three retries
    assert not MotionTask.objects.filter(batch=batch, state=State.QUEUED).exists()
    actions = list(AuditEntry.objects.filter(via_api=True).values_list("action", flat=True))
    assert actions.count(audit.Action.TASKS_RETRY) == 3
    assert actions.count(audit.Action.TASKS_CANCEL) == 1


def test_the_library_from_the_cache(viewer_api, account, no_network):
    mine = Motion.objects.create(account=account, kind="mine", key="work:5", name="Custom",
                                 work_id=5, task_id=55, shape="2025",
                                 cover_url="https://cdn.example/c.jpg")  # fmt: skip
    Motion.objects.create(account=account, kind="official", key="work:6", name="Hop",
                          work_id=6, tag="basic")  # fmt: skip

    (item,) = viewer_api.get("/api/v1/library").json()["items"]
    assert item["id"] == mine.pk and item["kind"] == "mine" and item["can_be_deleted"]
    assert item["cover_url"] == "https://cdn.example/c.jpg" and item["deletion"] is None
    official = viewer_api.get("/api/v1/library", {"kind": "official", "tag": "basic"}).json()
    assert [m["name"] for m in official["items"]] == ["Hop"]
    assert_problem(viewer_api.get("/api/v1/library", {"kind": "theirs"}), 422)


def test_deleting_a_motion_goes_through_its_job(
    operator_api, account, database_broker, django_capture_on_commit_callbacks
):
    mine = Motion.objects.create(account=account, kind="mine", key="work:5", name="Custom",
                                 work_id=5, task_id=55, shape="2025")  # fmt: skip
    official = Motion.objects.create(account=account, kind="official", key="work:6", name="Hop",
                                     work_id=6)  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_api.delete(f"/api/v1/library/{mine.pk}")
    assert response.status_code == 202, response.content
    deletion = MotionDeletion.objects.get()
    assert response.json() == {"id": deletion.pk, "motion": mine.pk, "state": "pending"}
    from django_q.models import OrmQ

    assert OrmQ.objects.count() == 1  # the deletion job, queued; nothing sent from the view
    assert_problem(operator_api.delete(f"/api/v1/library/{mine.pk}"), 409, "under way")
    assert_problem(operator_api.delete(f"/api/v1/library/{official.pk}"), 409, "official")
    assert_problem(operator_api.delete("/api/v1/library/999"), 404)
    entries = AuditEntry.objects.filter(action=audit.Action.MOTION_DELETE).order_by("id")
    assert [(e.outcome, e.via_api) for e in entries] == [("requested", True), ("refused", True)]


def test_accounts_with_health_slots_and_credits(viewer_api, account, make_task, connection):
    account.slots_in_use, account.max_jobs = 1, 3
    account.health, account.health_reason = "needs_relogin", "Kling session expired."
    account.save()
    make_task(state=State.SUBMITTED, account=account)
    from motionhub.accounts.models import KlingAccount

    KlingAccount.objects.create(connection=connection, email="gone@example.com",
                                removed_at=timezone.now())  # fmt: skip

    (item,) = viewer_api.get("/api/v1/accounts").json()
    assert item["id"] == account.pk and item["email"] == "a@example.com"
    assert item["health"] == "needs_relogin" and item["health_reason"]
    assert item["slots"] == {"in_use": 1, "ours": 1, "max": 3}
    assert item["credits"] == 900 and item["connection"] == "Team"


def test_kept_files_are_served_to_a_token_with_range(viewer_api, make_task, api_as):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from motionhub.archive.models import KeptFile

    task = make_task("Glide", state=State.SUCCEEDED, kind="motion_create")
    name = default_storage.save("archive/t/clean.mp4", ContentFile(b"0123456789"))
    kept = KeptFile.objects.create(task=task, kind="clean_video", name=name, size=10,
                                   sha256="x", content_type="video/mp4",
                                   source_url="https://cdn.example/v.mp4")  # fmt: skip

    (listed,) = viewer_api.get(f"/api/v1/tasks/{task.pk}").json()["kept_files"]
    assert listed["url"].endswith(f"/api/v1/files/{kept.pk}") and listed["size"] == 10
    whole = viewer_api.get(listed["url"])
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == b"0123456789"
    part = viewer_api.get(listed["url"], Range="bytes=2-4")
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"234"
    download = viewer_api.get(listed["download_url"])
    assert (
        "attachment" in download["Content-Disposition"]
        and "Glide" in download["Content-Disposition"]
    )
    assert_problem(api_as("no token").get(listed["url"]), 401)
    assert_problem(viewer_api.get("/api/v1/files/999"), 404)
