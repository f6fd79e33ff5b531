"""POST /videos/motion-create in its 2025 (workId) and 2026 (imageUrl + motionUrl) bodies."""

from __future__ import annotations

import json

import pytest

from motionhub.useapi import BadResponse, InvalidInput

from .samples import BASE, BIG_TASK_ID, EMAIL, TOKEN

URL = f"{BASE}/videos/motion-create"
SUBMITTED = {
    "task": {"id": BIG_TASK_ID, "type": "m2v_motion_control", "status": 5},
    "status": 5,
    "status_name": "submitted",
    "status_final": False,
    "works": [],
}


def test_it_sends_the_2025_body_as_given(api, client):
    api.post(URL, json=SUBMITTED)
    task = client.motion_create(
        email=EMAIL,
        workId=-100000000000004,
        image="https://s21-kling.klingai.com/u/person.png",
        prompt="smooth",
        duration="5",
        mode="pro",
        character_id=1,
        change_direction=False,
        sound_effect=True,
        audio_prompt="steps",
        music_prompt=None,  # None means "not given"
        enable_asmr=False,
        replyUrl="https://hub.example.test/hooks/useapi/x",
        replyRef="7",
    )
    request = api.calls[0].request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.body) == {
        "email": EMAIL,
        "workId": -100000000000004,
        "image": "https://s21-kling.klingai.com/u/person.png",
        "prompt": "smooth",
        "duration": "5",
        "mode": "pro",
        "character_id": 1,
        "change_direction": False,  # False is a value, not an absence
        "sound_effect": True,
        "audio_prompt": "steps",
        "enable_asmr": False,
        "replyUrl": "https://hub.example.test/hooks/useapi/x",
        "replyRef": "7",
    }
    assert task.task_id == BIG_TASK_ID
    assert task.status_name == "submitted"


def test_it_sends_the_2026_body_and_reads_the_2026_answer(api, client):
    # The 2026 answer may carry the id as a string and only nested status fields.
    api.post(
        URL,
        json={
            "task": {
                "id": str(BIG_TASK_ID),
                "type": "mmu_motion_control_v3",
                "status": 5,
                "status_name": "submitted",
                "status_final": False,
                "createTime": 1767700000000,
            },
            "works": [],
        },
    )
    task = client.motion_create(
        imageUrl="https://s21-kling.klingai.com/u/person.png",
        motionUrl="https://cdn.example.test/m/dance.mp4",
        model_name="kling-v3-0",
        keepAudio=False,
        motionDirection="image_direction",
        mode="std",
        element_1="u_123456789012345",
    )
    assert json.loads(api.calls[0].request.body) == {
        "imageUrl": "https://s21-kling.klingai.com/u/person.png",
        "motionUrl": "https://cdn.example.test/m/dance.mp4",
        "model_name": "kling-v3-0",
        "keepAudio": False,
        "motionDirection": "image_direction",
        "mode": "std",
        "element_1": "u_123456789012345",
    }
    assert task.task_id == BIG_TASK_ID
    assert task.status_name == "submitted"
    assert task.status_final is False
    assert task.task_type == "mmu_motion_control_v3"
    assert task.created_at is not None


def test_it_reports_a_200_without_task_id_as_bad(api, client):
    api.post(URL, json={"message": "ok"})
    with pytest.raises(BadResponse):
        client.motion_create(imageUrl="https://i", motionUrl="https://m")


def test_it_passes_on_kling_not_finding_a_person_in_the_image(api, client):
    api.post(URL, status=400, json={"error": "No person found (MOTION.PIC_NOT_MATCHED)"})
    with pytest.raises(InvalidInput) as caught:
        client.motion_create(imageUrl="https://i", motionUrl="https://m")
    assert "MOTION.PIC_NOT_MATCHED" in caught.value.upstream_error
