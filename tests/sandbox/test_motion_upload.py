"""POST /videos/motion-upload, exactly as the seed specifies it, and the motions it makes."""

from __future__ import annotations

from motionhub.sandbox import media, state
from tests.conftest import SANDBOX_TOKEN
from tests.sandbox.conftest import EMAIL, extract_motion, finish

NOT_FOUND = {
    "error": "Sorry, the requested resource was not found (VALID.ResourceNotFound)",
    "message": "Not Found",
}


def test_it_answers_the_seeds_task_shape(api, video, settings):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    answer = api.post(
        "videos/motion-upload",
        {"email": EMAIL, "resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]},
    )

    assert answer.status_code == 200
    body = answer.json()
    assert list(body)[:10] == [
        "task",
        "works",
        "status",
        "status_name",
        "status_final",
        "message",
        "limitation",
        "userPoints",
        "userTickets",
        "editProject",
    ]
    task = body["task"]
    # Large like Kling's, yet safe for a JavaScript client (which rounds ids above 2**53).
    assert isinstance(task["id"], int) and 10**15 <= task["id"] < 2**53
    assert isinstance(task["userId"], int)
    assert task["type"] == "motion_control_motion_process"
    assert task["scene"] == "MOTION_EXTRACTION"
    assert (task["status"], task["status_name"], task["status_final"]) == (5, "submitted", False)
    assert task["taskInfo"] == {
        "type": "motion_control_motion_process",
        "inputs": [
            {
                "name": "input",
                "inputType": "URL",
                "token": None,
                "blobStorage": None,
                "url": video["resourceUrl"],
                "cover": video["coverUrl"],
                "fromWorkId": 0,
                "fromUploadId": "",
            }
        ],
        "arguments": [
            {"name": "prompt", "value": ""},
            {"name": "motionType", "value": "video2motion"},
            {"name": "biz", "value": "klingai"},
        ],
        "extraArgs": {},
        "callbackPayloads": [],
        "scene": "MOTION_EXTRACTION",
    }
    assert (task["favored"], task["deleted"], task["viewed"]) == (False, False, False)
    assert task["createTime"] == task["updateTime"]
    assert body["works"] == []
    assert (body["status"], body["status_name"], body["status_final"]) == (5, "submitted", False)
    assert body["message"] == ""
    assert body["limitation"] == {
        "type": "motion_control_motion_process",
        "remaining": 10000,
        "limit": 10000,
    }
    assert set(body["userPoints"]) == {"points", "total"}
    assert body["userTickets"] == {"ticket": []}
    assert body["editProject"] is None


def test_it_accepts_a_multipart_form(api, video):
    answer = api.post(
        "videos/motion-upload/",
        files={"resourceUrl": (None, video["resourceUrl"]), "coverUrl": (None, video["coverUrl"])},
    )

    assert answer.status_code == 200


def test_it_records_the_create_call_once(api, video):
    body = extract_motion(api, video, replyRef="local-7")

    calls = state.create_calls(SANDBOX_TOKEN)
    assert len(calls) == 1
    assert calls[0]["type"] == "motion_control_motion_process"
    assert calls[0]["email"] == EMAIL
    assert calls[0]["task_id"] == body["task"]["id"]
    assert calls[0]["resourceUrl"] == video["resourceUrl"]
    assert calls[0]["body"]["replyRef"] == "local-7"
    assert state.create_calls("user:9-other") == []


def test_it_requires_both_urls(api, video):
    for drop in ("resourceUrl", "coverUrl"):
        body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
        del body[drop]

        answer = api.post("videos/motion-upload", body)

        assert answer.status_code == 400
        assert answer.json() == {"error": f"Parameter {drop} is required"}


def test_it_checks_the_max_jobs_range(api, video):
    for max_jobs in (0, 51, "many"):
        body = {**video, "maxJobs": max_jobs}

        answer = api.post("videos/motion-upload", body)

        assert answer.status_code == 400, max_jobs
        assert "maxJobs" in answer.json()["error"]


def test_it_refuses_a_reply_url_that_is_not_http(api, video):
    body = {
        "resourceUrl": video["resourceUrl"],
        "coverUrl": video["coverUrl"],
        "replyUrl": "file:///etc/passwd",
    }

    assert api.post("videos/motion-upload", body).status_code == 400


def test_unknown_assets_are_the_seeds_404(api, video, image_url):
    cases = [
        {"resourceUrl": "https://s21-kling.klingai.com/x/video.mp4", "coverUrl": video["coverUrl"]},
        {"resourceUrl": video["resourceUrl"], "coverUrl": "https://elsewhere.test/files/x.jpg"},
        {"resourceUrl": image_url, "coverUrl": video["coverUrl"]},  # not a video
    ]
    for body in cases:
        answer = api.post("videos/motion-upload", body)
        assert answer.status_code == 404
        assert answer.json() == NOT_FOUND


def test_it_rejects_a_clip_shorter_than_two_seconds(api, account, tmp_path):
    media.encode_clip(tmp_path / "short.mp4", seconds=1.5, size=(64, 64))
    short = api.upload("video/mp4", (tmp_path / "short.mp4").read_bytes()).json()

    answer = api.post(
        "videos/motion-upload", {"resourceUrl": short["resourceUrl"], "coverUrl": short["coverUrl"]}
    )

    assert answer.status_code == 400
    assert answer.json() == {"error": "Video must be between 2 and 10 seconds long, not 1.5 s"}


def test_an_uploaded_image_may_serve_as_the_cover(api, video, image_url):
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": image_url}

    assert api.post("videos/motion-upload", body).status_code == 200


def test_another_accounts_assets_are_not_found(api, video):
    state.seed_account(SANDBOX_TOKEN, "other@sandbox.test")
    body = {"email": "other@sandbox.test", **video}

    answer = api.post("videos/motion-upload", body)

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND


def test_it_answers_429_when_every_slot_is_busy(api, video):
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    for _ in range(3):  # the account's maxJobs
        assert api.post("videos/motion-upload", body).status_code == 200

    refused = api.post("videos/motion-upload", body)

    assert refused.status_code == 429
    assert "busy" in refused.json()["error"]
    assert len(state.create_calls()) == 3


def test_a_finished_task_frees_its_slot(api, video):
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"], "maxJobs": 1}
    first = api.post("videos/motion-upload", body).json()
    assert api.post("videos/motion-upload", body).status_code == 429  # the request's own cap

    finish(first["task"]["id"])

    assert api.post("videos/motion-upload", body).status_code == 200


def test_the_motion_appears_in_mine_once_the_task_succeeded(api, video, settings):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 60
    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    task_id = api.post("videos/motion-upload", body).json()["task"]["id"]
    assert api.get("videos/motions", mine="true").json() == []

    finish(task_id)

    (motion,) = api.get("videos/motions", mine="true").json()
    assert motion["taskId"] == task_id
    assert motion["workId"] > 0
    assert motion["official"] is False
    assert motion["workName"]
    assert motion["resource"] == {"resource": video["resourceUrl"]}
    assert motion["cover"] == {"resource": video["coverUrl"]}
    assert set(motion["extData"]) == {"output_binary", "bvh_binary"}
