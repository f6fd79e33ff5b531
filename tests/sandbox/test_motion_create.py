"""POST /videos/motion-create: the October-2025 body and the 2026 body."""

from __future__ import annotations

import requests

from motionhub.sandbox import state
from motionhub.sandbox.models import Task
from tests.sandbox.conftest import extract_motion, finish

CIRCLE_GLIDE = -100000000000004
NOT_FOUND = {
    "error": "Sorry, the requested resource was not found (VALID.ResourceNotFound)",
    "message": "Not Found",
}


def test_it_applies_an_official_motion_2025(api, image_url):
    answer = api.post(
        "videos/motion-create", {"workId": CIRCLE_GLIDE, "image": image_url, "duration": "10"}
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["task"]["type"] == "m2v_motion_control"
    assert body["task"]["status_final"] is False
    assert body["works"] == []
    assert {"name": "duration", "value": "10"} in body["task"]["taskInfo"]["arguments"]
    assert state.create_calls()[0]["imageUrl"] == image_url


def test_the_result_is_a_playable_video_with_a_cover(api, image_url):
    task_id = api.post("videos/motion-create", {"workId": CIRCLE_GLIDE, "image": image_url}).json()[
        "task"
    ]["id"]
    finish(task_id)

    body = api.get(f"tasks/{task_id}").json()

    assert (body["status"], body["status_name"], body["status_final"]) == (99, "succeed", True)
    (work,) = body["works"]
    assert work["workId"] > 0
    # Every id a JavaScript client reads must survive its doubles (a rounded id is "not found").
    for number in (body["task"]["id"], work["workId"], work["taskId"]):
        assert 10**15 <= number <= 2**53 - 1
    assert work["status_name"] == "succeed"
    assert work["contentType"] == "video"
    assert work["resource"]["duration"] == 5000
    assert work["resource"]["width"] and work["resource"]["height"]
    clip = requests.get(work["resource"]["resource"], timeout=10)
    assert clip.headers["Content-Type"] == "video/mp4"
    cover = requests.get(work["cover"]["resource"], timeout=10)
    assert cover.headers["Content-Type"] == "image/jpeg"


def test_it_applies_a_user_motion_2025(api, video, image_url):
    motion = extract_motion(api, video)
    (mine,) = api.get("videos/motions", mine="true").json()
    assert mine["taskId"] == motion["task"]["id"]

    answer = api.post("videos/motion-create", {"workId": mine["workId"], "image": image_url})

    assert answer.status_code == 200
    finish(answer.json()["task"]["id"])
    work = api.get(f"tasks/{answer.json()['task']['id']}").json()["works"][0]
    assert work["resource"]["resource"] == video["resourceUrl"]
    assert work["resource"]["duration"] == 5000


def test_unknown_motions_and_images_are_404(api, video, image_url):
    upload = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    running = api.post("videos/motion-upload", upload).json()["task"]["id"]
    cases = [
        {"workId": -1, "image": image_url},
        {"workId": 123, "image": image_url},
        # a user motion still being extracted is not usable yet
        {"workId": Task.objects.get(pk=running).work_id, "image": image_url},
        {"workId": CIRCLE_GLIDE, "image": video["coverUrl"]},  # a cover, not an uploaded image
    ]
    for body in cases:
        answer = api.post("videos/motion-create", body)
        assert answer.status_code == 404, body
        assert answer.json() == NOT_FOUND


REFUSED_2025 = [
    ({"workId": None}, "Parameter workId is required"),
    ({"image": None}, "Parameter image is required"),
    ({"workId": "glide"}, "Parameter workId must be an integer"),
    ({"prompt": "x" * 2501}, "Parameter prompt must be at most 2500 characters"),
    ({"duration": 7}, "Parameter duration must be 5 or 10"),
    ({"mode": "max"}, "Parameter mode must be one of: std, pro"),
    ({"character_id": 11}, "Parameter character_id must be an integer from 0 to 10"),
    ({"sound_effect": "maybe"}, "Parameter sound_effect must be true or false"),
]


def test_it_validates_the_2025_body(api, image_url):
    for extra, error in REFUSED_2025:
        body = {"workId": CIRCLE_GLIDE, "image": image_url, **extra}

        answer = api.post("videos/motion-create", {k: v for k, v in body.items() if v is not None})

        assert answer.status_code == 400, extra
        assert answer.json() == {"error": error}


def test_an_empty_body_asks_for_the_shapes_parameter(api, account):
    assert api.post("videos/motion-create", {}).json() == {"error": "Parameter workId is required"}
    state.configure(shape="2026")
    assert api.post("videos/motion-create", {}).json() == {
        "error": "Parameter imageUrl is required"
    }


def test_it_applies_an_uploaded_video_2026(api, video, image_url):
    body = {
        "imageUrl": image_url,
        "motionUrl": video["resourceUrl"],
        "model_name": "kling-v2-6",
        "keepAudio": True,
        "motionDirection": "image_direction",
        "mode": "pro",
        "prompt": "dance",
    }

    answer = api.post("videos/motion-create", body)

    assert answer.status_code == 200
    task = answer.json()["task"]
    assert {"name": "keepAudio", "value": "true"} in task["taskInfo"]["arguments"]
    finish(task["id"])
    work = api.get(f"tasks/{task['id']}").json()["works"][0]
    assert work["resource"]["resource"] == video["resourceUrl"]
    assert work["resource"]["duration"] == 2500


def test_it_applies_an_official_motion_url_2026(api, image_url):
    state.configure(shape="2026")
    official = api.get("videos/motions").json()[0]

    answer = api.post(
        "videos/motion-create",
        files={"imageUrl": (None, image_url), "motionUrl": (None, official["url"])},
    )

    assert answer.status_code == 200


REFUSED_2026 = [
    ({"motionUrl": None}, "Parameter motionUrl is required"),
    ({"model_name": "kling-v9"}, "Parameter model_name must be one of: kling-v3-0, kling-v2-6"),
    (
        {"motionDirection": "left"},
        "Parameter motionDirection must be one of: motion_direction, image_direction",
    ),
    (
        {"model_name": "kling-v2-6", "element_1": "u_1"},
        "Parameter element_1 requires model_name kling-v3-0",
    ),
    ({"keepAudio": "yes"}, "Parameter keepAudio must be true or false"),
]


def test_it_validates_the_2026_body(api, video, image_url):
    for extra, error in REFUSED_2026:
        body = {"imageUrl": image_url, "motionUrl": video["resourceUrl"], **extra}

        answer = api.post("videos/motion-create", {k: v for k, v in body.items() if v is not None})

        assert answer.status_code == 400, extra
        assert answer.json() == {"error": error}


def test_an_unknown_motion_url_is_404_in_2026(api, image_url):
    body = {"imageUrl": image_url, "motionUrl": "https://kling.test/files/elsewhere.mp4"}

    assert api.post("videos/motion-create", body).json() == NOT_FOUND


def test_motion_create_counts_against_max_jobs(api, image_url):
    body = {"workId": CIRCLE_GLIDE, "image": image_url}
    for _ in range(3):
        assert api.post("videos/motion-create", body).status_code == 200

    assert api.post("videos/motion-create", body).status_code == 429


def test_download_gives_the_master_of_a_work(api, image_url):
    task_id = api.post("videos/motion-create", {"workId": CIRCLE_GLIDE, "image": image_url}).json()[
        "task"
    ]["id"]
    finish(task_id)
    work = api.get(f"tasks/{task_id}").json()["works"][0]

    mp4 = api.get("assets/download", workIds=work["workId"], fileTypes="MP4").json()
    bundle = api.get("assets/download", workIds=work["workId"]).json()

    assert requests.get(mp4["cdnUrl"], timeout=10).headers["Content-Type"] == "video/mp4"
    assert requests.get(bundle["cdnUrl"], timeout=10).content[:2] == b"PK"
    assert api.get("assets/download").status_code == 400
    assert api.get("assets/download", workIds="abc").status_code == 400
    assert api.get("assets/download", workIds=work["workId"], fileTypes="GIF").status_code == 400
    unknown = api.get("assets/download", workIds="42")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Work 42 not found"}
