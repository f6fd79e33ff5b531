"""POST /api/v1/motions/upload: the upload form's checks and messages, one clip or a run (a
batch), and the real pipeline behind it (against the sandbox over HTTP, jobs inline)."""

from __future__ import annotations

import pytest
from django.test import Client

from motionhub import audit
from motionhub.accounts.models import Connection, KlingAccount
from motionhub.audit.models import AuditEntry
from motionhub.sandbox import state
from motionhub.tasks import track
from motionhub.tasks.models import Batch, MotionTask, State
from motionhub.tokens.auth import create_token
from tests.api.conftest import assert_problem, video_file
from tests.clips import make_image

URL = "/api/v1/motions/upload"


def test_one_clip_is_one_queued_task(operator_api, account, clip, no_network, tmp_path,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    cover = make_image(tmp_path / "cover.jpg", 400, 400)
    with django_capture_on_commit_callbacks(execute=False):
        response = operator_api.post(URL, {
            "video": video_file(clip(3)), "cover": video_file(cover, content_type="image/jpeg"),
            "name": "Wave", "account": str(account.pk),
        })  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["batch"] is None and body["refused"] == []
    (task,) = body["tasks"]
    assert task["state"] == "queued" and task["name"] == "Wave" and task["account"]["id"]
    stored = MotionTask.objects.get(pk=task["id"])
    assert stored.video and stored.cover and not stored.cover_from_video
    entry = AuditEntry.objects.get(action=audit.Action.MOTION_UPLOAD)
    assert entry.via_api and entry.target_id == str(task["id"])


def test_a_bad_clip_is_refused_with_the_forms_message(operator_api, account, clip, no_network):
    response = operator_api.post(URL, {"video": video_file(clip(12)), "account": "auto"})

    body = assert_problem(response, 422, "12.0 s")
    assert body["errors"][0]["field"] == "video"
    assert not MotionTask.objects.exists()


def test_an_account_not_offered_is_refused(operator_api, account, clip, no_network):
    account.enabled = False
    account.save()
    response = operator_api.post(URL, {"video": video_file(clip(3)), "account": str(account.pk)})

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "account"


def test_several_clips_are_one_batch_naming_the_refused_ones(
    operator_api, account, clip, no_network, django_capture_on_commit_callbacks
):
    clips = [video_file(clip(3), "one.mp4"), video_file(clip(4), "two.mp4"),
             video_file(clip(1.5), "short.mp4")]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        response = operator_api.post(URL, {"video": clips, "name": "Run", "account": "auto"})

    assert response.status_code == 201, response.content
    body = response.json()
    batch = Batch.objects.get()
    assert body["batch"]["id"] == batch.pk and body["batch"]["total"] == 2
    assert sorted(t["name"] for t in body["tasks"]) == ["Run · one.mp4", "Run · two.mp4"]
    assert all(t["batch"] == batch.pk and t["state"] == "queued" for t in body["tasks"])
    assert [r["name"] for r in body["refused"]] == ["short.mp4"]
    assert "1.5 s" in body["refused"][0]["reason"]


@pytest.fixture
def sandbox_account(sandbox_url, transactional_db, sync_jobs, settings) -> KlingAccount:
    settings.MOTIONHUB_POLL_SECONDS = 0
    state.seed_account("user:4712-apiLifecycle", "api@sandbox.test", max_jobs=3)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token("user:4712-apiLifecycle")
    conn.save()
    return KlingAccount.objects.create(connection=conn, email="api@sandbox.test", label="Api")


def test_an_upload_through_the_api_goes_through_the_real_pipeline(
    sandbox_account, clip, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group, User

    olga = User.objects.create_user("olga", password="x")
    olga.groups.add(Group.objects.get_or_create(name="operator")[0])
    headers = {"Authorization": f"Bearer {create_token(olga, 'ci')[1]}"}
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        data = {"video": video_file(clip(3)), "name": "Wave", "account": str(sandbox_account.pk)}
        response = client.post(URL, data, headers=headers)
        assert response.status_code == 201, response.content
        task_id = response.json()["tasks"][0]["id"]
        assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()["state"] == (
            "submitted"
        )
        state.fast_forward(3600, token="user:4712-apiLifecycle")
        track.poll_due()

    done = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
    assert done["state"] == State.SUCCEEDED, done
    assert done["finished_at"] and done["error"] is None
