"""replyUrl callbacks: one per status change, with replyRef, sent from a django-q2 job."""

from __future__ import annotations

from motionhub.sandbox import jobs
from motionhub.sandbox.models import Callback
from tests.sandbox.conftest import age, finish


def _submit(api, video, hooks) -> int:
    body = {
        "resourceUrl": video["resourceUrl"],
        "coverUrl": video["coverUrl"],
        "replyUrl": hooks.url,
        "replyRef": "motionhub-task-17",
    }
    return api.post("videos/motion-upload", body).json()["task"]["id"]


def test_each_status_change_is_delivered_once(api, video, hooks, sync_jobs, settings):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    task_id = _submit(api, video, hooks)
    api.get(f"tasks/{task_id}")
    assert hooks.received == []  # still submitted: nothing changed

    age(task_id, 20)
    api.get(f"tasks/{task_id}")
    api.get(f"tasks/{task_id}")
    finish(task_id)
    polled = api.get(f"tasks/{task_id}").json()
    api.get(f"tasks/{task_id}")
    jobs.tick()

    assert [body["status_name"] for body in hooks.received] == ["processing", "succeed"]
    final = hooks.received[-1]
    assert final["replyRef"] == "motionhub-task-17"
    assert {key: value for key, value in final.items() if key != "replyRef"} == polled
    assert list(Callback.objects.order_by("pk").values_list("status", "http_status")) == [
        (10, 204),
        (99, 204),
    ]


def test_tick_delivers_without_polling(api, video, hooks, sync_jobs):
    task_id = _submit(api, video, hooks)
    finish(task_id)

    jobs.tick()
    jobs.tick()

    (body,) = hooks.received
    assert (body["task"]["id"], body["status_final"]) == (task_id, True)


def test_an_unreachable_receiver_is_recorded(api, video, hooks, sync_jobs):
    task_id = _submit(api, video, hooks)
    hooks.close()
    finish(task_id)

    jobs.tick()

    callback = Callback.objects.get()
    assert callback.attempted_at is not None
    assert callback.http_status is None
    assert callback.error


def test_a_callback_job_run_twice_sends_once(api, video, hooks, sync_jobs):
    task_id = _submit(api, video, hooks)
    finish(task_id)
    jobs.tick()

    assert jobs.deliver_callback(Callback.objects.get().pk) is None
    assert len(hooks.received) == 1
