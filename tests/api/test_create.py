"""POST /api/v1/motions/create: a library motion applied to an image (one task), or motions x
images (one batch), checked as the apply forms check them."""

from __future__ import annotations

import pytest

from motionhub import audit
from motionhub.audit.models import AuditEntry
from motionhub.library.models import Motion
from motionhub.tasks.models import Batch, Kind, MotionTask
from tests.api.conftest import assert_problem, video_file
from tests.clips import make_image

URL = "/api/v1/motions/create"


@pytest.fixture
def motions(account) -> list[Motion]:
    return [
        Motion.objects.create(account=account, kind="official", key=f"url:{n}", shape="2026",
                              name=f"Dance {n}", video_url=f"https://cdn.example/{n}.mp4")
        for n in (1, 2)
    ]  # fmt: skip


@pytest.fixture
def image(tmp_path):
    def make(name: str = "person.jpg", size: int = 480):
        return video_file(make_image(tmp_path / name, size, size), content_type="image/jpeg")

    return make


def test_one_motion_on_one_image_is_one_task_with_the_options(
    operator_api, motions, image, no_network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = operator_api.post(URL, {
            "motion": motions[0].pk, "image": image(), "prompt": "smile", "mode": "pro",
            "model_name": "kling-v2-6", "keep_audio": "true",
            "motion_direction": "image_direction",
        })  # fmt: skip

    assert response.status_code == 201, response.content
    (task,) = response.json()["tasks"]
    assert task["kind"] == "motion_create" and task["state"] == "queued"
    assert task["name"] == "Dance 1 video"
    fields = MotionTask.objects.get(pk=task["id"]).inputs["create_fields"]
    assert fields == {"prompt": "smile", "mode": "pro", "model_name": "kling-v2-6",
                      "keepAudio": True, "motionDirection": "image_direction",
                      "motionUrl": "https://cdn.example/1.mp4"}  # fmt: skip
    assert AuditEntry.objects.get(action=audit.Action.MOTION_CREATE).via_api


def test_motions_by_images_are_one_batch(
    operator_api, motions, image, no_network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = operator_api.post(URL, {
            "motion": [m.pk for m in motions],
            "image": [image("a.jpg"), image("b.jpg"), image("tiny.jpg", size=100)],
        })  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    batch = Batch.objects.get()
    assert body["batch"]["id"] == batch.pk and batch.kind == Kind.MOTION_CREATE
    assert len(body["tasks"]) == 4 and {t["batch"] for t in body["tasks"]} == {batch.pk}
    assert [r["name"] for r in body["refused"]] == ["tiny.jpg"]


def test_the_forms_refusals(operator_api, motions, account, image, no_network):
    small = assert_problem(
        operator_api.post(URL, {"motion": motions[0].pk, "image": image(size=100)}), 422
    )
    assert small["errors"][0]["field"] == "image" and "300" in small["detail"]
    kling_26 = {"motion": motions[0].pk, "image": image(), "model_name": "kling-v2-6",
                "element_1": "el-1"}  # fmt: skip
    assert_problem(operator_api.post(URL, kling_26), 422, "Elements work only with Kling 3.0.")
    assert_problem(operator_api.post(URL, {"motion": 999, "image": image()}), 422, "no longer")
    account.enabled = False
    account.save()
    assert_problem(
        operator_api.post(URL, {"motion": motions[0].pk, "image": image()}), 422, "disabled"
    )
    assert not MotionTask.objects.exists()
