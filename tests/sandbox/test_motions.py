"""GET /videos/motions in both shapes."""

from __future__ import annotations

import requests

from motionhub.sandbox import state
from motionhub.sandbox.models import Task
from tests.sandbox.conftest import extract_motion


def test_official_motions_are_a_fixed_catalogue(api, account):
    motions = api.get("videos/motions").json()

    assert len(motions) == 8
    glide = next(m for m in motions if m["workId"] == -100000000000004)
    assert glide["workName"] == "Circle Glide"
    assert glide["official"] is True
    assert {m["tag"] for m in motions} == {"basic", "dance", "sport"}
    assert all(m["workId"] < 0 for m in motions)
    assert set(glide) == {"workName", "workId", "official", "tag", "resource", "cover", "extData"}
    assert (
        requests.get(glide["cover"]["resource"], timeout=5).headers["Content-Type"] == "image/jpeg"
    )
    bvh = requests.get(glide["extData"]["bvh_binary"], timeout=5)
    assert bvh.headers["Content-Type"] == "application/zip"
    # The official list ignores paging.
    assert len(api.get("videos/motions", mine="false", pageSize=2).json()) == 8


def test_mine_is_paginated(api, video):
    for _ in range(3):
        extract_motion(api, video)
    newest_first = [t.id for t in Task.objects.order_by("-created")]

    page1 = api.get("videos/motions", mine="true", pageSize=2).json()
    page2 = api.get("videos/motions", mine="true", pageSize=2, pageNum=2).json()

    assert [m["taskId"] for m in page1 + page2] == newest_first
    assert len(api.get("videos/motions", mine="true").json()) == 3
    assert api.get("videos/motions", mine="true", pageNum=3, pageSize=2).json() == []


def test_mine_refuses_paging_out_of_range(api, account):
    for query in ({"pageNum": 0}, {"pageSize": 0}, {"pageSize": 101}, {"pageNum": "x"}):
        answer = api.get("videos/motions", mine="true", **query)

        assert answer.status_code == 400, query
        assert "Parameter page" in answer.json()["error"]


def test_the_2026_shape_lists_motion_assets(api, video):
    state.configure(shape="2026")

    official = api.get("videos/motions").json()
    mine = api.get("videos/motions", mine="true", pageSize=9999).json()

    assert len(official) == 8
    item = official[0]
    assert set(item) == {
        "assetId",
        "assetType",
        "url",
        "coverUrl",
        "duration",
        "width",
        "height",
        "hasAudio",
        "createTime",
    }
    assert item["assetType"] == "MOTION"
    assert item["assetId"].startswith("motion_")
    (own,) = mine
    assert own["url"] == video["resourceUrl"]
    assert own["coverUrl"] == video["coverUrl"]
    assert (own["duration"], own["width"], own["height"]) == (2500, 320, 240)
    assert own["hasAudio"] is False


def test_motion_upload_still_answers_in_the_2026_shape(api, video):
    state.configure(shape="2026")

    answer = api.post(
        "videos/motion-upload", {"resourceUrl": video["resourceUrl"], "coverUrl": video["coverUrl"]}
    )

    assert answer.status_code == 200
