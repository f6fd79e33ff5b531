"""GET /videos/motions in its 2025 (works) and 2026 (modality assets) shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motionhub.useapi import BadResponse, Unauthorized

from .samples import (
    BASE,
    BIG_TASK_ID,
    BIG_WORK_ID,
    EMAIL,
    MOTION_2026,
    OFFICIAL_MOTION_2025,
    TOKEN,
    USER_MOTION_2025,
)

URL = f"{BASE}/videos/motions"


def test_it_lists_official_motions_with_mine_false_and_no_email(api, client):
    api.get(URL, json=[OFFICIAL_MOTION_2025])
    client.list_motions()
    request = api.calls[0].request
    assert request.method == "GET"
    assert request.params == {"mine": "false"}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_it_lists_my_motions_with_email_and_paging(api, client):
    api.get(URL, json=[])
    assert client.list_motions(email=EMAIL, mine=True, page_num=2, page_size=40) == []
    assert api.calls[0].request.params == {
        "email": EMAIL,
        "mine": "true",
        "pageNum": "2",
        "pageSize": "40",
    }


def test_it_parses_an_official_2025_motion(api, client):
    api.get(URL, json=[OFFICIAL_MOTION_2025])
    (motion,) = client.list_motions()
    assert motion.shape == "2025"
    assert motion.key == "work:-100000000000004"
    assert motion.name == "Circle Glide"
    assert motion.official is True
    assert motion.tag == "basic"
    assert motion.work_id == -100000000000004
    assert motion.task_id is None
    assert motion.video_url == "https://cdn.example.test/glide.mp4"
    assert motion.cover_url == "https://cdn.example.test/glide.jpg"
    assert motion.duration_ms == 4000
    assert motion.bvh_url == "https://cdn.example.test/glide-bvh.zip"
    assert motion.binary_url == "https://cdn.example.test/glide-bin.zip"
    assert motion.raw == OFFICIAL_MOTION_2025


def test_it_parses_a_user_2025_motion_with_its_big_ids_exact(api, client):
    api.get(URL, json=[USER_MOTION_2025])
    (motion,) = client.list_motions(mine=True)
    assert motion.official is False
    assert motion.work_id == BIG_WORK_ID
    assert motion.task_id == BIG_TASK_ID  # what DELETE /tasks/{task_id} needs
    assert type(motion.task_id) is int
    assert motion.key == f"work:{BIG_WORK_ID}"
    assert motion.name == "My wave"


def test_it_parses_a_2026_motion_asset(api, client):
    api.get(URL, json=[MOTION_2026])
    (motion,) = client.list_motions(mine=True)
    assert motion.shape == "2026"
    assert motion.key == "asset:motion_12345"
    assert motion.asset_id == "motion_12345"
    assert motion.name == "motion_12345"  # no name upstream: the asset id reads fine
    assert motion.video_url == "https://cdn.example.test/m/dance.mp4"
    assert motion.cover_url == "https://cdn.example.test/m/dance.jpg"
    assert (motion.duration_ms, motion.width, motion.height) == (8500, 720, 1280)
    assert motion.has_audio is True
    assert motion.created_at == datetime.fromtimestamp(1767700000, UTC)
    assert motion.work_id is None
    assert motion.bvh_url is None


def test_it_parses_both_shapes_in_one_answer(api, client):
    api.get(URL, json=[OFFICIAL_MOTION_2025, MOTION_2026])
    assert [m.shape for m in client.list_motions()] == ["2025", "2026"]


@pytest.mark.parametrize(
    "answer",
    [
        {"motions": [MOTION_2026]},
        {"list": [MOTION_2026]},
        {"data": {"list": [MOTION_2026]}},
    ],
)
def test_it_unwraps_a_wrapped_motion_list(api, client, answer):
    api.get(URL, json=answer)
    assert [m.key for m in client.list_motions()] == ["asset:motion_12345"]


def test_it_parses_motions_with_missing_or_odd_fields(api, client):
    api.get(
        URL,
        json=[
            {},
            {"workId": "123", "resource": "not-an-object", "cover": None, "official": "yes"},
            {"url": "https://cdn.example.test/m/Side%20Step.mp4", "duration": "n/a"},
            {"assetId": 987, "hasAudio": "false", "createTime": "garbage"},
            "not a motion",
            None,
        ],
    )
    empty, by_work, by_url, by_asset = client.list_motions()
    assert empty.name == "Untitled motion"
    assert empty.key.startswith("url:")
    assert by_work.key == "work:123"
    assert by_work.name == "Motion 123"
    assert by_work.official is False  # unreadable flag: decided by the positive workId
    assert by_work.video_url is None
    assert by_url.name == "Side Step"
    assert by_url.shape == "2026"
    assert by_url.duration_ms is None
    assert by_asset.key == "asset:987"
    assert by_asset.has_audio is False
    assert by_asset.created_at is None


def test_it_gives_the_same_key_to_the_same_id_less_motion_every_time(api, client):
    item = {"url": "https://cdn.example.test/m/a.mp4"}
    api.get(URL, json=[item, dict(item)])
    first, second = client.list_motions()
    assert first.key == second.key


@pytest.mark.parametrize("answer", ["just text", {"unexpected": 1}, 42])
def test_it_reports_an_answer_with_no_motion_list_as_bad(api, client, answer):
    api.get(URL, json=answer)
    with pytest.raises(BadResponse):
        client.list_motions()


def test_it_passes_on_an_unauthorized_token(api, client):
    api.get(URL, status=401, json={"error": "Unauthorized", "code": 401})
    with pytest.raises(Unauthorized):
        client.list_motions()


def test_it_drops_urls_that_are_not_http_so_they_never_reach_a_link(api, client):
    api.get(
        URL,
        json=[{"workId": 1, "resource": {"resource": "javascript:alert(1)"}, "coverUrl": "//x"}],
    )
    (motion,) = client.list_motions()
    assert motion.video_url is None
    assert motion.cover_url is None
