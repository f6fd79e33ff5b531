"""GET/DELETE /tasks/{task_id}, the lifecycle, and the scheduler views."""

from __future__ import annotations

import pytest

from motionhub.sandbox import jobs
from tests.sandbox.conftest import EMAIL, age, extract_motion, finish


@pytest.fixture
def task_id(api, video, settings) -> int:
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    body = {
        "resourceUrl": video["resourceUrl"],
        "coverUrl": video["coverUrl"],
        "replyUrl": "http://127.0.0.1:9/unused",
        "replyRef": "ref-1",
    }
    return api.post("videos/motion-upload", body).json()["task"]["id"]


def _state(body: dict) -> tuple:
    return body["status"], body["status_name"], body["status_final"]


def test_a_task_goes_submitted_processing_succeed(api, task_id):
    first = api.get(f"tasks/{task_id}", email=EMAIL).json()
    age(task_id, 20)
    second = api.get(f"tasks/{task_id}").json()
    age(task_id, 60)
    third = api.get(f"tasks/{task_id}").json()

    assert _state(first) == (5, "submitted", False)
    assert _state(second) == (10, "processing", False)
    assert _state(third) == (99, "succeed", True)
    assert _state(third["task"]) == (99, "succeed", True)
    assert third["message"] == "success"
    assert "error" not in third
    assert third["task"]["updateTime"] > third["task"]["createTime"]
    assert third["etaTime"] == 0 and second["etaTime"] > 0
    (work,) = third["works"]
    assert work["taskId"] == task_id


def test_it_refuses_a_non_numeric_task_id(api, account):
    for verb in (api.get, api.delete):
        answer = verb("tasks/abc")
        assert answer.status_code == 400
        assert answer.json() == {"error": "Invalid task_id parameter"}


def test_an_unknown_task_is_404(api, account):
    answer = api.get("tasks/123456789")

    assert answer.status_code == 404
    assert answer.json() == {"error": "Task 123456789 not found"}
    assert api.get(f"tasks/{10**30}").status_code == 404


def test_another_accounts_task_is_not_found(api, task_id):
    from motionhub.sandbox import state
    from tests.conftest import SANDBOX_TOKEN

    state.seed_account(SANDBOX_TOKEN, "other@sandbox.test")

    assert api.get(f"tasks/{task_id}", email="other@sandbox.test").status_code == 404


def test_delete_removes_the_task_and_its_user_motion(api, video):
    motion = extract_motion(api, video)
    task_id = motion["task"]["id"]
    (mine,) = api.get("videos/motions", mine="true").json()

    answer = api.delete(f"tasks/{task_id}", email=EMAIL)

    assert answer.status_code == 200
    assert answer.json() == {"deleted": 1, "workIds": [mine["workId"]]}
    assert api.get("videos/motions", mine="true").json() == []
    assert api.get(f"tasks/{task_id}").status_code == 404
    again = api.delete(f"tasks/{task_id}")
    assert again.status_code == 404
    assert again.json() == {"error": f"No works found for task {task_id}"}


def test_the_scheduler_lists_running_tasks(api, task_id):
    executing = api.get("scheduler").json()
    available = api.get("scheduler/available").json()

    (job,) = executing
    assert job["id"] == task_id
    assert job["email"] == EMAIL
    assert job["started"].endswith("Z")
    assert job["elapsed"] == "00:00"
    assert (job["replyUrl"], job["replyRef"]) == ("http://127.0.0.1:9/unused", "ref-1")
    assert available == {
        "executing": executing,
        "available": [{"email": EMAIL, "maxJobs": 3, "executing": 1, "available": 2}],
    }
    finish(task_id)
    assert api.get("scheduler/").json() == []


def test_tick_advances_tasks_nobody_polls(api, task_id):
    from motionhub.sandbox.models import Task

    finish(task_id)
    assert jobs.tick() == 1
    assert jobs.tick() == 0
    assert Task.objects.get(pk=task_id).last_notified_status == 99


def test_the_scheduler_lists_a_jobs_reply_ref_even_without_a_reply_url(api, video, settings):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"], "replyRef": "r2"}
    task_id = api.post("videos/motion-upload", body).json()["task"]["id"]

    (job,) = api.get("scheduler").json()

    assert (job["id"], job["replyRef"]) == (task_id, "r2")
    assert "replyUrl" not in job


def _ms(task_id: int) -> int:
    from motionhub.sandbox.models import Task

    return int(Task.objects.get(pk=task_id).created.timestamp() * 1000)


def test_get_tasks_lists_the_accounts_tasks_with_their_ids_and_inputs(api, video, task_id):
    finish(task_id)  # a finished task is listed too, unlike in the scheduler

    answer = api.get("tasks", email=EMAIL)

    assert answer.status_code == 200
    (item,) = answer.json()["history"]
    assert item["task"]["id"] == task_id
    assert item["status_name"] == "succeed" and item["works"][0]["taskId"] == task_id
    assert [i["url"] for i in item["task"]["taskInfo"]["inputs"]] == [video["resourceUrl"]]


def test_get_tasks_reads_forward_after_a_moment_and_back_before_one(api, video):
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    first, second, third = (api.post("videos/motion-upload", body).json()["task"]["id"]
                            for _ in range(3))  # fmt: skip
    for n, task_id in enumerate((first, second, third)):
        age(task_id, 30 - n * 10)  # created 30, 20 and 10 s ago

    def ids(**params) -> list[int]:
        return [i["task"]["id"] for i in api.get("tasks", **params).json()["history"]]

    assert ids() == [third, second, first]  # newest first
    assert ids(createdAfter=_ms(first)) == [second, third]  # oldest first after the moment
    assert ids(createdAfter=_ms(first) - 1, pageSize=2) == [first, second]
    assert ids(createdBefore=_ms(third)) == [second, first]
    assert ids(contentType="image") == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"createdAfter": 1, "createdBefore": 2}, "mutually exclusive"),
        ({"pageSize": 0}, "pageSize"),
        ({"createdAfter": "soon"}, "createdAfter"),
        ({"contentType": "text"}, "contentType"),
    ],
)
def test_get_tasks_refuses_what_the_reference_does_not_allow(api, account, params, error):
    answer = api.get("tasks", **params)
    assert answer.status_code == 400
    assert error in answer.json()["error"]
