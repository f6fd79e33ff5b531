"""Faults at scale, as the team would live them, on the production topology.

100 people-uploads go through the real form over HTTP (signed in, multipart POST to
/motions/upload/) to gunicorn with 3 workers, spread over 3 Kling accounts (and "automatic").
Two worker clusters submit and track them against the sandbox, reached through a proxy, with
callbacks off. Along the way the sandbox answers 429, 500 and 503 and answers slowly at set
rates, answers create calls with a gateway's 502 (nothing made) or 504 (made, the answer lost),
the proxy drops connections before forwarding a request or after forwarding it (the answer is
lost), and midway one worker process is killed with SIGKILL while it submits a task. A create
call that may have made its task is looked up (GET /scheduler by replyRef, GET /tasks, motions),
never resent blindly.

Afterwards, with figures printed (run with `-s` to see them):

- every task is settled: final, or `needs_attention` (printed with its target, 0 of 100);
- nothing was created upstream twice: the sandbox records every create call, each carries the
  task's signed replyRef, and no local task has more than one; every recorded upstream id is one
  of them;
- no account ever ran more than its maxJobs: sampled every 100 ms in the database, rebuilt from
  the task timelines, and on the sandbox's side (sampled, and rebuilt from its tasks);
- nothing was lost: 100 tasks, each with its video and cover on disk, one audit entry each, and
  a timeline whose state changes chain from "queued" to the task's state.

See tests/faults/conftest.py for the topology and the knobs (short back-off, poll and sweep).
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from motionhub.accounts.models import Connection, KlingAccount
from motionhub.audit.actions import Action
from motionhub.audit.models import AuditEntry
from motionhub.core.models import Lease
from motionhub.sandbox import state as sandbox
from motionhub.sandbox.models import Callback
from motionhub.sandbox.models import Task as SandboxTask
from motionhub.tasks import callbacks, heartbeat
from motionhub.tasks.models import IN_FLIGHT, SETTLED, MotionTask, State, TaskEvent
from tests.faults.conftest import KNOBS, Topology, alive, cluster_workers

TOKEN = "user:7070-faultRunSecret"
# (label, email, maxJobs): no "+marker" in the emails, the faults come from the rates below.
ACCOUNTS = [
    ("Studio A", "studio-a@sandbox.test", 3),
    ("Studio B", "studio-b@sandbox.test", 4),
    ("Studio C", "studio-c@sandbox.test", 5),
]
UPLOADS = 100
PEOPLE = 4  # each uploads from a browser session of their own, in parallel
PAUSE = 0.3  # between one person's uploads: a steady stream, not one burst
# Rolled by the sandbox per authorised request.
SANDBOX_FAULTS = {
    "rate_429": 0.05,
    "rate_500": 0.05,
    "rate_503": 0.05,
    "rate_slow": 0.05,
    "slow_seconds": 1.0,
    # Create calls only: a gateway's 502 before the sandbox, a 504 after the task was made.
    "rate_502": 0.05,
    "rate_504": 0.05,
}
# Rolled by the proxy per connection (one request each).
DROPS = {"drop_before": 0.03, "drop_after": 0.03}
UPLOAD_TIMEOUT = 90.0
SETTLE_TIMEOUT = 120.0
SANDBOX_TASK_SECONDS = float(KNOBS["MOTIONHUB_SANDBOX_TASK_SECONDS"])
SAMPLE_EVERY = 0.1

ALLOWED_MOVES = {
    ("", State.QUEUED),
    (State.QUEUED, State.UPLOADING),
    (State.UPLOADING, State.SUBMITTING),
    (State.UPLOADING, State.QUEUED),  # back-off, or the sweep after a dead worker
    (State.UPLOADING, State.FAILED),  # gave up after bounded attempts
    (State.UPLOADING, State.REJECTED),
    (State.SUBMITTING, State.SUBMITTED),
    (State.SUBMITTING, State.QUEUED),  # a clear refusal, or a resend checked by a look-up
    (State.SUBMITTING, State.NEEDS_ATTENTION),  # upstream unreadable past the bound
    (State.SUBMITTING, State.FAILED),
    (State.SUBMITTING, State.REJECTED),
    (State.SUBMITTED, State.PROCESSING),
    (State.SUBMITTED, State.SUCCEEDED),
    (State.SUBMITTED, State.FAILED),
    (State.PROCESSING, State.SUCCEEDED),
    (State.PROCESSING, State.FAILED),
}
_SLOT_TAKEN = re.compile(r"Slot taken on (.+) \((\d+)/(\d+)\)\.")


# --- measuring --------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Every ~100 ms: tasks holding a slot per account (our database), and tasks running per
    account on the sandbox's side. Keeps the peaks."""

    def __init__(self, sandbox_emails: dict[str, str]) -> None:
        super().__init__(name="in-flight-sampler", daemon=True)
        self.sandbox_emails = sandbox_emails  # email -> label
        self.local_peak: Counter = Counter()  # label -> peak
        self.sandbox_peak: Counter = Counter()
        self.samples = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        labels = dict(KlingAccount.objects.values_list("pk", "label"))
        try:
            while not self._halt.wait(SAMPLE_EVERY):
                local = (
                    MotionTask.objects.filter(state__in=IN_FLIGHT)
                    .values_list("account_id")
                    .annotate(n=Count("pk"))
                )
                for account_id, n in local:
                    label = labels.get(account_id, account_id)
                    self.local_peak[label] = max(self.local_peak[label], n)
                since = timezone.now() - timedelta(seconds=SANDBOX_TASK_SECONDS)
                upstream = (
                    SandboxTask.objects.filter(created__gt=since)
                    .values_list("account__email")
                    .annotate(n=Count("pk"))
                )
                for email, n in upstream:
                    label = self.sandbox_emails.get(email, email)
                    self.sandbox_peak[label] = max(self.sandbox_peak[label], n)
                self.samples += 1
        except BaseException as exc:  # reported by the test, never silently lost
            self.error = exc
        finally:
            connection.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


def timeline_peaks() -> tuple[Counter, list[str]]:
    """Tasks holding a slot per account, rebuilt from every task's timeline; and the problems.

    A task enters its account's slots with the claim event (queued → uploading, whose detail
    names the account) and leaves them with its first move out of the in-flight states.
    """
    events = (
        TaskEvent.objects.order_by("at", "id")
        .values_list("task_id", "from_state", "to_state", "detail")
        .iterator()
    )
    busy: Counter = Counter()
    peak: Counter = Counter()
    holder: dict[int, str] = {}
    problems = []
    for task_id, before, after, detail in events:
        if before == after:
            continue  # a note, not a state change
        if after in IN_FLIGHT and before not in IN_FLIGHT:
            found = _SLOT_TAKEN.match(detail)
            if not found:
                problems.append(f"task {task_id}: a claim without its account: {detail!r}")
                continue
            label, seen, cap = found[1], int(found[2]), int(found[3])
            if seen > cap:
                problems.append(f"task {task_id}: claimed slot {seen} of {cap} on {label}")
            holder[task_id] = label
            busy[label] += 1
            peak[label] = max(peak[label], busy[label])
        elif before in IN_FLIGHT and after not in IN_FLIGHT and task_id in holder:
            busy[holder.pop(task_id)] -= 1
    return peak, problems


def sandbox_peaks(emails: dict[str, str]) -> Counter:
    """Tasks running per account on the sandbox, rebuilt exactly from its tasks' start times."""
    starts = defaultdict(list)
    for email, created in SandboxTask.objects.values_list("account__email", "created"):
        starts[emails.get(email, email)].append(created)
    span = timedelta(seconds=SANDBOX_TASK_SECONDS)
    peak: Counter = Counter()
    for label, times in starts.items():
        edges = sorted([(t, 1) for t in times] + [(t + span, -1) for t in times])
        running = 0
        for _, step in edges:  # at equal times an end (-1) sorts before a start
            running += step
            peak[label] = max(peak[label], running)
    return peak


def consistent_timeline(task: MotionTask) -> str:
    """'' when the task's state changes chain from queued to its state, else what is wrong."""
    changes = [
        (before, after)
        for before, after in task.events.order_by("at", "id").values_list("from_state", "to_state")
        if before != after
    ]
    if not changes or changes[0] != ("", State.QUEUED):
        return f"does not start with ∅ → queued: {changes[:1]}"
    for (_, previous), (before, after) in itertools.pairwise(changes):
        if before != previous:
            return f"jumps from {previous} to a move out of {before}"
        if (before, after) not in ALLOWED_MOVES:
            return f"unexpected move {before} → {after}"
    if changes[-1][1] != task.state:
        return f"ends in {changes[-1][1]}, the task is {task.state}"
    return ""


# --- people at their browsers ---------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's browser session against gunicorn (the real login and upload forms)."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base = base_url
        self.session = requests.Session()
        form = self.session.get(f"{base_url}/login/", timeout=30)
        answer = self.session.post(
            f"{base_url}/login/",
            data={"username": username, "password": password, "next": "/",
                  "csrfmiddlewaretoken": _CSRF.search(form.text)[1]},
            allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 302, f"{username} could not sign in ({answer.status_code})"

    def upload(self, name: str, account: str, video: bytes) -> int:
        form = self.session.get(f"{self.base}/motions/upload/", timeout=30)
        assert form.status_code == 200, form.status_code
        answer = self.session.post(
            f"{self.base}/motions/upload/",
            data={"name": name, "account": account,
                  "csrfmiddlewaretoken": _CSRF.search(form.text)[1]},
            files={"video": ("wave.mp4", video, "video/mp4")},
            allow_redirects=False, timeout=60,
        )  # fmt: skip
        landed = re.fullmatch(r"/tasks/(\d+)/", answer.headers.get("Location", ""))
        assert answer.status_code == 302 and landed, (answer.status_code, answer.text[:500])
        page = self.session.get(f"{self.base}{landed[0]}", timeout=30)
        assert page.status_code == 200, page.status_code  # the task page, at once
        return int(landed[1])


@dataclass
class Uploads:
    accepted: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_index: int = 0

    def take(self) -> int | None:
        with self.lock:
            if self.next_index >= UPLOADS:
                return None
            self.next_index += 1
            return self.next_index - 1


def _person_uploads(browser: Browser, choices: list[str], video: bytes, uploads: Uploads):
    while (index := uploads.take()) is not None:
        try:
            task_id = browser.upload(f"Fault run #{index + 1}", choices[index % 4], video)
        except (AssertionError, requests.RequestException) as exc:
            with uploads.lock:
                uploads.errors.append(f"upload #{index + 1}: {exc}")
        else:
            with uploads.lock:
                uploads.accepted.append(task_id)
        time.sleep(PAUSE)


# --- the kill -------------------------------------------------------------------------------


@dataclass
class Kill:
    cluster: str = ""
    pid: int = 0
    job: str = ""
    at: float = 0.0
    replaced_by: int = 0


def kill_a_submitting_worker(topology: Topology, started: float) -> Kill:
    """SIGKILL a worker the moment it starts a submission job (fallback: any worker that does
    not hold the heartbeat lease); then wait for its cluster's sentinel to replace it."""
    seen = {c.name: set(cluster_workers(c)) for c in topology.clusters}
    lease = Lease.objects.filter(name=heartbeat.LEASE).values_list("holder", flat=True).first()
    heartbeat_pid = int(lease.split(":")[1]) if lease else 0
    kill = Kill()
    deadline = time.monotonic() + 10
    while not kill.pid and time.monotonic() < deadline:
        for cluster in topology.clusters:
            for pid, job in cluster_workers(cluster).items():
                if job.startswith("motionhub.tasks.submit.run") and alive(pid):
                    kill = Kill(cluster.name, pid, job)
                    break
            if kill.pid:
                break
        else:
            time.sleep(0.02)
    if not kill.pid:
        cluster = topology.clusters[0]
        others = [(p, j) for p, j in cluster_workers(cluster).items() if p != heartbeat_pid]
        assert others, f"no worker process of {cluster.name} found to kill:\n{cluster.tail()}"
        pid, job = others[0]
        kill = Kill(cluster.name, pid, job or "idle")
    os.kill(kill.pid, signal.SIGKILL)
    kill.at = time.monotonic() - started
    victim = next(c for c in topology.clusters if c.name == kill.cluster)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        fresh = set(cluster_workers(victim)) - seen[victim.name]
        if fresh:
            kill.replaced_by = min(fresh)
            break
        time.sleep(0.2)
    return kill


# --- the test -------------------------------------------------------------------------------


@pytest.mark.slow
def test_100_uploads_over_3_accounts_survive_faults_and_a_killed_worker(
    topology: Topology, motion_clip, settings
):
    started = time.monotonic()
    # The people sign in through gunicorn, whose settings hash passwords the default way.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    operator = Group.objects.get_or_create(name="operator")[0]
    people = []
    for n in range(PEOPLE):
        person = User.objects.create_user(f"op{n}", password=f"pw-op{n}-secret")
        person.groups.add(operator)
        people.append((person.username, f"pw-op{n}-secret"))

    conn = Connection(name="Sandbox via fault proxy", base_url=topology.sandbox_url)
    conn.set_token(TOKEN)
    conn.save()
    accounts = {}
    for label, email, max_jobs in ACCOUNTS:
        sandbox.seed_account(TOKEN, email, max_jobs=max_jobs)
        accounts[label] = KlingAccount.objects.create(
            connection=conn, email=email, label=label, max_jobs=max_jobs
        )
    emails = {email: label for label, email, _ in ACCOUNTS}
    max_jobs = {label: cap for label, _, cap in ACCOUNTS}
    choices = [str(a.pk) for a in accounts.values()] + ["auto"]
    sandbox.configure(**SANDBOX_FAULTS)
    topology.proxy.set_rates(**DROPS)
    video = motion_clip.read_bytes()

    sampler = Sampler(emails)
    sampler.start()
    uploads = Uploads()
    browsers = [Browser(topology.web_url, *who) for who in people]
    threads = [
        threading.Thread(target=_person_uploads, args=(b, choices, video, uploads), daemon=True)
        for b in browsers
    ]
    t_setup = time.monotonic() - started
    for thread in threads:
        thread.start()

    figures: dict = {}
    try:
        _wait(lambda: len(uploads.accepted) >= UPLOADS // 2 or uploads.errors, UPLOAD_TIMEOUT,
              "half of the uploads")  # fmt: skip
        kill = kill_a_submitting_worker(topology, started)
        for thread in threads:
            thread.join(max(UPLOAD_TIMEOUT - (time.monotonic() - started), 1))
        assert not any(t.is_alive() for t in threads), "the uploads did not finish in time"
        t_uploads = time.monotonic() - started
        _wait(
            lambda: MotionTask.objects.filter(state__in=SETTLED).count() >= UPLOADS,
            SETTLE_TIMEOUT,
            "every task to be final or needs_attention",
            progress=lambda: dict(Counter(MotionTask.objects.values_list("state", flat=True))),
        )
        t_settled = time.monotonic() - started
    except AssertionError:
        sampler.stop()
        _publish(_report(_collect(topology, emails, max_jobs, sampler, uploads, locals())))
        print(topology.logs())
        raise
    sampler.stop()
    topology.proxy.set_rates(drop_before=0, drop_after=0)

    figures = _collect(topology, emails, max_jobs, sampler, uploads, locals())
    figures["wall"] = {
        "setup (people, accounts, sign-in)": t_setup,
        "all 100 uploads accepted": t_uploads,
        "worker killed at": kill.at,
        "all tasks settled": t_settled,
        "whole test so far": time.monotonic() - started,
    }
    _publish(_report(figures))

    # 1. Every task is settled, none lost, each with its files, audit entry and timeline.
    assert not uploads.errors, uploads.errors
    assert len(uploads.accepted) == UPLOADS
    tasks = list(MotionTask.objects.order_by("pk"))
    assert len(tasks) == UPLOADS
    assert sorted(t.pk for t in tasks) == sorted(uploads.accepted)
    assert all(t.state in SETTLED for t in tasks), figures["states"]
    assert figures["missing files"] == [], figures["missing files"]
    assert figures["audit entries"] == UPLOADS
    assert figures["timeline problems"] == [], figures["timeline problems"]
    # 2. Nothing created upstream twice, nothing created upstream that no task asked for.
    assert figures["duplicates (must be 0)"] == 0, figures["creates per task"]
    assert figures["unmatched creates"] == 0
    assert figures["recorded ids not created"] == [], figures["recorded ids not created"]
    for task in tasks:
        if task.state == State.SUCCEEDED:
            assert task.upstream_task_id, task.pk
    # 3. No account ever ran more than its maxJobs, however it is measured.
    assert sampler.error is None, sampler.error
    assert sampler.samples >= 50, sampler.samples
    for label, cap in max_jobs.items():
        for measure in ("sampled in-flight", "timeline in-flight", "sandbox sampled",
                        "sandbox rebuilt"):  # fmt: skip
            assert figures["peaks"][measure].get(label, 0) <= cap, (measure, label, figures)
    # 4. The run really was faulty, the killed worker really was replaced, and most uploads
    #    still made it.
    assert kill.pid and kill.replaced_by, kill
    assert figures["faults"]["dropped before forwarding"] > 0
    assert figures["faults"]["dropped after forwarding"] > 0
    assert figures["faults"]["sandbox 500 / 503 answers"] > 0
    assert figures["faults"]["gateway 502 / 504 answers to create calls"] > 0
    assert figures["lost answers found by a look-up"] > 0
    assert figures["states"].get(State.SUCCEEDED, 0) >= UPLOADS // 2, figures["states"]


def _wait(predicate, timeout: float, what: str, progress=None) -> None:
    deadline = time.monotonic() + timeout
    last_print = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return
        if progress and time.monotonic() - last_print >= 10:
            print(f"  … waiting for {what}: {progress()}", flush=True)
            last_print = time.monotonic()
        time.sleep(0.25)
    detail = f" (now: {progress()})" if progress else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")


# --- figures ----------------------------------------------------------------------------------


def _collect(topology, emails, max_jobs, sampler, uploads, scope) -> dict:
    tasks = list(MotionTask.objects.order_by("pk"))
    states = Counter(t.state for t in tasks)
    categories = Counter(
        f"{t.state}: {t.error_category}" for t in tasks if t.state != State.SUCCEEDED
    )
    by_pk = {t.pk: t for t in tasks}

    # Create calls, matched to local tasks by the signed replyRef each one carries.
    creates = sandbox.create_calls(TOKEN)
    per_task: Counter = Counter()
    unmatched = 0
    created_ids: dict[int, int] = {}  # upstream task id -> local task id
    for call in creates:
        ref = callbacks.read_ref(call["body"].get("replyRef", ""))
        if ref is None or ref[0] not in by_pk:
            unmatched += 1
            continue
        per_task[ref[0]] += 1
        created_ids[call["task_id"]] = ref[0]
    missing_ids = [
        t.pk
        for t in tasks
        if t.upstream_task_id is not None and created_ids.get(t.upstream_task_id) != t.pk
    ]
    attention = [t for t in tasks if t.state == State.NEEDS_ATTENTION]
    details = list(TaskEvent.objects.values_list("detail", flat=True))

    missing_files = []
    for task in tasks:
        for field_name in ("video", "cover"):
            stored = getattr(task, field_name)
            if (
                not stored.name
                or not os.path.isfile(stored.path)
                or not os.path.getsize(stored.path)
            ):
                missing_files.append(f"task {task.pk} {field_name}: {stored.name!r}")
        video = task.video
        found = video.name and os.path.isfile(video.path)
        stored_size = os.path.getsize(video.path) if found else None
        if stored_size is not None and stored_size != task.inputs.get("video_size"):
            missing_files.append(f"task {task.pk} video: size differs from the upload")

    timeline_peak, timeline_problems = timeline_peaks()
    for task in tasks:
        problem = consistent_timeline(task)
        if problem:
            timeline_problems.append(f"task {task.pk}: {problem}")

    phases = _phases()

    tally = topology.proxy.tally
    with tally.lock:
        answers = Counter(tally.answers)
        faults = {
            "requests through the proxy": tally.connections,
            "dropped before forwarding": sum(tally.dropped_before.values()),
            "dropped after forwarding": sum(tally.dropped_after.values()),
            "dropped, by kind": dict(tally.dropped_before + tally.dropped_after),
            "injected 429 answers": sum(tally.injected_429.values()),
            "other 429 answers (account full upstream)": sum(
                n for (_, status), n in answers.items() if status == 429
            )
            - sum(tally.injected_429.values()),
            "sandbox 500 / 503 answers": sum(
                n for (_, status), n in answers.items() if status in (500, 503)
            ),
            "gateway 502 / 504 answers to create calls": sum(
                n
                for (kind, status), n in answers.items()
                if kind == "create call" and status in (502, 504)
            ),
            "answers slower than 0.9 s": sum(tally.slow.values()),
            "answers by kind and status": {
                f"{kind} {status}": n for (kind, status), n in sorted(answers.items())
            },
        }
    kill = scope.get("kill")
    killed_task = None
    if kill and kill.job:
        found = re.search(r"\(submit-(\d+)\)", kill.job)
        if found and int(found[1]) in by_pk:
            task = by_pk[int(found[1])]
            moves = [
                f"{before or '∅'}→{after} ({source})"
                for before, after, source in task.events.order_by("at", "id").values_list(
                    "from_state", "to_state", "source"
                )
                if before != after
            ]
            killed_task = f"task {task.pk}: {' '.join(moves)}"
    return {
        "topology": (
            f"{connection.vendor} + {topology.broker()}; gunicorn --workers 3; "
            f"2 qclusters of {KNOBS['Q_WORKERS']} workers"
        ),
        "tasks": len(tasks),
        "uploads accepted": len(uploads.accepted),
        "upload errors": uploads.errors,
        "states": dict(states),
        "not succeeded, by state and error": dict(categories),
        "create calls": len(creates),
        "creates per task": dict(Counter(per_task.values())),
        "needs_attention (target 0 of 100)": len(attention),
        "duplicates (must be 0)": sum(1 for n in per_task.values() if n > 1),
        "lost answers found by a look-up": sum("was found among" in d for d in details),
        "checked resends": sum("never arrived upstream" in d for d in details),
        "unmatched creates": unmatched,
        "recorded ids not created": missing_ids,
        "needs_attention with a task upstream": sum(1 for t in attention if per_task[t.pk]),
        "needs_attention without one": sum(1 for t in attention if not per_task[t.pk]),
        "callbacks sent / answered 202": (
            Callback.objects.count(),
            Callback.objects.filter(http_status=202).count(),
        ),
        "max_jobs": max_jobs,
        "peaks": {
            "sampled in-flight": dict(sampler.local_peak),
            "timeline in-flight": dict(timeline_peak),
            "sandbox sampled": dict(sampler.sandbox_peak),
            "sandbox rebuilt": dict(sandbox_peaks(emails)),
        },
        "samples": sampler.samples,
        "seconds per phase (median / max)": phases,
        "faults": faults,
        "killed worker": kill,
        "the killed worker's task": killed_task,
        "missing files": missing_files,
        "audit entries": AuditEntry.objects.filter(action=Action.MOTION_UPLOAD).count(),
        "timeline problems": timeline_problems,
    }


def _phases() -> dict[str, str]:
    """How long tasks waited for a slot, took to submit, and were tracked (from timelines)."""
    spans: dict[str, list[float]] = defaultdict(list)
    first: dict[tuple[int, str], object] = {}
    for task_id, after, at in (
        TaskEvent.objects.exclude(from_state=F("to_state"))
        .order_by("at", "id")
        .values_list("task_id", "to_state", "at")
    ):
        first.setdefault((task_id, after), at)
    for (task_id, after), at in first.items():
        if after != State.QUEUED:
            continue
        claimed = first.get((task_id, State.UPLOADING))
        submitted = first.get((task_id, State.SUBMITTED))
        settled = next((first[(task_id, s)] for s in SETTLED if (task_id, s) in first), None)
        if claimed:
            spans["queued → first claim"].append((claimed - at).total_seconds())
        if claimed and submitted:
            spans["first claim → submitted"].append((submitted - claimed).total_seconds())
        if submitted and settled:
            spans["submitted → settled"].append((settled - submitted).total_seconds())
        if settled:
            spans["queued → settled"].append((settled - at).total_seconds())
    return {
        name: f"{statistics.median(values):.1f} / {max(values):.1f}"
        for name, values in spans.items()
    }


def _publish(report: str) -> None:
    """Print the figures (seen with -s, or on failure), and write them to the file named by
    MOTIONHUB_FAULTS_REPORT when set: .ci/run shows it, and fails if the test did not run."""
    print(report)
    target = os.environ.get("MOTIONHUB_FAULTS_REPORT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(report.strip() + "\n")


def _report(figures: dict) -> str:
    lines = ["", "=== Faults at scale: figures ==="]
    for key, value in figures.items():
        if key == "peaks":
            lines.append("peak tasks at once per account (vs maxJobs):")
            for label, cap in figures["max_jobs"].items():
                seen = ", ".join(
                    f"{measure} {peaks.get(label, 0)}" for measure, peaks in value.items()
                )
                lines.append(f"  {label}: maxJobs {cap} | {seen}")
        elif key == "faults":
            lines.append("faults:")
            lines.extend(f"  {name}: {n}" for name, n in value.items())
        elif key == "wall":
            lines.append("wall time:")
            lines.extend(f"  {name}: {seconds:.1f} s" for name, seconds in value.items())
        elif key != "max_jobs":
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
