"""What each gateway endpoint answers, in useapi's shapes, from MotionHub's own records."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motionhub.gateway.models import Asset
from motionhub.library.models import Motion, Origin
from motionhub.tasks.models import Kind, MotionTask, State

from .conftest import ids_in

MAX_SAFE = 2**53 - 1


def test_accounts_are_keyed_by_email_with_no_secret(viewer_api, account):
    body = viewer_api.get("accounts").json()
    assert list(body) == ["studio@kling.test"]
    item = body["studio@kling.test"]
    assert item["maxJobs"] == 2 and item["password"] == "…secured…"
    assert "gatewayUpstreamSecret" not in str(body)
    one = viewer_api.get("accounts/studio@kling.test").json()
    assert one["balance"]["total"] == 56000
    missing = viewer_api.get("accounts/nobody@kling.test")
    assert missing.status_code == 404 and missing.json()["code"] == 404


def test_no_account_yet_is_404(viewer_api):
    assert viewer_api.get("accounts").status_code == 404


def test_the_scheduler_counts_motionhubs_slots(viewer_api, account, bob):
    MotionTask.objects.create(name="busy", account=account, state=State.SUBMITTED,
                              submitted_by=bob, claimed_at=timezone.now())  # fmt: skip
    MotionTask.objects.create(name="waits", state=State.QUEUED, auto_account=True)
    body = viewer_api.get("scheduler/available").json()
    assert body["available"] == [
        {"email": "studio@kling.test", "maxJobs": 2, "executing": 1, "available": 1}
    ]
    (running,) = body["executing"]
    assert running["email"] == "studio@kling.test" and running["elapsed"] == "00:00"


def test_an_image_asset_is_kept_here_and_served_by_its_signed_url(operator_api, jpeg, client):
    answer = operator_api.upload("image/jpeg", jpeg)
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == 3
    assert body["url"].startswith("http://testserver/useapi/v1/kling/files/")
    asset = Asset.objects.get()
    assert asset.kind == "image" and asset.info["width"] == 480
    # Fetched without any header, with Range, as a script's download is.
    whole = client.get(body["url"].removeprefix("http://testserver"))
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == jpeg
    part = client.get(body["url"].removeprefix("http://testserver"), headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == jpeg[:10]


def test_a_video_asset_has_a_resource_and_a_cover(operator_api, mp4, client):
    body = operator_api.upload("video/mp4", mp4).json()
    assert body["status"] == 1 and body["resourceUrl"] and body["coverUrl"]
    cover = client.get(body["coverUrl"].removeprefix("http://testserver"))
    assert cover.status_code == 200 and cover["Content-Type"] == "image/jpeg"


def test_a_tampered_or_expired_file_url_is_refused(operator_api, jpeg, client, settings):
    url = operator_api.upload("image/jpeg", jpeg).json()["url"].removeprefix("http://testserver")
    signed = url.split("/")[-2]
    tampered = url.replace(signed, signed[:-2] + ("AA" if signed[-2:] != "AA" else "BB"))
    assert client.get(tampered).status_code == 403
    settings.MOTIONHUB_GATEWAY_URL_SECONDS = -1
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("content_type", "data", "says"),
    [
        ("audio/wav", b"RIFF", "Content-Type audio/wav is not supported"),
        ("image/jpeg", b"", "The body is empty"),
        ("image/jpeg", b"not an image at all", ""),
        ("video/mp4", b"\x00\x00\x00\x18ftypmp42 broken", ""),
    ],
)
def test_assets_are_checked_like_the_forms(operator_api, content_type, data, says):
    answer = operator_api.upload(content_type, data)
    assert answer.status_code == 400 and answer.json()["code"] == 400
    assert says in answer.json()["error"]
    assert not Asset.objects.exists()


def test_a_too_small_image_is_refused_with_the_forms_words(operator_api, tmp_path):
    from tests.clips import make_image

    small = make_image(tmp_path / "s.png", 200, 200, "PNG").read_bytes()
    answer = operator_api.upload("image/png", small)
    assert answer.status_code == 400 and "300" in answer.json()["error"]


def test_motion_create_2026_queues_an_automatic_task(operator_api, image_url, video_asset, bob):
    body = {"imageUrl": image_url, "motionUrl": video_asset["resourceUrl"],
            "model_name": "kling-v2-6", "keepAudio": True, "motionDirection": "image_direction",
            "mode": "pro", "prompt": "smile"}  # fmt: skip
    answer = operator_api.post("videos/motion-create", body)
    assert answer.status_code == 200, answer.content
    shown = answer.json()
    task = MotionTask.objects.get()
    assert shown["task"]["id"] == task.pk
    assert (shown["status_name"], shown["status_final"]) == ("submitted", False)
    assert task.kind == Kind.MOTION_CREATE and task.state == State.QUEUED
    assert task.auto_account and task.account is None and task.submitted_by == bob
    assert task.image and task.video  # copies: the task owns its inputs
    fields = task.inputs["create_fields"]
    assert fields == {"prompt": "smile", "mode": "pro", "model_name": "kling-v2-6",
                      "keepAudio": True, "motionDirection": "image_direction"}  # fmt: skip


def test_motion_create_with_an_email_pins_the_account(operator_api, image_url, video_asset,
                                                      account):  # fmt: skip
    body = {"imageUrl": image_url, "motionUrl": video_asset["resourceUrl"],
            "email": "studio@kling.test"}  # fmt: skip
    assert operator_api.post("videos/motion-create", body).status_code == 200
    task = MotionTask.objects.get()
    assert task.account == account and not task.auto_account
    unknown = operator_api.post("videos/motion-create", body | {"email": "x@kling.test"})
    assert unknown.status_code == 400 and "x@kling.test" in unknown.json()["error"]


def test_motion_create_from_the_library_2025_and_2026(operator_api, image_url, account):
    Motion.objects.create(account=account, kind=Origin.OFFICIAL, key="work:-100000000000004",
                          shape="2025", name="Circle Glide", work_id=-100000000000004,
                          video_url="https://cdn.test/glide.mp4")  # fmt: skip
    Motion.objects.create(
        account=account,
        kind=Origin.OFFICIAL,
        key="asset:m1",
        shape="2026",
        name="Walk",
        asset_id="m1",
        video_url="https://cdn.test/walk.mp4",
    )
    old = operator_api.post(
        "videos/motion-create", {"workId": -100000000000004, "image": image_url, "duration": "10"}
    )
    assert old.status_code == 200, old.content
    new = operator_api.post(
        "videos/motion-create", {"imageUrl": image_url, "motionUrl": "https://cdn.test/walk.mp4"}
    )
    assert new.status_code == 200, new.content
    first, second = MotionTask.objects.order_by("pk")
    assert first.account == second.account == account
    assert first.inputs["create_fields"]["workId"] == -100000000000004
    assert first.inputs["create_fields"]["duration"] == "10"
    assert second.inputs["create_fields"]["motionUrl"] == "https://cdn.test/walk.mp4"
    assert not first.video and not second.video


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({}, 400, "imageUrl"),
        ({"imageUrl": "https://elsewhere.test/a.jpg", "motionUrl": "x"}, 400, "imageUrl"),
        ({"imageUrl": "IMAGE"}, 400, "motionUrl is required"),
        ({"imageUrl": "IMAGE", "motionUrl": "https://cdn.test/unknown.mp4"}, 404, "motionUrl"),
        ({"imageUrl": "IMAGE", "motionUrl": "VIDEO", "mode": "ultra"}, 400, "mode"),
        (
            {
                "imageUrl": "IMAGE",
                "motionUrl": "VIDEO",
                "model_name": "kling-v2-6",
                "element_1": "u_1",
            },
            400,
            "Elements work only with Kling 3.0",
        ),
        ({"imageUrl": "IMAGE", "motionUrl": "VIDEO", "prompt": "x" * 2501}, 400, "prompt"),
        ({"image": "IMAGE", "workId": 77}, 404, "Motion 77"),
        ({"image": "IMAGE", "workId": "glide"}, 400, "workId must be an integer"),
    ],
)
def test_motion_create_refusals(operator_api, image_url, video_asset, body, status, says):
    filled = {k: {"IMAGE": image_url, "VIDEO": video_asset["resourceUrl"]}.get(v, v)
              for k, v in body.items()}  # fmt: skip
    answer = operator_api.post("videos/motion-create", filled)
    assert answer.status_code == status, answer.content
    assert says in answer.json()["error"] and answer.json()["code"] == status
    assert not MotionTask.objects.exists()


def test_a_video_url_is_not_an_image(operator_api, video_asset):
    answer = operator_api.post(
        "videos/motion-create",
        {"imageUrl": video_asset["resourceUrl"], "motionUrl": video_asset["resourceUrl"]},
    )
    assert answer.status_code == 404


def test_motion_upload_queues_an_upload_task(operator_api, video_asset):
    answer = operator_api.post("videos/motion-upload", {"resourceUrl": video_asset["resourceUrl"],
                                                        "coverUrl": video_asset["coverUrl"],
                                                        "name": "Wave"})  # fmt: skip
    assert answer.status_code == 200
    task = MotionTask.objects.get()
    assert task.kind == Kind.MOTION_UPLOAD and task.name == "Wave" and task.auto_account
    assert task.video and task.cover and task.inputs["duration_s"] == 3
    assert operator_api.post("videos/motion-upload", {}).status_code == 400


def test_tasks_read_in_useapis_model(viewer_api, bob, account):
    task = MotionTask.objects.create(name="x", kind=Kind.MOTION_CREATE, account=account,
                                     state=State.PROCESSING, submitted_by=bob)  # fmt: skip
    body = viewer_api.get(f"tasks/{task.pk}").json()
    assert (body["status_name"], body["status_final"]) == ("processing", False)
    MotionTask.objects.filter(pk=task.pk).update(state=State.REJECTED, error_message="No person")
    body = viewer_api.get(f"tasks/{task.pk}").json()
    assert (body["status_name"], body["status_final"], body["error"]) == (
        "failed",
        True,
        "No person",
    )
    assert viewer_api.get("tasks/999999").status_code == 404
    bad = viewer_api.get("tasks/abc")
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid task_id parameter"


def test_motions_come_from_the_library_cache(viewer_api, account, bob):
    upload = MotionTask.objects.create(name="Our wave", kind=Kind.MOTION_UPLOAD, account=account,
                                       state=State.SUCCEEDED, submitted_by=bob)  # fmt: skip
    Motion.objects.create(account=account, kind=Origin.MINE, key="work:1", shape="2025",
                          name="Custom motion", work_id=285_412_345_678_901_234,
                          task_id=285_412_345_678_901_999, source_task=upload,
                          video_url="https://cdn.test/mine.mp4")  # fmt: skip
    Motion.objects.create(account=account, kind=Origin.OFFICIAL, key="work:-1", shape="2025",
                          name="Glide", work_id=-100000000000001)  # fmt: skip
    mine = viewer_api.get("videos/motions", mine="true").json()
    assert [m["workName"] for m in mine] == ["Our wave"]
    # Upstream's id is above 2**53: left out; DELETE takes MotionHub's task id.
    assert "workId" not in mine[0] and mine[0]["taskId"] == upload.pk
    official = viewer_api.get("videos/motions").json()
    assert [m["workId"] for m in official] == [-100000000000001]
    assert all(abs(n) <= MAX_SAFE for n in ids_in(mine + official))


def test_delete_deletes_the_motion_an_upload_made(operator_api, account, bob,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    upload = MotionTask.objects.create(name="Our wave", kind=Kind.MOTION_UPLOAD, account=account,
                                       state=State.SUCCEEDED, submitted_by=bob)  # fmt: skip
    Motion.objects.create(account=account, kind=Origin.MINE, key="work:1", shape="2025",
                          name="Custom", work_id=123, task_id=285_412_345_678_901_999,
                          source_task=upload)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        answer = operator_api.delete(f"tasks/{upload.pk}")
    assert answer.status_code == 200 and answer.json() == {"deleted": 1, "workIds": [123]}
    assert len(jobs) == 1
    from motionhub.library.models import MotionDeletion

    deletion = MotionDeletion.objects.get()
    assert deletion.upstream_task_id == 285_412_345_678_901_999 and deletion.requested_by == bob
    # A second DELETE while it is under way deletes nothing more.
    assert operator_api.delete(f"tasks/{upload.pk}").status_code == 404


def test_download_needs_a_kept_clean_master(viewer_api):
    assert viewer_api.get("assets/download").status_code == 400
    missing = viewer_api.get("assets/download", workIds="42")
    assert missing.status_code == 404 and missing.json()["error"] == "Work 42 not found"


@pytest.mark.parametrize("key", [None, "big-1"])
def test_a_file_larger_than_djangos_body_limit_streams_to_storage(operator_api, tmp_path, key):
    """DATA_UPLOAD_MAX_MEMORY_SIZE is 2 MB: the body is streamed, never read whole."""
    import random

    from PIL import Image

    noise = Image.frombytes("RGB", (1400, 1400), random.randbytes(1400 * 1400 * 3))
    path = tmp_path / "noise.png"
    noise.save(path, "PNG")
    data = path.read_bytes()
    assert 2 * 1024 * 1024 < len(data) < 10 * 1024 * 1024
    answer = operator_api.upload("image/png", data, key=key)
    assert answer.status_code == 200, answer.content
    with Asset.objects.get().file.open("rb") as stored:
        assert stored.read() == data


def test_a_file_over_its_types_limit_is_refused(operator_api):
    answer = operator_api.upload("image/jpeg", b"\xff" * (10 * 1024 * 1024 + 1))
    assert answer.status_code == 400 and "10 MB" in answer.json()["error"]


def test_wrong_methods_and_paths_answer_in_useapis_shape(operator_api):
    wrong = operator_api.get("videos/motion-create")
    assert wrong.status_code == 405 and wrong.json()["code"] == 405
    unknown = operator_api.get("videos/text2video")
    assert unknown.status_code == 404 and unknown.json()["code"] == 404


def test_a_task_made_through_the_gateway_has_its_page(operator_api, operator_client, image_url,
                                                      video_asset):  # fmt: skip
    made = operator_api.post(
        "videos/motion-create", {"imageUrl": image_url, "motionUrl": video_asset["resourceUrl"]}
    )
    task_id = made.json()["task"]["id"]
    page = operator_client.get(f"/tasks/{task_id}/")
    assert page.status_code == 200
    assert f"api-asset:{Asset.objects.get(kind='video').pk}" in page.content.decode()


def test_motion_create_takes_form_fields_as_useapi_does(operator_api, image_url, video_asset):
    answer = operator_api.client.post(
        "/useapi/v1/kling/videos/motion-create",
        {"imageUrl": image_url, "motionUrl": video_asset["resourceUrl"], "keepAudio": "false",
         "mode": "pro"},
        headers={"Authorization": f"Bearer {operator_api.token}"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    fields = MotionTask.objects.get().inputs["create_fields"]
    assert fields["keepAudio"] is False and fields["mode"] == "pro"


def test_a_full_team_never_answers_429_the_task_queues(operator_api, image_url, video_asset,
                                                       account, bob):  # fmt: skip
    for n in range(account.max_jobs):
        MotionTask.objects.create(name=f"busy {n}", account=account, state=State.SUBMITTED,
                                  submitted_by=bob)  # fmt: skip
    body = {"imageUrl": image_url, "motionUrl": video_asset["resourceUrl"]}
    answer = operator_api.post("videos/motion-create", body)
    assert answer.status_code == 200
    assert MotionTask.objects.get(pk=answer.json()["task"]["id"]).state == State.QUEUED
