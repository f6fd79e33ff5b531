"""Response bodies, shaped as useapi documents them (field names and order as in the reference).

Bodies that describe a task use the task's stored `base_url`, so they can be built without a
request (callbacks) and always carry the URLs the client was first given.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motionhub.sandbox import catalogue, lifecycle
from motionhub.sandbox.lifecycle import Status
from motionhub.sandbox.models import Account, Asset, Task

MASKED_PASSWORD = "…secured…"  # noqa: S105 - the mask useapi shows, not a password
# Dimensions reported for an output when the input video could not be measured.
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_DURATION_MS = 720, 1280, 5000


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def account_body(account: Account, *, balance: bool = False) -> dict:
    body = {
        "email": account.email,
        "session": {
            "userId": str(account.kling_user_id),
            "ExpireTime": ms(account.session_expires),
            "ExpireTimeUTC": iso(account.session_expires),
        },
        "maxJobs": account.max_jobs,
        "password": MASKED_PASSWORD,
    }
    if balance:
        body["balance"] = {
            "points": _points(account),
            "tickets": [],
            "nextApplyTime": ms(account.created + timedelta(days=30)),
            "total": account.credits,
        }
    return body


def _points(account: Account) -> list[dict]:
    return [
        {
            "orderId": f"SBX{account.kling_user_id}",
            "type": "gift",
            "amount": account.credits,
            "balance": account.credits,
            "startTime": ms(account.created),
            "endTime": ms(account.created + timedelta(days=365)),
        }
    ]


def asset_body(asset: Asset, base: str) -> dict:
    """POST /assets answer: status 3 for images and audio, 1 for videos."""
    if asset.kind == "video":
        return {
            "status": 1,
            "resourceUrl": base + asset.file_name,
            "coverUrl": base + asset.cover_name,
            "fileName": asset.file_name,
            "message": "",
        }
    body = {"status": 3, "url": base + asset.file_name, "fileName": asset.file_name}
    if asset.kind == "image":
        body["message"] = ""
    return body


def task_body(task: Task, status: Status) -> dict:
    """The GET /tasks/{task_id} model; also the create answers (seed) and the callback body."""
    done = lifecycle.changed_at(task, lifecycle.Status(lifecycle.SUCCEED))
    queued = lifecycle.changed_at(task, lifecycle.Status(lifecycle.PROCESSING))
    body = {
        "task": {
            "id": task.id,
            "userId": task.account.kling_user_id,
            "type": task.type,
            "scene": task.scene,
            "status": status.code,
            "status_name": status.name,
            "status_final": status.final,
            "taskInfo": {
                "type": task.type,
                "inputs": task.inputs,
                "arguments": task.arguments,
                "extraArgs": {},
                "callbackPayloads": [],
                "scene": task.scene,
            },
            "favored": False,
            "deleted": False,
            "viewed": False,
            "createTime": ms(task.created),
            "updateTime": ms(lifecycle.changed_at(task, status)),
        },
        "works": [work_body(task)] if status.code == lifecycle.SUCCEED else [],
        "status": status.code,
        "status_name": status.name,
        "status_final": status.final,
        "message": "success" if status.code == lifecycle.SUCCEED else "",
    }
    if status.error:
        body["error"] = status.error
    body.update(
        {
            "limitation": {"type": task.type, "remaining": 10000, "limit": 10000},
            "userPoints": {"points": _points(task.account), "total": task.account.credits},
            "userTickets": {"ticket": []},
            "editProject": None,
            "etaTime": 0 if status.final else ms(done),
            "queuingEtaTime": 0 if status.final else ms(queued),
            "originEtaTime": ms(done),
            "originQueuingEtaTime": ms(queued),
            "etaTimeOverSla": False,
        }
    )
    return body


def work_body(task: Task) -> dict:
    out = task.output
    finished = ms(lifecycle.changed_at(task, lifecycle.Status(lifecycle.SUCCEED)))
    return {
        "workId": task.work_id,
        "taskId": task.id,
        "userId": task.account.kling_user_id,
        "type": task.type,
        "status": lifecycle.SUCCEED,
        "status_name": "succeed",
        "status_final": True,
        "contentType": "video",
        "resource": {
            "resource": task.base_url + out["video"],
            "height": out.get("height") or DEFAULT_HEIGHT,
            "width": out.get("width") or DEFAULT_WIDTH,
            "duration": out.get("duration") or DEFAULT_DURATION_MS,
            "resourceKey": "",
        },
        "cover": {
            "resource": task.base_url + out["cover"],
            "height": out.get("height") or DEFAULT_HEIGHT,
            "width": out.get("width") or DEFAULT_WIDTH,
            "duration": 0,
            "resourceKey": "",
        },
        "starNum": 0,
        "createTime": ms(task.created),
        "updateTime": finished,
    }


def _ext_data(base: str) -> dict:
    return {"output_binary": base + catalogue.BINARY_ZIP, "bvh_binary": base + catalogue.BVH_ZIP}


def official_2025(motion: catalogue.OfficialMotion, base: str) -> dict:
    return {
        "workName": motion.name,
        "workId": motion.work_id,
        "official": True,
        "tag": motion.tag,
        "resource": {"resource": base + motion.video},
        "cover": {"resource": base + motion.cover},
        "extData": _ext_data(base),
    }


def user_motion_2025(task: Task, base: str) -> dict:
    return {
        "workName": f"Custom motion {task.created:%Y-%m-%d %H:%M}",
        "workId": task.work_id,
        "taskId": task.id,
        "official": False,
        "resource": {"resource": base + task.output["video"]},
        "cover": {"resource": base + task.output["cover"]},
        "extData": _ext_data(base),
    }


def official_2026(motion: catalogue.OfficialMotion, base: str) -> dict:
    return {
        "assetId": f"motion_{motion.number}",
        "assetType": "MOTION",
        "url": base + motion.video,
        "coverUrl": base + motion.cover,
        "duration": catalogue.DURATION_MS,
        "width": catalogue.WIDTH,
        "height": catalogue.HEIGHT,
        "hasAudio": False,
        "createTime": catalogue.CREATED_MS,
    }


def user_motion_2026(asset: Asset, base: str) -> dict:
    """Since January 2026 a user motion is simply an uploaded video."""
    return {
        "assetId": f"motion_{asset.pk}",
        "assetType": "MOTION",
        "url": base + asset.file_name,
        "coverUrl": base + asset.cover_name,
        "duration": asset.duration_ms or DEFAULT_DURATION_MS,
        "width": asset.width or DEFAULT_WIDTH,
        "height": asset.height or DEFAULT_HEIGHT,
        "hasAudio": asset.has_audio,
        "createTime": ms(asset.created),
    }


def running_body(task: Task, now: datetime) -> dict:
    """An item of GET /scheduler: a job useapi is tracking."""
    seconds = max(int((now - task.created).total_seconds()), 0)
    body = {
        "id": task.id,
        "email": task.account.email,
        "started": iso(task.created),
        "elapsed": f"{seconds // 60:02d}:{seconds % 60:02d}",
    }
    # useapi omits what was not given (its JSON drops undefined fields).
    if task.reply_url:
        body["replyUrl"] = task.reply_url
    if task.reply_ref:
        body["replyRef"] = task.reply_ref
    return body
