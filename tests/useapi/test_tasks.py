"""Tasks: GET /tasks/{task_id} and DELETE /tasks/{task_id}."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motionhub.useapi import BadResponse, DeletedTask, InvalidInput, NotFound

from .samples import BASE, BIG_TASK_ID, BIG_WORK_ID, DELETED_TASK, EMAIL, TASK_SUCCEEDED, TOKEN


def test_it_gets_a_finished_task_with_its_works(api, client):
    api.get(f"{BASE}/tasks/{BIG_TASK_ID}", json=TASK_SUCCEEDED)
    task = client.get_task(BIG_TASK_ID, email=EMAIL)
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.params == {"email": EMAIL}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert task.task_id == BIG_TASK_ID
    assert task.status == 99
    assert task.status_name == "succeed"
    assert task.status_final is True
    assert task.succeeded is True
    assert task.failed is False
    assert task.message == "success"
    assert task.task_type == "m2v_img2video_hq"
    assert task.created_at == datetime.fromtimestamp(1745376611.075, UTC)
    (work,) = task.works
    assert work.work_id == BIG_WORK_ID
    assert type(work.work_id) is int
    assert work.video_url == "https://cdn.example.test/out.mp4"
    assert work.cover_url == "https://cdn.example.test/out.jpg"
    assert (work.duration_ms, work.width, work.height) == (5100, 720, 1280)
    assert work.status_name == "succeed"


def test_it_sends_no_email_unless_one_is_given(api, client):
    api.get(f"{BASE}/tasks/5", json=TASK_SUCCEEDED)
    client.get_task(5)
    assert api.calls[0].request.url == f"{BASE}/tasks/5"


def test_it_sees_a_running_task_as_neither_succeeded_nor_failed(api, client):
    api.get(
        f"{BASE}/tasks/5",
        json={"task": {"id": 5}, "status": 10, "status_name": "processing", "status_final": False},
    )
    task = client.get_task(5)
    assert (task.status_final, task.succeeded, task.failed) == (False, False, False)


def test_it_sees_every_final_state_other_than_succeed_as_failure(api, client):
    api.get(
        f"{BASE}/tasks/5",
        json={
            "task": {"id": 5},
            "status": 50,
            "status_name": "failed",
            "status_final": True,
            "error": "Kling could not process the video",
        },
    )
    task = client.get_task(5)
    assert task.failed is True
    assert task.succeeded is False
    assert task.error == "Kling could not process the video"


def test_it_reads_status_fields_nested_in_task_when_the_top_level_lacks_them(api, client):
    api.get(
        f"{BASE}/tasks/5",
        json={"task": {"id": "5", "status": 99, "status_name": "succeed", "status_final": True}},
    )
    task = client.get_task(5)
    assert task.status == 99
    assert task.succeeded is True


def test_it_prefers_top_level_status_fields_over_the_nested_task(api, client):
    api.get(
        f"{BASE}/tasks/5",
        json={
            "status_name": "processing",
            "status_final": False,
            "task": {"id": 5, "status_name": "submitted", "status_final": False},
        },
    )
    assert client.get_task(5).status_name == "processing"


def test_it_keeps_the_asked_id_when_the_answer_does_not_repeat_it(api, client):
    api.get(f"{BASE}/tasks/{BIG_TASK_ID}", json={"status_name": "processing"})
    assert client.get_task(BIG_TASK_ID).task_id == BIG_TASK_ID


def test_it_keeps_a_big_id_sent_as_a_string_exact(api, client):
    api.get(f"{BASE}/tasks/1", json={"task": {"id": str(BIG_TASK_ID)}, "works": "n/a"})
    task = client.get_task(1)
    assert task.task_id == BIG_TASK_ID
    assert task.works == []  # odd works value ignored, not a crash


def test_it_rejects_a_task_answer_that_is_not_an_object(api, client):
    api.get(f"{BASE}/tasks/1", json=[1, 2])
    with pytest.raises(BadResponse):
        client.get_task(1)


def test_it_raises_not_found_for_a_task_that_is_gone(api, client):
    api.get(f"{BASE}/tasks/1", status=404, json={"error": "Task 1 not found"})
    with pytest.raises(NotFound):
        client.get_task(1)


def test_it_deletes_a_task_and_returns_the_deleted_work_ids(api, client):
    api.delete(f"{BASE}/tasks/{BIG_TASK_ID}", json=DELETED_TASK)
    deleted = client.delete_task(BIG_TASK_ID, email=EMAIL)
    request = api.calls[0].request
    assert request.method == "DELETE"
    assert request.params == {"email": EMAIL}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert deleted == DeletedTask(deleted=2, work_ids=[BIG_WORK_ID, BIG_WORK_ID + 1])
    assert deleted.raw == DELETED_TASK


def test_it_passes_on_a_refused_task_deletion(api, client):
    api.delete(f"{BASE}/tasks/1", status=404, json={"error": "No works found for task 1"})
    with pytest.raises(NotFound) as caught:
        client.delete_task(1)
    assert caught.value.upstream_error == "No works found for task 1"


def test_it_passes_on_an_invalid_task_id(api, client):
    api.delete(f"{BASE}/tasks/0", status=400, json={"error": "Invalid task_id parameter"})
    with pytest.raises(InvalidInput):
        client.delete_task(0)


def test_it_lists_tasks_after_a_moment_with_their_ids_and_input_urls(api, client):
    inputs = [
        {"name": "input", "inputType": "URL", "url": "https://cdn.test/me.jpg"},
        {"name": "motion", "inputType": "URL", "url": "https://cdn.test/m.mp4", "cover": None},
        {"name": "empty", "url": None},
    ]
    item = {**TASK_SUCCEEDED, "task": {**TASK_SUCCEEDED["task"], "taskInfo": {"inputs": inputs}}}
    api.get(f"{BASE}/tasks", json={"history": [item]})
    (listed,) = client.list_tasks(email=EMAIL, created_after=1767693600000, page_size=100)
    query = api.calls[0].request.params
    assert query == {"email": EMAIL, "createdAfter": "1767693600000", "pageSize": "100"}
    assert listed.task_id == BIG_TASK_ID
    assert listed.input_urls == ("https://cdn.test/me.jpg", "https://cdn.test/m.mp4")
    assert listed.created_at == datetime(2025, 4, 23, 2, 50, 11, 75000, tzinfo=UTC)


@pytest.mark.parametrize(
    "item",
    [
        {"id": BIG_TASK_ID, "taskInfo": {"inputs": [{"url": "https://cdn.test/a.mp4"}]}},
        {"taskId": str(BIG_TASK_ID), "taskInfo": {"inputs": [{"url": "https://cdn.test/a.mp4"}]}},
        {"works": [{"workId": 7, "taskId": BIG_TASK_ID,
                    "taskInfo": {"inputs": [{"name": "input", "url": "https://cdn.test/a.mp4"}]}}]},
    ],
    ids=["a bare task", "a taskId", "inside its works"],
)  # fmt: skip
def test_it_finds_a_listed_tasks_id_and_inputs_wherever_they_are(api, client, item):
    api.get(f"{BASE}/tasks", json={"history": [item, "not a task"]})
    (listed,) = client.list_tasks()
    assert (listed.task_id, listed.input_urls) == (BIG_TASK_ID, ("https://cdn.test/a.mp4",))


def test_it_reads_a_task_list_that_is_a_bare_array_or_empty(api, client):
    api.get(f"{BASE}/tasks", json=[TASK_SUCCEEDED])
    api.get(f"{BASE}/tasks", json={"history": None})
    assert [t.task_id for t in client.list_tasks()] == [BIG_TASK_ID]
    assert client.list_tasks() == []


def test_it_rejects_a_task_list_in_an_unexpected_form(api, client):
    api.get(f"{BASE}/tasks", json={"unexpected": 1})
    with pytest.raises(BadResponse):
        client.list_tasks()


def test_it_never_sends_both_ends_of_the_time_cursor(client):
    with pytest.raises(ValueError, match="not both"):
        client.list_tasks(created_after=1, created_before=2)
