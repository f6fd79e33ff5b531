"""The documented failure triggers (email markers) and the injected faults."""

from __future__ import annotations

import time

import pytest

from motionhub.sandbox import state
from tests.conftest import SANDBOX_TOKEN
from tests.sandbox.conftest import finish

MODERATION = {
    "error": (
        "The content you uploaded appears to violate the community guidelines. (CM_EXT.POther)"
    ),
    "message": "Service busy (CM_EXT.POther)",
}


@pytest.fixture
def marked(api, transactional_db, png):
    """Add an account with the given marker; its uploaded image URL (uploaded before marking)."""

    def make(marker: str) -> tuple[str, str]:
        email = f"demo+{marker}@sandbox.test"
        answer = api.post("accounts", {"email": email, "password": "pw", "maxJobs": 5})
        assert answer.status_code == 201
        from motionhub.sandbox.models import Account, Asset

        account = Account.objects.get(email=email)
        Asset.objects.create(
            account=account,
            kind="image",
            content_type="image/png",
            file_name=f"{marker}.png",
            size=1,
        )
        return email, f"{api.base}/files/{marker}.png"

    return make


def _create(api, email, image_url):
    body = {"email": email, "workId": -100000000000004, "image": image_url}
    return api.post("videos/motion-create", body)


def test_moderation_answers_500_with_the_seeds_text(api, marked):
    answer = _create(api, *marked("moderation"))

    assert answer.status_code == 500
    assert answer.json() == MODERATION
    assert state.create_calls() == []


def test_invalid_answers_400(api, marked):
    answer = _create(api, *marked("invalid"))

    assert answer.status_code == 400
    assert "error" in answer.json()


def test_nomatch_answers_pic_not_matched(api, marked):
    answer = _create(api, *marked("nomatch"))

    assert answer.status_code == 400
    assert answer.json()["error"].endswith("(MOTION.PIC_NOT_MATCHED)")


def test_busy_answers_429_with_free_slots(api, marked):
    assert _create(api, *marked("busy")).status_code == 429


def test_down_answers_503_with_retry_after(api, marked):
    email, _ = marked("down")

    answer = api.get("videos/motions", email=email)

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert api.delete(f"accounts/{email}").status_code == 204  # can always be removed


def test_broken_answers_596(api, marked):
    email, _ = marked("broken")

    for answer in (api.get(f"accounts/{email}"), api.get("tasks/1", email=email)):
        assert answer.status_code == 596
        assert answer.json() == {"error": "Account session is broken"}


def test_slow_answers_after_a_delay(api, marked):
    email, _ = marked("slow")
    state.configure(slow_seconds=0.3)

    started = time.monotonic()
    answer = api.get("videos/motions", email=email)

    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fail_ends_tasks_failed_with_an_error(api, marked):
    task_id = _create(api, *marked("fail")).json()["task"]["id"]
    finish(task_id)

    body = api.get(f"tasks/{task_id}").json()

    assert (body["status"], body["status_name"], body["status_final"]) == (50, "failed", True)
    assert body["error"]
    assert body["works"] == []


def test_gone_tasks_vanish_when_they_would_finish(api, marked):
    email, image_url = marked("gone")
    task_id = _create(api, email, image_url).json()["task"]["id"]
    assert api.get(f"tasks/{task_id}").status_code == 200

    finish(task_id)

    assert api.get(f"tasks/{task_id}").json() == {"error": f"Task {task_id} not found"}


def test_injected_faults(api, account):
    cases = [
        ("rate_503", 503, {"error": "Service temporarily unavailable, retry later", "code": 503}),
        ("rate_500", 500, {"error": "Internal error"}),
        (
            "rate_429",
            429,
            {"error": "All slots busy: every configured account is at capacity. Retry later"},
        ),
    ]
    for rate, status, body in cases:
        state.configure(**{"rate_503": 0, "rate_500": 0, "rate_429": 0, rate: 1.0})

        answer = api.get("accounts")

        assert answer.status_code == status
        assert answer.json() == body
        assert answer.headers.get("Retry-After") == ("1" if status == 503 else None)


def test_a_gateway_502_reaches_nothing_and_a_504_loses_the_answer_of_a_made_task(
    api, account, video
):
    from motionhub.sandbox.models import Task

    body = {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    state.configure(rate_502=1.0)
    bad_gateway = api.post("videos/motion-upload", body)
    assert (bad_gateway.status_code, bad_gateway.text) == (502, "502 Bad Gateway")
    assert Task.objects.count() == 0

    state.configure(rate_502=0, rate_504=1.0)
    timeout = api.post("videos/motion-upload", body)
    assert (timeout.status_code, timeout.text) == (504, "504 Gateway Time-out")
    assert Task.objects.count() == 1  # made, and the client cannot know
    assert api.get("accounts").status_code == 200  # only create calls go through the gateway


def test_faults_are_off_by_default_and_never_hit_unauthorised_calls(api, account, sandbox_url):
    from tests.sandbox.conftest import Api

    assert api.get("accounts").status_code == 200
    state.configure(rate_503=1.0)
    assert Api(sandbox_url, None).get("accounts").status_code == 401
    assert Api(sandbox_url, SANDBOX_TOKEN).get("accounts").status_code == 503
