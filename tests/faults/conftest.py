"""The production topology, started for real on the test database.

`topology` starts gunicorn with several workers (serving the dashboard and the sandbox), a
fault-injecting proxy in front of it for MotionHub's upstream calls, and two `manage.py qcluster`
worker clusters — all on the test database and on whichever broker the environment selects
(REDIS_URL → Redis, else django-q2's ORM broker). So on PostgreSQL + Redis this is exactly the
production set-up of the README's "Beyond one machine"; on the defaults it is the same on SQLite.

Every process is started in a session (process group) of its own and registered for teardown at
once, so all of them are stopped — their whole groups killed if they do not stop in time — even
when the test, or the start of a later process, fails.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.clips import make_clip
from tests.faults.proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 45.0
STOP_TIMEOUT = 3.0

# Small knobs so the whole fault run fits in a minute or two (see the fault test's docstring).
KNOBS = {
    "MOTIONHUB_SANDBOX": "1",
    # The sandbox's task length is read by the process that serves the sandbox (gunicorn).
    "MOTIONHUB_SANDBOX_TASK_SECONDS": "1",
    "MOTIONHUB_POLL_SECONDS": "0.5",
    "MOTIONHUB_BACKOFF_SECONDS": "0.5",
    "MOTIONHUB_MAX_ATTEMPTS": "4",
    # The injected 429s and 5xx put accounts in short cool-downs (accounts/health.py): as short
    # as the back-off here, so the run's length stays that of its faults.
    "MOTIONHUB_COOLDOWN_SECONDS": "3",
    # A lost create answer is looked up; "not found" is trusted 2 s after the call, and an
    # upstream that cannot be read is waited for up to 60 s before a person is asked.
    "MOTIONHUB_RECONCILE_SETTLE_SECONDS": "2",
    "MOTIONHUB_RECONCILE_SECONDS": "60",
    # Every upstream call answers within this (slow answers take 1 s), so a submission job
    # stays well inside Q_TIMEOUT.
    "USEAPI_TIMEOUT": "5",
    "USEAPI_UPLOAD_TIMEOUT": "5",
    "Q_WORKERS": "3",
    "Q_TIMEOUT": "20",
    # Also the sweep's cutoff: a task claimed this long ago and still uploading/submitting has
    # lost its worker.
    "Q_RETRY": "30",
    "LOG_LEVEL": "INFO",
    "PYTHONUNBUFFERED": "1",
}


def database_url() -> str:
    """The test database as a DATABASE_URL for the subprocesses."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or LOOPBACK
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Direct children of a process, from /proc (no psutil)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..." — comm may hold spaces, so split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Service:
    """One started process (and its process group) with its log file."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        # start_new_session: the process leads a group of its own, and only its group is hit.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, grace: float = STOP_TIMEOUT) -> None:
        """SIGTERM the group, wait, then SIGKILL whatever is left of it (never other processes)."""
        self.signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(grace)
        # The leader is gone or stuck; nothing of its group may outlive the test.
        self.signal_group(signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)


def stop_all(services: list[Service]) -> None:
    """Stop several services at once: SIGTERM every group, one grace period for them all, then
    SIGKILL what is left of each group."""
    for service in services:
        service.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for service in services:
        service.stop(grace=max(deadline - time.monotonic(), 0.0))


@dataclass
class Topology:
    web_url: str  # gunicorn, as the browser (and callbacks) reach it
    proxy: FaultProxy  # in front of gunicorn, for MotionHub's upstream calls
    web: Service
    clusters: list[Service]
    media_root: Path
    env: dict = field(repr=False)

    @property
    def sandbox_url(self) -> str:
        """The connection base URL: the sandbox, through the fault proxy."""
        return f"{self.proxy.url}/sandbox/v1/kling"

    def broker(self) -> str:
        return "Redis" if self.env.get("REDIS_URL") else "django-q2 ORM broker"

    def logs(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {service.name} (last {lines} lines)\n{service.tail(lines)}"
            for service in (self.web, *self.clusters)
        )


_LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_pytest() -> None:
    """In the child before exec: be sent SIGTERM should pytest itself die (even by SIGKILL)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(name: str, argv: list[str], env: dict, folder: Path, started: list) -> Service:
    """Start a process in a session of its own, listed at once for the teardown.

    (preexec_fn runs between fork and exec; it only makes one system call, prctl.)
    """
    log = folder / f"{name}.log"
    handle = log.open("w")
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=_die_with_pytest,
    )  # fmt: skip
    handle.close()
    service = Service(name, process, log)
    started.append(service)
    return service


def _wait(what: str, predicate, service: Service, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if service.process.poll() is not None:
            raise AssertionError(f"{service.name} exited while {what}:\n{service.tail()}")
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s {what}:\n{service.tail()}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def topology(transactional_db, media_root, tmp_path, request) -> Topology:
    """gunicorn (3 workers) + fault proxy + two qclusters on the test database; see above."""
    # The processes' logs (the last lines are printed when the test fails); set
    # MOTIONHUB_FAULTS_LOGS to keep them somewhere that outlives pytest's temporary folders.
    logs = Path(os.environ.get("MOTIONHUB_FAULTS_LOGS") or tmp_path / "logs")
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    web_url = f"http://{LOOPBACK}:{port}"
    env = {
        **os.environ,
        **KNOBS,
        "DJANGO_SETTINGS_MODULE": "motionhub.settings",
        "DATABASE_URL": database_url(),
        # Web and workers share the uploads folder (on several hosts: a shared mount).
        "MEDIA_ROOT": str(media_root),
        # Callbacks off: finding a create call whose answer was lost must not depend on them
        # (the replyRef goes on every create call all the same).
        "MOTIONHUB_PUBLIC_URL": "",
    }
    started: list[Service] = []
    request.addfinalizer(lambda: stop_all(started))
    web = _start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "motionhub.wsgi", "--workers", "3",
         "--bind", f"{LOOPBACK}:{port}", "--graceful-timeout", "5", "--timeout", "60"],
        env, logs, started,
    )  # fmt: skip
    clusters = [
        _start(f"qcluster-{n}", [sys.executable, "manage.py", "qcluster"], env, logs, started)
        for n in (1, 2)
    ]
    _wait("starting gunicorn", lambda: _answers(f"{web_url}/login/"), web)
    for cluster in clusters:
        _wait(
            "starting the worker cluster",
            lambda c=cluster: re.search(r"Q Cluster .* running", c.output()),
            cluster,
        )
    # The proxy's threads start only once every process is started.
    proxy = FaultProxy((LOOPBACK, port), lifetime=900).start()
    request.addfinalizer(proxy.stop)
    return Topology(web_url, proxy, web, clusters, Path(media_root), env)


@pytest.fixture(scope="session")
def motion_clip(tmp_path_factory) -> Path:
    """A real 3-second mp4 (a few tens of KB) that every upload of the fault run sends."""
    return make_clip(tmp_path_factory.mktemp("fault-clips") / "wave.mp4", 3)


# --- worker processes of a cluster ---------------------------------------------------------

_READY = re.compile(r"(Process-\w+) ready for work at (\d+)")
_PROCESSING = re.compile(r"(Process-\w+) processing (\S+) '([\w.]+)'")


def cluster_workers(cluster: Service) -> dict[int, str]:
    """Live worker processes of a cluster: pid → the job it last started ('' if none yet).

    Workers are the sentinel's children that logged "ready for work" (the sentinel's other
    children, the monitor and the pusher, do not).
    """
    text = cluster.output()
    names = {m[1]: int(m[2]) for m in _READY.finditer(text)}
    last_job = {m[1]: f"{m[3]} ({m[2]})" for m in _PROCESSING.finditer(text)}
    sentinels = children_of(cluster.process.pid)
    children = {pid for sentinel in sentinels for pid in children_of(sentinel)}
    return {pid: last_job.get(name, "") for name, pid in names.items() if pid in children}
