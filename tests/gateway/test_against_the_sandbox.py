"""A script's whole run through the gateway, with the pipeline's jobs inline and the sandbox
over real HTTP: assets → motion-create (2026) or motion-upload → motions → motion-create (2025)
→ polled to succeed → the clean master downloaded by its signed URL, a playable video."""

from __future__ import annotations

import json

import av
import pytest
from django.test import Client

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.sandbox import state
from motionhub.tasks import track
from motionhub.tasks.models import MotionTask
from motionhub.tokens.auth import create_token

from .conftest import Api, ids_in

TOKEN = "user:4712-gatewayToken"
EMAIL = "gate@sandbox.test"


@pytest.fixture
def api(transactional_db) -> Api:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("olga", password="x")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    return Api(create_token(user, "script")[1])


@pytest.fixture
def account(sandbox_url, transactional_db, sync_jobs, settings) -> KlingAccount:
    settings.MOTIONHUB_POLL_SECONDS = 0
    state.seed_account(TOKEN, EMAIL, max_jobs=3)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    return KlingAccount.objects.create(connection=conn, email=EMAIL, max_jobs=3, credits=1000)


def _finish_tracking() -> None:
    state.fast_forward(3600, token=TOKEN)
    track.poll_due()


def _download_playable(url: str, path) -> float:
    """Fetch a signed URL with no header at all, as useapi's scripts do; the video's length."""
    answer = Client().get(url.removeprefix("http://testserver"))
    assert answer.status_code == 200, answer.content[:300]
    path.write_bytes(b"".join(answer.streaming_content))
    with av.open(str(path)) as container:
        return float(container.duration or 0) / av.time_base


def _run(api: Api, body: dict, captured) -> dict:
    with captured(execute=True):
        made = api.post("videos/motion-create", body, key="run-1")
    assert made.status_code == 200, made.content
    task_id = made.json()["task"]["id"]
    assert MotionTask.objects.get(pk=task_id).state == "submitted"
    _finish_tracking()
    done = api.get(f"tasks/{task_id}").json()
    assert (done["status_name"], done["status_final"]) == ("succeed", True), done
    return done


def test_a_2026_script_ends_with_the_clean_video_on_disk(
    account, api, jpeg, clip, tmp_path, django_capture_on_commit_callbacks
):
    state.configure(shape="2026")
    accounts = api.get("accounts").json()
    assert list(accounts) == [EMAIL]
    image = api.upload("image/jpeg", jpeg).json()
    motion = api.upload("video/mp4", clip(4).read_bytes()).json()
    body = {"imageUrl": image["url"], "motionUrl": motion["resourceUrl"],
            "model_name": "kling-v3-0", "keepAudio": False, "prompt": "dance"}  # fmt: skip
    done = _run(api, body, django_capture_on_commit_callbacks)

    (sent,) = state.create_calls(TOKEN)
    # Upstream got its own uploads of our files, on the account that took the task.
    assert sent["body"]["motionUrl"].startswith("http") and "useapi/v1" not in str(sent)
    work = done["works"][0]
    assert work["workId"] == done["task"]["id"]
    assert work["resource"]["resource"].startswith("http://testserver/useapi/v1/kling/files/")
    clean = api.get("assets/download", workIds=str(work["workId"]), fileTypes="MP4").json()
    assert _download_playable(clean["cdnUrl"], tmp_path / "clean.mp4") > 0
    assert _download_playable(work["resource"]["resource"], tmp_path / "video.mp4") > 0
    # Neither the connection's useapi token nor the script's own token is in any answer.
    assert not [a for a in api.answers if TOKEN.encode() in a or api.token.encode() in a]
    assert not [a for a in api.answers if b"sandbox/v1" in a]  # upstream's URLs stay inside
    # Every id handed out is exact for a JavaScript client.
    ids = [n for a in api.answers for n in ids_in(json.loads(a))]
    assert ids and all(abs(n) <= 2**53 - 1 for n in ids)


def test_a_2025_script_uploads_lists_applies_and_deletes(
    account, api, jpeg, clip, tmp_path, django_capture_on_commit_callbacks
):
    state.configure(shape="2025")
    video = api.upload("video/mp4", clip(3).read_bytes()).json()
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = api.post("videos/motion-upload", {"resourceUrl": video["resourceUrl"],
                                                     "coverUrl": video["coverUrl"],
                                                     "name": "Wave"})  # fmt: skip
        upload_id = uploaded.json()["task"]["id"]
        _finish_tracking()  # succeeded: the library refreshes (inline)
    assert api.get(f"tasks/{upload_id}").json()["status_name"] == "succeed"
    (mine,) = api.get("videos/motions", mine="true").json()
    assert mine["workName"] == "Wave" and mine["taskId"] == upload_id
    assert abs(mine["workId"]) <= 2**53 - 1

    image = api.upload("image/jpeg", jpeg).json()
    done = _run(api, {"workId": mine["workId"], "image": image["url"]},
                django_capture_on_commit_callbacks)  # fmt: skip
    clean = api.get("assets/download", workIds=str(done["works"][0]["workId"])).json()
    assert _download_playable(clean["cdnUrl"], tmp_path / "clean.mp4") > 0

    with django_capture_on_commit_callbacks(execute=True):
        deleted = api.delete(f"tasks/{upload_id}")
    assert deleted.status_code == 200 and deleted.json()["deleted"] == 1
    assert api.get("videos/motions", mine="true").json() == []
