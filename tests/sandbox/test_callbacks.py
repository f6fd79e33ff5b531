"""replyUrl callbacks: one per status change, with replyRef, sent from a django-q2 job."""

from __future__ import annotations

import time

from motionhub.sandbox import clock, jobs
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


def test_a_task_calls_back_when_it_ends_though_nobody_reads_it(api, video, hooks, sync_jobs,
                                                                settings):  # fmt: skip
    """useapi calls a task's replyUrl once the job has completed or failed (reference §9)."""
    settings.MOTIONHUB_SANDBOX_CALLBACK_AT_END = True
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 0.5
    task_id = _submit(api, video, hooks)

    waited_until = time.monotonic() + 15  # the clock's timer fires at the end: no read, no tick
    while not hooks.received and time.monotonic() < waited_until:
        time.sleep(0.05)

    (body,) = hooks.received
    assert (body["task"]["id"], body["status_name"], body["replyRef"]) == (
        task_id, "succeed", "motionhub-task-17",
    )  # fmt: skip


def test_the_clock_announces_a_task_once_and_only_once_it_ended(api, video, hooks, sync_jobs,
                                                                 settings):  # fmt: skip
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    task_id = _submit(api, video, hooks)

    assert clock.announce(task_id) is False  # still running: nothing to tell
    finish(task_id)
    assert clock.announce(task_id) is True
    assert clock.announce(task_id) is False  # a read or the tick told already: not again
    api.get(f"tasks/{task_id}")
    jobs.tick()

    assert [body["status_name"] for body in hooks.received] == ["succeed"]
    assert clock.announce(1) is False  # a task that does not exist (any more)
