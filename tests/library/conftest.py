"""The library's fixtures: a connection with two accounts, upstream motion lists in both shapes
(faked at the network edge with `responses`), and cached motions made directly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library.models import LibrarySync, Motion, Origin
from motionhub.tasks.models import Kind as TaskKind
from motionhub.tasks.models import MotionTask, State

BASE = "https://api.useapi.test/v1/kling"
TOKEN = "user:4242-libraryTokenSecret"
MOTIONS_URL = f"{BASE}/videos/motions"
BIG_TASK_ID = 285_412_345_678_901_234  # above 2**53: must stay exact
HX = {"HX-Request": "true"}


def official_2025(n: int, tag: str = "basic", **extra) -> dict:
    return {
        "workName": f"Official {n}",
        "workId": -100_000_000_000_000 - n,
        "official": True,
        "tag": tag,
        "resource": {"resource": f"https://cdn.test/official-{n}.mp4"},
        "cover": {"resource": f"https://cdn.test/official-{n}.jpg"},
        "extData": {
            "output_binary": f"https://cdn.test/official-{n}-binary.zip",
            "bvh_binary": f"https://cdn.test/official-{n}-bvh.zip",
        },
        **extra,
    }


def mine_2025(n: int, task_id: int | None = None, **extra) -> dict:
    return {
        "workName": f"Ours {n}",
        "workId": 500_000_000_000_000 + n,
        "taskId": task_id if task_id is not None else BIG_TASK_ID + n,
        "official": False,
        "resource": {"resource": f"https://cdn.test/mine-{n}.mp4"},
        "cover": {"resource": f"https://cdn.test/mine-{n}.jpg"},
        "extData": {
            "output_binary": f"https://cdn.test/mine-{n}-binary.zip",
            "bvh_binary": f"https://cdn.test/mine-{n}-bvh.zip",
        },
        **extra,
    }


def asset_2026(n: int, prefix: str = "motion", **extra) -> dict:
    return {
        "assetId": f"{prefix}_{n}",
        "assetType": "MOTION",
        "url": f"https://cdn.test/{prefix}-{n}.mp4",
        "coverUrl": f"https://cdn.test/{prefix}-{n}.jpg",
        "duration": 4200,
        "width": 720,
        "height": 1280,
        "hasAudio": False,
        "createTime": 1_767_225_600_000,
        **extra,
    }


@pytest.fixture
def connection(db) -> Connection:
    conn = Connection(name="Team", base_url=BASE)
    conn.set_token(TOKEN)
    conn.save()
    return conn


@pytest.fixture
def account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="a@example.com", label="Studio A", max_jobs=2
    )


@pytest.fixture
def other_account(connection) -> KlingAccount:
    return KlingAccount.objects.create(
        connection=connection, email="b@example.com", label="Studio B", max_jobs=2
    )


class Upstream:
    """GET /videos/motions (mine with paging, official without) and DELETE /tasks/{id}."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.mine: dict[str, list[dict]] = {}
        self.official: dict[str, list[dict]] = {}
        self.honour_paging = True
        self.failures: dict[tuple[str, bool], tuple[int, dict]] = {}
        # Called first with each list request; an answer (status, body) it returns is sent.
        self.before: Callable[[Any], tuple[int, dict] | None] | None = None
        mock.add_callback(responses.GET, MOTIONS_URL, callback=self._motions)

    def _motions(self, request):
        query = parse_qs(urlparse(request.url).query)
        email = query.get("email", [""])[0]
        mine = query.get("mine", ["false"])[0] == "true"
        if self.before and (answer := self.before(request)):
            return answer[0], {}, json.dumps(answer[1])
        if (email, mine) in self.failures:
            status, body = self.failures[(email, mine)]
            return status, {}, json.dumps(body)
        items = (self.mine if mine else self.official).get(email, [])
        if mine and self.honour_paging:
            size = int(query.get("pageSize", ["40"])[0])
            number = int(query.get("pageNum", ["1"])[0])
            items = items[(number - 1) * size : number * size]
        return 200, {}, json.dumps(items)

    def fail(self, email: str, *, mine: bool, status: int = 500, body: dict | None = None):
        self.failures[(email, mine)] = (status, body or {"error": "Service busy"})

    def list_calls(self, *, mine: bool | None = None) -> list[dict]:
        found = []
        for call in self.mock.calls:
            if call.request.method != "GET" or not call.request.url.startswith(MOTIONS_URL):
                continue
            query = {k: v[0] for k, v in parse_qs(urlparse(call.request.url).query).items()}
            if mine is None or query.get("mine") == ("true" if mine else "false"):
                found.append(query)
        return found

    def delete_calls(self) -> list[str]:
        return [c.request.url for c in self.mock.calls if c.request.method == "DELETE"]

    def on_delete(self, task_id: int, status: int = 200, body: dict | None = None) -> None:
        answer = body if body is not None else {"deleted": 1, "workIds": [1]}
        self.mock.add(responses.DELETE, f"{BASE}/tasks/{task_id}", status=status, json=answer)


@pytest.fixture
def upstream(sync_jobs):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Upstream(mock)


@pytest.fixture
def no_upstream():
    """A network edge with nothing registered: any upstream call would fail the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_motion(db) -> Callable[..., Motion]:
    counter = iter(range(1, 1_000_000))

    def make(account: KlingAccount, kind: str = Origin.MINE, **fields) -> Motion:
        n = next(counter)
        defaults = {
            "key": f"work:{n}",
            "shape": "2025",
            "name": f"Motion {n}",
            "work_id": n if kind == Origin.MINE else -n,
            "task_id": BIG_TASK_ID + n if kind == Origin.MINE else None,
            "video_url": f"https://cdn.test/{n}.mp4",
            "cover_url": f"https://cdn.test/{n}.jpg",
            "duration_ms": 3000,
            "position": n,
        }
        return Motion.objects.create(account=account, kind=kind, **{**defaults, **fields})

    return make


@pytest.fixture
def synced(db) -> Callable[..., LibrarySync]:
    def make(account: KlingAccount, **fields) -> LibrarySync:
        now = timezone.now()
        defaults = {"last_synced_at": now, "last_attempt_at": now, "finished_at": now}
        sync, _ = LibrarySync.objects.update_or_create(
            account=account, defaults={**defaults, **fields}
        )
        return sync

    return make


@pytest.fixture
def upload_task(bob) -> Callable[..., MotionTask]:
    """A succeeded motion-upload task of ours, as the submission flow records it."""

    def make(account: KlingAccount, *, task_id: int | None = None, resource_url: str = "",
             name: str = "Wave", kind: str = TaskKind.MOTION_UPLOAD) -> MotionTask:  # fmt: skip
        assets = {"video": {"resourceUrl": resource_url, "url": None}} if resource_url else {}
        return MotionTask.objects.create(
            kind=kind,
            name=name,
            account=account,
            submitted_by=bob,
            state=State.SUCCEEDED,
            upstream_task_id=task_id,
            upstream={"assets": assets},
        )

    return make
