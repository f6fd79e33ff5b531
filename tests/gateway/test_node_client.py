"""The Node client (node/motion_control.mjs: the calls useapi's motion-control script makes)
run for real: against the gateway on a live server with a django-q2 worker cluster and the
sandbox behind it, and against the built-in sandbox directly. Both must leave a playable video.

Node parses ids as doubles: an id above 2**53 would be rounded and polled "not found".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import av
import pytest
from django_q.models import Schedule

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.library import jobs as library
from motionhub.sandbox import state
from motionhub.tasks.models import MotionTask
from motionhub.tokens.auth import create_token
from tests.clips import make_clip, make_image
from tests.conftest import SANDBOX_TOKEN

CLIENT = Path(__file__).parent / "node" / "motion_control.mjs"
EMAIL = "node@sandbox.test"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("These tests need Node 20 (`node` on PATH).", pytrace=False)
    return found


def run_client(base_url: str, token: str, tmp_path: Path, *extra: str) -> Path:
    image = make_image(tmp_path / "person.jpg", 512, 768)
    video = make_clip(tmp_path / "dance.mp4", 4, size="480x640")
    out = tmp_path / "result.mp4"
    env = dict(os.environ, USEAPI_BASE_URL=base_url, USEAPI_TOKEN=token, POLL_SECONDS="1")
    done = subprocess.run(
        [node(), str(CLIENT), "--image", str(image), "--video", str(video), "--out", str(out),
         "--timeout", "120", *extra],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    print(done.stdout, done.stderr)  # shown when the test fails
    assert done.returncode == 0, done.stderr or done.stdout
    assert token not in done.stdout + done.stderr
    return out


def assert_playable(path: Path) -> None:
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
        assert container.duration and container.duration > 0
    assert frames > 0


# The motion: a video the script uploads, or the first official motion of GET /videos/motions.
MOTIONS = [[], ["--motion", "library"]]


@pytest.mark.slow
@pytest.mark.parametrize("motion", MOTIONS, ids=["uploaded", "library"])
def test_the_node_client_against_the_sandbox_directly(
    sandbox_url, transactional_db, tmp_path, motion
):
    state.configure(shape="2026")
    state.seed_account(SANDBOX_TOKEN, EMAIL, max_jobs=2)
    out = run_client(sandbox_url, SANDBOX_TOKEN, tmp_path, *motion)
    assert_playable(out)


@pytest.mark.slow
@pytest.mark.parametrize("motion", MOTIONS, ids=["uploaded", "library"])
def test_the_node_client_against_the_gateway(
    motion,
    sandbox_url,
    live_server,
    worker,
    bob,
    settings,
    tmp_path,
):
    settings.MOTIONHUB_SANDBOX_TASK_SECONDS = 3
    Schedule.objects.all().delete()  # the steps start every job they need themselves
    state.configure(shape="2026")
    state.seed_account(SANDBOX_TOKEN, EMAIL, max_jobs=2)
    conn = Connection(name="Sandbox", base_url=sandbox_url)
    conn.set_token(SANDBOX_TOKEN)
    conn.save()
    account = KlingAccount.objects.create(connection=conn, email=EMAIL, max_jobs=2, credits=1000)
    library.refresh_account(account.pk)  # the library's cache, which GET /videos/motions reads
    token = create_token(bob, "node script")[1]

    out = run_client(f"{live_server.url}/useapi/v1/kling", token, tmp_path, *motion)

    assert_playable(out)
    task = MotionTask.objects.get()
    assert task.state == "succeeded" and task.submitted_by == bob
    assert bool(task.video) == (not motion)  # an uploaded clip is kept on the task
    # What the script saved is the clean master MotionHub kept, byte for byte.
    kept = task.kept_files.get(kind="clean_video")
    with kept_open(kept) as stored:
        assert stored.read() == out.read_bytes()
    assert SANDBOX_TOKEN not in out.read_bytes().decode("latin-1")


def kept_open(kept):
    from django.core.files.storage import default_storage

    return default_storage.open(kept.name, "rb")
