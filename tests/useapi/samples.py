"""Upstream answers as the reference and the seed document them, reused across the tests.

Ids above 2**53 on purpose: a float anywhere on the way would change them.
"""

from __future__ import annotations

BASE = "https://api.example.test/v1/kling"
TOKEN = "user:4242-s3cr3tT0kenValue"
EMAIL = "team+kling@example.com"

BIG_TASK_ID = 285_412_345_678_901_234
BIG_WORK_ID = 285_412_345_678_901_999

# GET /accounts: an object keyed by email, passwords masked by useapi.
ACCOUNTS = {
    EMAIL: {
        "email": EMAIL,
        "session": {
            "userId": "12345",
            "ExpireTime": 1_767_225_600_000,
            "ExpireTimeUTC": "2026-01-01T00:00:00.000Z",
        },
        "maxJobs": 5,
        "password": "…secured…",
    },
    "second@example.com": {
        "email": "second@example.com",
        "session": {"userId": 67890, "ExpireTime": 1_767_225_600},
        "maxJobs": 1,
        "password": "…secured…",
    },
}

ACCOUNT_WITH_BALANCE = {
    **ACCOUNTS[EMAIL],
    "balance": {
        "points": [{"orderId": "o1", "type": "gift", "amount": 66000, "balance": 56000}],
        "tickets": [],
        "nextApplyTime": 1_767_225_600_000,
        "total": 56000,
    },
}

ASSET_VIDEO = {
    "status": 1,
    "resourceUrl": "https://s21-kling.klingai.com/u/video.mp4",
    "coverUrl": "https://s21-kling.klingai.com/u/cover.jpg",
    "fileName": "a1b2c3.mp4",
    "message": "",
}

ASSET_IMAGE = {"status": 3, "url": "https://s21-kling.klingai.com/u/person.png", "message": ""}

# POST /videos/motion-upload 200, from the seed (trimmed to the parts we read).
MOTION_UPLOAD_ANSWER = {
    "task": {
        "id": 123456789,
        "userId": 12345,
        "type": "motion_control_motion_process",
        "scene": "MOTION_EXTRACTION",
        "status": 5,
        "status_name": "submitted",
        "status_final": False,
        "createTime": 1745376611075,
        "updateTime": 1745376611075,
    },
    "works": [],
    "status": 5,
    "status_name": "submitted",
    "status_final": False,
    "message": "",
    "limitation": {"type": "motion_control_motion_process", "remaining": 10000, "limit": 10000},
}

MODERATION_500 = {
    "error": "The content you uploaded appears to violate the community guidelines. "
    "(CM_EXT.POther)",
    "message": "Service busy (CM_EXT.POther)",
}

TASK_SUCCEEDED = {
    "status": 99,
    "status_name": "succeed",
    "status_final": True,
    "message": "success",
    "task": {
        "id": BIG_TASK_ID,
        "type": "m2v_img2video_hq",
        "status": 99,
        "status_name": "succeed",
        "status_final": True,
        "createTime": 1745376611075,
    },
    "works": [
        {
            "workId": BIG_WORK_ID,
            "taskId": BIG_TASK_ID,
            "status": 99,
            "status_name": "succeed",
            "contentType": "video",
            "resource": {
                "resource": "https://cdn.example.test/out.mp4",
                "height": 1280,
                "width": 720,
                "duration": 5100,
            },
            "cover": {"resource": "https://cdn.example.test/out.jpg"},
        }
    ],
}

# GET /videos/motions, October-2025 shape.
OFFICIAL_MOTION_2025 = {
    "workName": "Circle Glide",
    "workId": -100000000000004,
    "official": True,
    "tag": "basic",
    "resource": {"resource": "https://cdn.example.test/glide.mp4", "duration": 4000},
    "cover": {"resource": "https://cdn.example.test/glide.jpg"},
    "extData": {
        "output_binary": "https://cdn.example.test/glide-bin.zip",
        "bvh_binary": "https://cdn.example.test/glide-bvh.zip",
    },
}
USER_MOTION_2025 = {
    "workName": "My wave",
    "workId": BIG_WORK_ID,
    "taskId": BIG_TASK_ID,
    "official": False,
    "resource": {"resource": "https://cdn.example.test/wave.mp4"},
    "cover": {"resource": "https://cdn.example.test/wave.jpg"},
}

# GET /videos/motions, January-2026 shape.
MOTION_2026 = {
    "assetId": "motion_12345",
    "assetType": "MOTION",
    "url": "https://cdn.example.test/m/dance.mp4",
    "coverUrl": "https://cdn.example.test/m/dance.jpg",
    "duration": 8500,
    "width": 720,
    "height": 1280,
    "hasAudio": True,
    "createTime": 1767700000000,
}

DELETED_TASK = {"deleted": 2, "workIds": [BIG_WORK_ID, BIG_WORK_ID + 1]}

CAPACITY = {
    "executing": [
        {
            "id": BIG_TASK_ID,
            "email": EMAIL,
            "started": "2026-01-06T10:00:00.000Z",
            "elapsed": "01:30",
            "replyUrl": "https://hub.example.test/hooks/useapi/abc",
            "replyRef": "42",
        }
    ],
    "available": [
        {"email": EMAIL, "maxJobs": 5, "executing": 1, "available": 4},
        {"email": "second@example.com", "maxJobs": 1, "executing": 1, "available": 0},
    ],
}
