"""Forged, unsigned and replayed callbacks change nothing: the cases tests/motions/test_tracking.py
does not cover (there: no reference, garbage, a bad signature, another task's reference, the
same body twice, a final task, another upstream task, malformed bodies).
"""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client

from motionhub.tasks import callbacks
from motionhub.tasks.models import MotionTask, State, TaskEvent

UPSTREAM_ID = 9007199254740993


@pytest.fixture
def task(bob, db) -> MotionTask:
    task = MotionTask.objects.create(
        name="Wave",
        submitted_by=bob,
        state=State.SUBMITTED,
        upstream_task_id=UPSTREAM_ID,
        reply_nonce=callbacks.new_nonce(),
    )
    TaskEvent.objects.create(task=task, to_state=State.SUBMITTED, source=TaskEvent.Source.WORKER)
    return task


def body(status_name: str = "succeed", final: bool = True, **extra) -> dict:
    return {
        "task": {"id": UPSTREAM_ID, "status_name": status_name, "status_final": final},
        "status_name": status_name,
        "status_final": final,
        **extra,
    }


def post(ref: str, payload, *, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(payload)
    url = f"/hooks/useapi/{ref}/" if ref else "/hooks/useapi/"
    return Client().post(url, data, content_type="application/json")


def _unchanged(task: MotionTask, events_before: int) -> None:
    fresh = MotionTask.objects.get(pk=task.pk)
    assert fresh.state == State.SUBMITTED
    assert TaskEvent.objects.filter(task=task).count() == events_before


def _forged_refs(task: MotionTask) -> dict[str, str]:
    genuine = callbacks.make_ref(task.pk, task.reply_nonce)
    payload, timestamp, signature = genuine.split(":")  # what signing.dumps writes
    other_task = callbacks.make_ref(task.pk + 1, task.reply_nonce).split(":")[0]
    return {
        # Signed with our SECRET_KEY, but for another purpose (another salt): not a reference.
        "another salt": signing.dumps({"t": task.pk, "n": task.reply_nonce}),
        # A real signature, made with someone else's key.
        "another key": signing.dumps(
            {"t": task.pk, "n": task.reply_nonce}, key="not-our-key", salt=callbacks.SALT
        ),
        # The genuine timestamp and signature on a payload edited to name another task.
        "edited payload": f"{other_task}:{timestamp}:{signature}",
        # The genuine payload with the signature cut off, or with an empty one.
        "no signature": f"{payload}:{timestamp}",
        "empty signature": f"{payload}:{timestamp}:",
        # The right task and salt, but not its nonce (a guessed or an old task's reference).
        "wrong nonce": callbacks.make_ref(task.pk, "guessed-nonce"),
        "no nonce": callbacks.make_ref(task.pk, ""),
        # A genuine reference for a task that does not exist.
        "unknown task": callbacks.make_ref(task.pk + 1000, task.reply_nonce),
        "signature only": signature,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "another salt",
        "another key",
        "edited payload",
        "no signature",
        "empty signature",
        "wrong nonce",
        "no nonce",
        "unknown task",
        "signature only",
    ],
)
def test_a_forged_reference_is_refused_and_changes_nothing(
    task, kind, django_capture_on_commit_callbacks
):
    events = TaskEvent.objects.filter(task=task).count()
    ref = _forged_refs(task)[kind]

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        in_url = post(ref, body())
        in_body = post("", body(replyRef=ref))

    assert in_url.status_code in (403, 404), in_url.content  # 404: not even a routable ref
    assert in_body.status_code == 403
    assert jobs == []
    _unchanged(task, events)


def test_a_forged_reference_in_the_url_wins_over_a_genuine_one_in_the_body(
    task, django_capture_on_commit_callbacks
):
    genuine = callbacks.make_ref(task.pk, task.reply_nonce)
    events = TaskEvent.objects.filter(task=task).count()

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = post("forged", body(replyRef=genuine))

    assert response.status_code == 403
    assert jobs == []
    _unchanged(task, events)


def test_a_callback_replayed_after_others_came_in_between_is_still_refused(
    task, django_capture_on_commit_callbacks
):
    ref = callbacks.make_ref(task.pk, task.reply_nonce)
    first, second = body("processing", final=False), body("succeed")
    with django_capture_on_commit_callbacks(execute=False):
        assert post(ref, first).status_code == 202
        assert post(ref, second).status_code == 202
    events = TaskEvent.objects.filter(task=task).count()

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        replays = [post(ref, first), post(ref, second)]

    assert [r.status_code for r in replays] == [409, 409]
    assert jobs == []
    _unchanged(task, events)


def test_a_genuine_callback_only_asks_for_a_re_read_it_never_sets_the_state_itself(
    task, django_capture_on_commit_callbacks
):
    ref = callbacks.make_ref(task.pk, task.reply_nonce)

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = post(ref, body("succeed", works=[{"resource": {"resource": "https://x"}}]))

    assert response.status_code == 202
    assert len(jobs) == 1  # the confirmation job, which reads upstream
    fresh = MotionTask.objects.get(pk=task.pk)
    assert fresh.state == State.SUBMITTED and fresh.finished_at is None


def test_an_oversized_callback_is_refused_before_it_is_read(task):
    ref = callbacks.make_ref(task.pk, task.reply_nonce)
    events = TaskEvent.objects.filter(task=task).count()

    response = post(ref, None, raw=b"{" + b" " * (1024 * 1024 + 1) + b"}")

    assert response.status_code == 413
    _unchanged(task, events)


def test_a_callback_is_not_taken_by_get(task):
    ref = callbacks.make_ref(task.pk, task.reply_nonce)

    assert Client().get(f"/hooks/useapi/{ref}/").status_code == 405


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", " 12x", "٣"])
def test_a_callback_with_a_garbage_content_length_is_refused_with_a_400(task, length):
    ref = callbacks.make_ref(task.pk, task.reply_nonce)
    events = TaskEvent.objects.filter(task=task).count()

    response = Client().post(f"/hooks/useapi/{ref}/", json.dumps(body()),
                             content_type="application/json", CONTENT_LENGTH=length)  # fmt: skip

    assert response.status_code == 400
    assert "Content-Length" in response.json()["error"]
    _unchanged(task, events)
