"""`make run`'s command: migrate, first admin, sandbox, web + workers, and a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_it_serves_web_and_workers_and_stops_both_on_sigterm(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        MOTIONHUB_DATA_DIR=str(tmp_path), MOTIONHUB_SANDBOX="1", PYTHONUNBUFFERED="1",
        DJANGO_SUPERUSER_USERNAME="boss", DJANGO_SUPERUSER_PASSWORD="pw-boss-123",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "manage.py", "motionhub_run", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            output.append(line)
            if "MotionHub is running" in line or process.poll() is not None:
                break
        assert f"http://127.0.0.1:{port}/" in "".join(output), "".join(output)
        assert "Sandbox connection created with 2 sandbox Kling accounts" in "".join(output)

        session = requests.Session()
        login = session.get(f"http://127.0.0.1:{port}/login/", timeout=10)
        assert login.status_code == 200
        children = _children_of(process.pid)
        assert len(children) == 2  # the web server and the worker cluster
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], "a child outlived motionhub_run"
