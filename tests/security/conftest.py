"""Fixtures for the security tests: a small world with one real object behind every address.

`world` makes a connection, a Kling account, tasks in the states the task pages act on, a cached
motion, a media file, audit entries, django-q2 rows and sandbox rows, so that every path
converter of every URL pattern can be filled with the id of something that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from motionhub import audit
from motionhub.accounts.models import AccountChange, Connection, KlingAccount
from motionhub.alerts.models import Alert, AlertRule, Delivery, Kind, Recipient
from motionhub.library.models import DeletionState, LibrarySync, Motion, MotionDeletion, Origin
from motionhub.sandbox import models as sandbox_models
from motionhub.sandbox import state as sandbox_state
from motionhub.tasks import callbacks
from motionhub.tasks.models import Batch, MotionTask, State, TaskEvent
from motionhub.tasks.models import Kind as TaskKind

BASE = "https://api.useapi.test/v1/kling"
TOKEN = "user:5150-securityWorldToken"
ROLES = ("anonymous", "no-role", "viewer", "operator", "admin")


@dataclass
class World:
    connection: Connection
    account: KlingAccount
    done_task: MotionTask  # succeeded motion upload
    failed_task: MotionTask  # can be retried
    queued_task: MotionTask  # can be canceled
    motion: Motion  # "mine", deletable and appliable
    media_path: str  # relative to MEDIA_ROOT
    sandbox_file: str  # a file the sandbox serves
    people: dict[str, User | None]
    kept_file: object = None  # a kept result file (motionhub/archive) of the done task


def _task(account, bob, state: str, name: str, **fields) -> MotionTask:
    task = MotionTask.objects.create(
        kind=TaskKind.MOTION_UPLOAD,
        name=name,
        account=account,
        submitted_by=bob,
        state=state,
        reply_nonce=callbacks.new_nonce(),
        **fields,
    )
    TaskEvent.objects.create(task=task, to_state=state, source=TaskEvent.Source.PERSON)
    return task


@pytest.fixture
def world(alice, bob, charlie, dave, media_root) -> World:
    from django_q.models import OrmQ, Schedule, Task
    from django_q.signing import SignedPackage

    from motionhub.core.schedules import ensure_schedules

    conn = Connection(name="Team", base_url=BASE)
    conn.set_token(TOKEN)
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email="a@example.com", max_jobs=2)
    AccountChange.objects.create(
        connection=conn,
        action=AccountChange.Action.SYNC,
        state=AccountChange.State.DONE,
        finished_at=timezone.now(),
    )
    done = _task(account, bob, State.SUCCEEDED, "Wave", upstream_task_id=900_000_000_000_000_001,
                 batch=Batch.objects.create(name="Run", created_by=bob))  # fmt: skip
    failed = _task(account, bob, State.FAILED, "Broken", error_message="Service busy")
    queued = _task(account, bob, State.QUEUED, "Waiting")
    motion = Motion.objects.create(
        account=account,
        kind=Origin.MINE,
        key="work:1",
        shape="2025",
        name="Wave",
        work_id=1,
        task_id=done.upstream_task_id,
        video_url="https://cdn.test/1.mp4",
        cover_url="https://cdn.test/1.jpg",
        source_task=done,
    )
    LibrarySync.objects.create(account=account, last_synced_at=timezone.now())
    AlertRule.objects.create(kind=Kind.CREDITS, threshold=10)
    from motionhub.tokens.auth import create_token

    create_token(bob, "a script")  # for the admin's read-only token pages
    alert = Alert.objects.create(key="relogin:account:0", kind=Kind.RELOGIN, text="A broke")
    Delivery.objects.create(alert=alert, event="fired", channel="email", target="x@example.com")
    Recipient.objects.create(email="walk@example.com")  # one an admin's walk may remove
    MotionDeletion.objects.create(
        account=account,
        motion_key="work:2",
        motion_name="Old",
        upstream_task_id=900_000_000_000_000_002,
        state=DeletionState.DONE,
    )
    audit.record(None, audit.Action.CONNECTION_CREATE, target=conn, actor=alice)

    media = Path(media_root) / "motions" / "videos" / "x.mp4"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42")

    # django-q2's own rows (the admin lists them).
    ensure_schedules()
    assert Schedule.objects.exists()
    now = timezone.now()
    for success in (True, False):
        Task.objects.create(
            id=f"{'s' if success else 'f'}{'0' * 31}",
            name=f"job-{success}",
            func="motionhub.accounts.jobs.sync_all",
            started=now,
            stopped=now,
            success=success,
        )
    OrmQ.objects.create(
        key="motionhub",
        payload=SignedPackage.dumps({"id": "q", "name": "queued", "func": "print"}),
        lock=None,
    )

    # The sandbox's rows.
    sandbox_models.SandboxConfig.load()
    sb_account = sandbox_state.seed_account(TOKEN, "a@example.com")
    sb_file = "0123456789abcdef0123456789abcdef.jpg"
    (Path(media_root) / "sandbox").mkdir(parents=True, exist_ok=True)
    (Path(media_root) / "sandbox" / sb_file).write_bytes(b"\xff\xd8\xff")
    sandbox_models.Asset.objects.create(
        account=sb_account, kind="image", content_type="image/jpeg", file_name=sb_file, size=3
    )
    sb_task = sandbox_models.Task.objects.create(
        account=sb_account,
        type=sandbox_models.Task.MOTION_PROCESS,
        scene="x",
        base_url="http://testserver/sandbox/v1/kling/files/",
    )
    sandbox_models.Callback.objects.create(
        task_id=sb_task.id, status=99, url="https://example.test/hook", payload={}
    )
    sandbox_models.CreateCall.objects.create(
        namespace=sb_account.namespace,
        email=sb_account.email,
        type=sb_task.type,
        task_id=sb_task.id,
        body={},
    )
    Group.objects.get_or_create(name="viewer")

    from motionhub.archive.models import KeptFile

    (Path(media_root) / "archive").mkdir(parents=True, exist_ok=True)
    (Path(media_root) / "archive" / "k.jpg").write_bytes(b"\xff\xd8\xff")
    kept = KeptFile.objects.create(
        task=done, kind="cover", name="archive/k.jpg", size=3, sha256="0" * 64,
        content_type="image/jpeg", source_url="https://cdn.example/k.jpg",
    )  # fmt: skip
    return World(
        kept_file=kept,
        connection=conn,
        account=account,
        done_task=done,
        failed_task=failed,
        queued_task=queued,
        motion=motion,
        media_path="motions/videos/x.mp4",
        sandbox_file=sb_file,
        people={
            "anonymous": None,
            "no-role": dave,
            "viewer": charlie,
            "operator": bob,
            "admin": alice,
        },
    )


def client_for(world: World, role: str, **options) -> Client:
    """A fresh client signed in as the person with `role` (none for "anonymous")."""
    client = Client(**options)
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    return client
