"""GET /api/v1/tasks (the history's filters and keyset pages), one task, retry and cancel."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from motionhub import audit
from motionhub.audit.models import AuditEntry
from motionhub.tasks.models import MotionTask, State
from tests.api.conftest import assert_problem


def _aged(make_task, n: int, **fields) -> list[MotionTask]:
    now = timezone.now()
    return [make_task(f"Clip {i}", created_at=now - timedelta(minutes=n - i), **fields)
            for i in range(n)]  # fmt: skip


def test_every_task_carries_its_id_state_and_the_rest(viewer_api, account, make_task):
    task = make_task("Wave", state=State.FAILED, account=account, error_category="moderation",
                     error_message="Refused by Kling.", finished_at=timezone.now())  # fmt: skip

    body = viewer_api.get("/api/v1/tasks").json()

    (item,) = body["items"]
    assert item["id"] == task.pk and item["state"] == "failed" and item["kind"] == "motion_upload"
    assert item["name"] == "Wave" and item["account"] == {"id": account.pk, "name": "A"}
    assert item["submitted_by"] == "bob" and item["finished_at"]
    assert item["error"]["category"] == "moderation" and item["error"]["message"]
    assert item["url"].endswith(f"/api/v1/tasks/{task.pk}")
    assert item["page_url"].endswith(f"/tasks/{task.pk}/")
    assert viewer_api.get(f"/api/v1/tasks/{task.pk}").json() == item
    assert body["next"] is None and body["prev"] is None


def test_filters_are_the_historys(viewer_api, account, make_task, alice):
    make_task("Wave", state=State.FAILED, account=account)
    make_task("Jump", state=State.QUEUED)
    make_task("Wave again", state=State.SUCCEEDED, submitted_by=alice)

    def names(**query):
        return sorted(t["name"] for t in viewer_api.get("/api/v1/tasks", query).json()["items"])

    assert names(q="wave") == ["Wave", "Wave again"]
    assert names(state="failures") == ["Wave"]
    assert names(state="queued") == ["Jump"]
    assert names(account=account.pk) == ["Wave"]
    assert names(who="alice") == ["Wave again"]
    today = timezone.localdate().isoformat()
    assert len(names(**{"from": today, "to": today})) == 3


def test_a_filter_that_does_not_parse_is_a_422_with_the_pages_message(viewer_api, db):
    response = viewer_api.get("/api/v1/tasks", {"state": "nope", "from": "yesterday"})
    body = assert_problem(response, 422)
    assert {"field": "state", "detail": "No such state."} in body["errors"]
    assert {"field": "from", "detail": "Use a date like 2025-01-31."} in body["errors"]


def test_keyset_pages_follow_next_and_prev(viewer_api, make_task):
    tasks = _aged(make_task, 5)

    first = viewer_api.get("/api/v1/tasks", {"limit": 2, "state": "queued"}).json()
    assert [t["id"] for t in first["items"]] == [tasks[4].pk, tasks[3].pk]
    assert "state=queued" in first["next"] and "limit=2" in first["next"]
    second = viewer_api.get(first["next"]).json()
    assert [t["id"] for t in second["items"]] == [tasks[2].pk, tasks[1].pk]
    third = viewer_api.get(second["next"]).json()
    assert [t["id"] for t in third["items"]] == [tasks[0].pk] and third["next"] is None
    back = viewer_api.get(third["prev"]).json()
    assert [t["id"] for t in back["items"]] == [tasks[2].pk, tasks[1].pk]


def test_an_unknown_task_is_a_404_problem(viewer_api, db):
    assert_problem(viewer_api.get("/api/v1/tasks/999"), 404)


def test_retry_makes_one_linked_task_however_often_it_is_asked(
    operator_api, make_task, django_capture_on_commit_callbacks
):
    failed = make_task("Wave", state=State.FAILED)

    with django_capture_on_commit_callbacks(execute=False):
        first = operator_api.post(f"/api/v1/tasks/{failed.pk}/retry")
        again = operator_api.post(f"/api/v1/tasks/{failed.pk}/retry")

    assert first.status_code == 201 and again.status_code == 200
    new = first.json()
    assert new["state"] == "queued" and new["retry_of"] == failed.pk
    assert again.json()["id"] == new["id"]
    assert MotionTask.objects.filter(retry_of=failed).count() == 1
    entry = AuditEntry.objects.get(action=audit.Action.TASK_RETRY)
    assert entry.via_api and entry.actor.username == "bob" and f"#{new['id']}" in entry.detail


def test_only_a_failed_task_is_retried(operator_api, make_task):
    queued = make_task("Wave")
    assert_problem(operator_api.post(f"/api/v1/tasks/{queued.pk}/retry"), 409, "queued")


def test_cancel_a_queued_task_and_refuse_a_started_one(operator_api, make_task):
    queued, started = make_task("A"), make_task("B", state=State.SUBMITTED)

    done = operator_api.post(f"/api/v1/tasks/{queued.pk}/cancel")
    assert done.status_code == 200 and done.json()["state"] == "canceled"
    assert_problem(operator_api.post(f"/api/v1/tasks/{started.pk}/cancel"), 409, "submitted")
    entries = AuditEntry.objects.filter(action=audit.Action.TASK_CANCEL).order_by("id")
    assert [(e.outcome, e.via_api) for e in entries] == [("ok", True), ("refused", True)]
