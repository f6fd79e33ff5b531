"""A create call that may have made its task is looked up, never resent blindly (issue 13).

Only a clear refusal means nothing was created upstream. After anything else the task is looked
for among the running jobs (GET /scheduler, by our signed replyRef), the account's recent tasks
(GET /tasks, by our uploaded video's URL) and its motions (GET /videos/motions?mine=true):
found, it is tracked; not found while all of them answered, it is sent again — a checked resend;
while they cannot be read it waits, and only after MOTIONHUB_RECONCILE_SECONDS does a person
have to look. `responses` stands in for useapi at the network edge only.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from django.core import signing
from django.utils import timezone

from motionhub.tasks import callbacks, dispatch, reconcile, submit, track
from motionhub.tasks.models import MotionTask, State, TaskEvent

from .conftest import BASE, UPSTREAM_ID, task_json

UPLOAD_URL = f"{BASE}/videos/motion-upload"
VIDEO_URL = "https://cdn.test/v0.mp4"  # what the faked POST /assets answers for the video
LOOKUPS = ("/scheduler", "/scheduler/available", "/tasks", "/videos/motions")

MAY_EXIST = {
    "500 internal error": {"status": 500, "json": {"error": "Internal error"}},
    "502 from a gateway": {"status": 502, "body": "<html><h1>502 Bad Gateway</h1></html>"},
    "504 from a gateway": {"status": 504, "body": "504 Gateway Time-out"},
    "503 that does not say unavailable": {"status": 503, "json": {"error": "down"}},
    "2xx without a task id": {"json": {"task": {"status": 5}}},
    "2xx that is not JSON": {"body": "<html>OK</html>"},
    "a timeout": {"body": requests.exceptions.ReadTimeout("read timed out")},
    "a reset": {"body": requests.exceptions.ConnectionError("Connection reset by peer")},
}
REFUSED = {
    "400": {"status": 400, "json": {"error": "Parameter resourceUrl is required"}},
    "429": {"status": 429, "json": {"error": "busy"}},
    "596": {"status": 596, "json": {"error": "Kling account session is broken"}},
    "moderation": {
        "status": 500,
        "json": {"error": "The content appears to violate the community guidelines."},
    },
    "503 unavailable": {
        "status": 503,
        "json": {"error": "Service temporarily unavailable, retry later", "code": 503},
    },
}


@pytest.fixture(autouse=True)
def trust_not_found_at_once(settings):
    settings.MOTIONHUB_RECONCILE_SETTLE_SECONDS = 0


def _ref(task: MotionTask) -> str:
    return callbacks.make_ref(task.pk, task.reply_nonce)


def _readable(upstream, *, running=(), history=(), motions=()) -> None:
    """Every listing answers (by default without the task)."""
    upstream.mock.get(f"{BASE}/scheduler", json=list(running))
    upstream.mock.get(f"{BASE}/tasks", json={"history": list(history)})
    upstream.mock.get(f"{BASE}/videos/motions", json=list(motions))


def _unreadable(upstream) -> None:
    for path in LOOKUPS:
        upstream.mock.get(f"{BASE}{path}", status=500, json={"error": "Internal error"})


def _lookups(upstream) -> list[str]:
    paths = [
        c.request.path_url.split("?")[0].removeprefix("/v1/kling") for c in upstream.mock.calls
    ]
    return [p for p in paths if p in LOOKUPS]


def _history_item(task_id: int, url: str) -> dict:
    return {
        "task": {"id": task_id, "createTime": 1767693600000,
                 "taskInfo": {"inputs": [{"name": "input", "inputType": "URL", "url": url}]}},
        "works": [], "status": 99, "status_name": "succeed", "status_final": True,
    }  # fmt: skip


def _details(task: MotionTask) -> str:
    return " | ".join(TaskEvent.objects.filter(task=task).values_list("detail", flat=True))


def _age_create_call(task: MotionTask, seconds: float) -> None:
    task.refresh_from_db()
    call = task.upstream["create_call"]
    call["sent_at"] -= int(seconds * 1000)
    MotionTask.objects.filter(pk=task.pk).update(
        upstream={**task.upstream, "create_call": call}, not_before=timezone.now()
    )


@pytest.mark.parametrize("answer", MAY_EXIST.values(), ids=MAY_EXIST.keys())
def test_a_create_call_that_may_have_made_the_task_is_found_among_the_running_jobs_and_tracked(
    upload, account, upstream, answer
):
    upstream.mock.post(UPLOAD_URL, **answer)
    task = upload(account)
    _readable(upstream, running=[{"id": UPSTREAM_ID, "email": "a@example.com",
                                  "replyRef": _ref(task)}])  # fmt: skip

    dispatch.run()
    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert len(upstream.creates()) == 1  # looked up, not resent
    assert "found among the running jobs (GET /scheduler)" in _details(task)


def test_a_finished_task_is_found_among_the_accounts_recent_tasks_by_its_video_url(
    upload, account, upstream
):
    upstream.mock.post(UPLOAD_URL, status=504, body="504 Gateway Time-out")
    task = upload(account)
    _readable(upstream, history=[_history_item(42, "https://cdn.test/other.mp4"),
                                 _history_item(UPSTREAM_ID, VIDEO_URL + "?sig=1")])  # fmt: skip
    before = timezone.now()

    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    [listing] = [c.request for c in upstream.mock.calls if c.request.path_url.startswith(
        "/v1/kling/tasks")]  # fmt: skip
    assert listing.params["email"] == "a@example.com"
    since = int(listing.params["createdAfter"]) / 1000
    assert before.timestamp() - 6 * 60 < since < before.timestamp()  # shortly before the call
    assert len(upstream.creates()) == 1


def test_a_made_motion_is_found_among_the_accounts_motions_by_its_video_url(
    upload, account, upstream
):
    upstream.mock.post(UPLOAD_URL, status=502, body="Bad Gateway")
    task = upload(account)
    mine = {"workName": "Custom", "workId": 7, "taskId": UPSTREAM_ID, "official": False,
            "resource": {"resource": VIDEO_URL}}  # fmt: skip
    _readable(upstream, motions=[{"workId": 8, "resource": {"resource": VIDEO_URL}}, mine])

    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert "GET /videos/motions?mine=true" in _details(task)


@pytest.mark.parametrize("answer", MAY_EXIST.values(), ids=MAY_EXIST.keys())
def test_a_task_not_found_while_upstream_answered_every_look_up_is_sent_once_more_checked(
    upload, account, upstream, answer
):
    upstream.mock.post(UPLOAD_URL, **answer)
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)
    _readable(upstream, running=[{"id": 42, "replyRef": "someone else's"}],
              history=[_history_item(42, "https://cdn.test/other.mp4")])  # fmt: skip

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert task.attempts == 1  # a bounded attempt like any other
    assert _lookups(upstream) == ["/scheduler", "/tasks", "/videos/motions"]
    assert "the create call never arrived upstream" in _details(task)
    assert "Checked the running jobs (GET /scheduler); the account's tasks" in _details(task)

    MotionTask.objects.filter(pk=task.pk).update(not_before=timezone.now())
    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert len(upstream.creates()) == 2


def test_not_found_just_after_the_call_is_not_trusted_yet(upload, account, upstream, settings):
    settings.MOTIONHUB_RECONCILE_SETTLE_SECONDS = 30
    upstream.mock.post(UPLOAD_URL, status=504, body="504 Gateway Time-out")
    task = upload(account)
    _readable(upstream)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTING
    wait = (task.not_before - timezone.now()).total_seconds()
    assert 20 < wait <= 30
    _age_create_call(task, 31)  # the upstream had time to show a task it was still making
    track.sweep()
    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert len(upstream.creates()) == 1


def test_a_task_waits_while_upstream_cannot_be_read_and_is_tracked_once_it_is_found(
    upload, account, upstream
):
    upstream.mock.post(UPLOAD_URL, status=502, body="Bad Gateway")
    task = upload(account)
    _unreadable(upstream)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.SUBMITTING  # waits, holding its slot
    assert task.not_before > timezone.now()
    assert "Could not read the running jobs (GET /scheduler)" in task.error_message
    assert "not resent" in _details(task)
    calls = len(upstream.mock.calls)
    track.sweep()  # not due yet: nothing is read
    assert len(upstream.mock.calls) == calls

    for path in LOOKUPS:
        upstream.mock.remove("GET", f"{BASE}{path}")
    _readable(upstream, running=[{"id": UPSTREAM_ID, "replyRef": _ref(task)}])
    MotionTask.objects.filter(pk=task.pk).update(not_before=timezone.now())
    track.sweep()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert (task.error_category, task.error_message) == ("", "")
    assert len(upstream.creates()) == 1


def test_a_listing_that_fails_once_is_read_again_at_once(upload, account, upstream):
    upstream.mock.post(UPLOAD_URL, status=504, body="504 Gateway Time-out")
    task = upload(account)
    upstream.mock.get(f"{BASE}/scheduler", json=[])
    upstream.mock.get(f"{BASE}/tasks", status=503, json={"error": "busy"})
    upstream.mock.get(f"{BASE}/tasks", json={"history": [_history_item(UPSTREAM_ID, VIDEO_URL)]})

    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)


def test_a_task_upstream_cannot_be_read_about_needs_a_person_only_after_the_bound(
    upload, account, upstream, settings
):
    upstream.mock.post(UPLOAD_URL, status=500, json={"error": "Internal error"})
    task = upload(account)
    _unreadable(upstream)
    dispatch.run()

    _age_create_call(task, settings.MOTIONHUB_RECONCILE_SECONDS - 60)
    track.sweep()
    task.refresh_from_db()
    assert task.state == State.SUBMITTING

    _age_create_call(task, 61)
    track.sweep()

    task.refresh_from_db()
    assert task.state == State.NEEDS_ATTENTION
    assert "For 15 min MotionHub could not read the running jobs (GET /scheduler)" in (
        task.error_message
    )
    assert "GET /tasks" in task.error_message and "not resent" in task.error_message
    assert len(upstream.creates()) == 1


@pytest.mark.parametrize("answer", REFUSED.values(), ids=REFUSED.keys())
def test_a_clear_refusal_of_the_create_call_is_not_looked_up(upload, account, upstream, answer):
    upstream.mock.post(UPLOAD_URL, **answer)
    task = upload(account)

    dispatch.run()

    task.refresh_from_db()
    assert task.state in (State.QUEUED, State.REJECTED)
    assert _lookups(upstream) == []


def test_a_connection_refused_before_sending_is_retried_without_a_look_up(
    upload, account, upstream
):
    refused = requests.exceptions.ConnectTimeout("connect timed out")
    upstream.mock.post(UPLOAD_URL, body=refused)
    task = upload(account)

    dispatch.run()

    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert _lookups(upstream) == []


def test_a_worker_that_died_mid_call_is_looked_up_when_its_job_runs_again(
    upload, account, upstream
):
    task = upload(account)
    upstream.mock.post(UPLOAD_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    _unreadable(upstream)
    dispatch.run()  # the create call "hangs"; the worker is taken to have died there
    MotionTask.objects.filter(pk=task.pk).update(not_before=None)
    for path in LOOKUPS:
        upstream.mock.remove("GET", f"{BASE}{path}")
    _readable(upstream, running=[{"id": UPSTREAM_ID, "replyRef": _ref(task)}])

    submit.run(task.pk)  # django-q2 presents the job again

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert len(upstream.creates()) == 1


def test_a_task_stranded_in_submitting_is_looked_up_by_the_sweep_and_resent_checked(
    upload, account, upstream, settings
):
    upstream.mock.post(UPLOAD_URL, json=task_json())
    task = upload(account)
    assets = {"video": {"url": None, "resourceUrl": VIDEO_URL, "email": "a@example.com"}}
    long_ago = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["retry"] + 60)
    # As left by a worker that died mid-call before this change: no create_call record.
    MotionTask.objects.filter(pk=task.pk).update(
        state=State.SUBMITTING, account=account, upstream={"assets": assets}
    )
    MotionTask.objects.filter(pk=task.pk).update(updated_at=long_ago)
    _readable(upstream, history=[_history_item(42, "https://cdn.test/other.mp4")])

    track.sweep()

    task.refresh_from_db()
    assert task.state == State.QUEUED
    assert "A worker stopped after sending the create call" in _details(task)
    assert "never arrived upstream" in _details(task)
    assert upstream.creates() == []


def test_a_task_with_no_recorded_input_is_never_resent_on_the_running_jobs_alone(
    upload, account, upstream, settings
):
    task = upload(account)
    long_ago = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["retry"] + 60)
    MotionTask.objects.filter(pk=task.pk).update(state=State.SUBMITTING, account=account)
    MotionTask.objects.filter(pk=task.pk).update(updated_at=long_ago)
    _readable(upstream)

    track.sweep()

    task.refresh_from_db()
    assert task.state == State.SUBMITTING
    assert "input URL (none was recorded)" in task.error_message
    assert upstream.creates() == []


@pytest.mark.parametrize(
    ("exc", "nothing"),
    [
        (reconcile.UseapiError("x", status=400), True),
        (reconcile.UseapiError("x", status=596), True),  # the session is broken: never sent on
        (reconcile.UpstreamTrouble("x", status=503, upstream_error="Service Unavailable"), True),
        (reconcile.UpstreamTrouble("x", status=503, upstream_error="upstream reset"), False),
        (reconcile.UpstreamTrouble("x", status=502), False),
        (reconcile.UpstreamTrouble("x", request_sent=False), True),
        (reconcile.BadResponse("no id"), False),
    ],
    ids=["400", "596", "503 unavailable", "503 other", "502", "not sent", "2xx without id"],
)
def test_the_create_call_rule_says_nothing_was_created_only_for_a_clear_refusal(exc, nothing):
    assert reconcile.created_nothing(exc) is nothing


def test_a_running_job_is_recognised_by_a_reply_ref_signed_earlier(
    upload, account, upstream, monkeypatch
):
    upstream.mock.post(UPLOAD_URL, status=502, body="Bad Gateway")
    task = upload(account)
    # The reference the create call carried was signed when it was sent, a while ago: it is
    # recognised by what it says, not by comparing it with one signed now.
    now = time.time
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: now() - 90)
        sent_earlier = _ref(task)
    assert sent_earlier != _ref(task)
    _readable(upstream, running=[{"id": UPSTREAM_ID, "email": "a@example.com",
                                  "replyRef": sent_earlier}])  # fmt: skip

    dispatch.run()

    task.refresh_from_db()
    assert (task.state, task.upstream_task_id) == (State.SUBMITTED, UPSTREAM_ID)
    assert len(upstream.creates()) == 1
