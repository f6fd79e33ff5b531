"""POST /api/v1/motions/create: a library motion applied to an image (one task), or motions x
images (one batch), checked as the apply forms check them."""

from __future__ import annotations

import pytest
import responses

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


@pytest.fixture
def image_server(monkeypatch):
    """A public image host at the network edge: its name resolves to a public address, and
    its answers come from `responses` (the HTTP transport), nothing else faked."""
    from motionhub.useapi import fetch

    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["93.184.216.34"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_json_body_takes_image_urls(
    operator_api, motions, tmp_path, image_server, django_capture_on_commit_callbacks
):
    photo = make_image(tmp_path / "p.jpg", 480, 640).read_bytes()
    image_server.add(responses.GET, "https://images.example/people/p.jpg", body=photo,
                     content_type="image/jpeg")  # fmt: skip
    body = {"motion": [motions[0].pk], "image_url": ["https://images.example/people/p.jpg"],
            "prompt": "wave", "keep_audio": True}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=False):
        response = operator_api.post(URL, body, json=True, **{"Idempotency-Key": "j-1"})
        again = operator_api.post(URL, body, json=True, **{"Idempotency-Key": "j-1"})

    assert response.status_code == 201, response.content
    (task,) = response.json()["tasks"]
    assert again.json()["tasks"][0]["id"] == task["id"] and MotionTask.objects.count() == 1
    stored = MotionTask.objects.get(pk=task["id"])
    assert stored.inputs["image_name"] == "p.jpg" and stored.image.read() == photo
    assert stored.inputs["create_fields"]["keepAudio"] is True


def test_image_urls_inside_our_network_or_not_images_are_refused(
    operator_api, motions, image_server, monkeypatch
):
    def create(url: str):
        body = {"motion": [motions[0].pk], "image_url": [url]}
        return operator_api.post(URL, body, json=True)

    image_server.add(responses.GET, "https://images.example/page", body="<html></html>",
                     content_type="text/html")  # fmt: skip
    assert_problem(create("https://images.example/page"), 422, "web page")
    assert_problem(create("file:///etc/passwd"), 422, "http(s)")
    from motionhub.useapi import fetch

    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["127.0.0.1"])
    assert_problem(create("http://localhost:8000/media/x.jpg"), 422, "loopback")
    assert_problem(operator_api.post(URL, {"motion": [motions[0].pk]}, json=True), 422,
                   "image_url")  # fmt: skip
    assert not MotionTask.objects.exists()
