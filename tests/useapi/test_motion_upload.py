"""POST /videos/motion-upload: the seed's custom-motion submission."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from motionhub.useapi import BadResponse, Moderation, NoFreeSlot, NotFound

from .samples import ASSET_VIDEO, BASE, EMAIL, MODERATION_500, MOTION_UPLOAD_ANSWER, TOKEN

URL = f"{BASE}/videos/motion-upload"


def test_it_submits_the_uploaded_video_and_cover_with_every_given_field(api, client):
    api.post(URL, json=MOTION_UPLOAD_ANSWER)
    task = client.motion_upload(
        resource_url=ASSET_VIDEO["resourceUrl"],
        cover_url=ASSET_VIDEO["coverUrl"],
        email=EMAIL,
        max_jobs=3,
        reply_url="https://hub.example.test/hooks/useapi/abc",
        reply_ref="task-42",
    )
    request = api.calls[0].request
    assert request.method == "POST"
    assert request.url == URL
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {
        "email": EMAIL,
        "resourceUrl": ASSET_VIDEO["resourceUrl"],
        "coverUrl": ASSET_VIDEO["coverUrl"],
        "maxJobs": 3,
        "replyUrl": "https://hub.example.test/hooks/useapi/abc",
        "replyRef": "task-42",
    }
    assert task.task_id == 123456789
    assert task.status == 5
    assert task.status_name == "submitted"
    assert task.status_final is False
    assert task.task_type == "motion_control_motion_process"
    assert task.created_at == datetime.fromtimestamp(1745376611.075, UTC)
    assert task.works == []
    assert task.raw["limitation"]["remaining"] == 10000


def test_it_leaves_out_the_optional_fields_that_are_not_given(api, client):
    api.post(URL, json=MOTION_UPLOAD_ANSWER)
    client.motion_upload(resource_url="https://r/v.mp4", cover_url="https://r/c.jpg")
    assert json.loads(api.calls[0].request.body) == {
        "resourceUrl": "https://r/v.mp4",
        "coverUrl": "https://r/c.jpg",
    }


def test_it_reports_a_200_without_a_task_id_as_bad(api, client):
    api.post(URL, json={"status_name": "submitted", "works": []})
    with pytest.raises(BadResponse) as caught:
        client.motion_upload(resource_url="https://r/v.mp4", cover_url="https://r/c.jpg")
    assert caught.value.request_sent is True  # it was accepted: do not send it again


def test_it_recognises_the_seed_moderation_rejection(api, client):
    api.post(URL, status=500, json=MODERATION_500)
    with pytest.raises(Moderation) as caught:
        client.motion_upload(resource_url="https://r/v.mp4", cover_url="https://r/c.jpg")
    assert caught.value.upstream_error.startswith("The content you uploaded appears to violate")


def test_it_reports_a_missing_asset_as_not_found(api, client):
    api.post(
        URL,
        status=404,
        json={
            "error": "Sorry, the requested resource was not found (VALID.ResourceNotFound)",
            "message": "Not Found",
        },
    )
    with pytest.raises(NotFound):
        client.motion_upload(resource_url="https://r/v.mp4", cover_url="https://r/c.jpg")


def test_it_reports_a_full_account_as_no_free_slot(api, client):
    api.post(URL, status=429, json={"error": "All accounts at capacity"})
    with pytest.raises(NoFreeSlot) as caught:
        client.motion_upload(resource_url="https://r/v.mp4", cover_url="https://r/c.jpg")
    assert caught.value.transient is True
