"""What `make bench` measures, in-process with Django's test Client.

Cases are timed round-robin (each round visits every case, starting one further along), so a
slow moment of the machine lands on every case alike; the figures are medians. Query counts are
read once per case, outside the timed rounds.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motionhub.batches.board import version as board_version
from motionhub.history import keyset as history
from motionhub.tasks.models import MotionTask, State

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import User
    from django.http import HttpResponse

# The cursor names row 50 000, the last of page 1 000: the page shown is page 1 001.
DEEP_ROW = 50_000


@dataclass
class Case:
    name: str
    client: Client
    url: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Text the answer must contain: a broken page must not pass for a fast one.
    expect: str = ""
    # Run before each timed request, untimed (e.g. to make the home page rebuild its markup).
    prepare: Callable[[], object] | None = None


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deep_cursor(row: int = DEEP_ROW) -> str:
    """The cursor a reader reaches after `row // 50` clicks on "Older →", computed directly."""
    total = MotionTask.objects.count()
    row = min(row, max(total - 1, 0))
    created_at, pk = MotionTask.objects.order_by("-created_at", "-id").values_list(
        "created_at", "id"
    )[row - 1 if row else 0]
    return history.cursor(created_at, pk)


def cases(viewer: User, root: User, *, deep_row: int = DEEP_ROW) -> list[Case]:
    reader, admin = signed_in(viewer), signed_in(root)
    polled = (
        MotionTask.objects.filter(state=State.PROCESSING).order_by("-created_at").first()
        or MotionTask.objects.order_by("-created_at").first()
    )
    busiest = (
        MotionTask.objects.filter(account__isnull=False)
        .order_by("-created_at")
        .values_list("account_id", flat=True)
        .first()
    )
    history_url = reverse("tasks:history")
    return [
        Case("bare", reader, reverse("bench-bare"), expect="ok"),
        Case(
            "poll",
            reader,
            reverse("tasks:status", args=[polled.pk]),
            status=200 if polled.keeps_polling else 286,
            headers={"HX-Request": "true"},
            expect='id="task-status"',
        ),
        Case("history", reader, history_url, expect='id="history-results"'),
        Case(
            "history_filtered",
            reader,
            f"{history_url}?account={busiest}&state=succeeded",
            expect='id="history-results"',
        ),
        Case(
            "history_deep",
            reader,
            f"{history_url}?before={deep_cursor(deep_row)}",
            expect='rel="prev"',
        ),
        Case("admin", admin, reverse("admin:motions_motiontask_changelist"), expect="result_list"),
        Case("home", reader, reverse("home"), expect='id="chart"'),
        Case(
            "batch_poll",
            reader,
            reverse("batches:status", args=[bench_batch(BATCH_SIZE)]),
            headers={"HX-Request": "true"},
            expect='id="batch-board"',
        ),
        # The same fragment polled by a page that already shows the current board.
        Case(
            "batch_poll_unchanged",
            reader,
            f"{reverse('batches:status', args=[bench_batch(BATCH_SIZE)])}?v="
            f"{board_version(bench_batch(BATCH_SIZE))}",
            status=204,
            headers={"HX-Request": "true"},
        ),
        # The home page's polled account cards (what every open home page asks every 5 s).
        Case(
            "home_cards",
            reader,
            reverse("home_cards"),
            headers={"HX-Request": "true"},
            expect='id="account-cards"',
        ),
        # The home page right after the counts changed: nothing of its markup can be reused.
        Case("home_changed", reader, reverse("home"), expect='id="chart"', prepare=_forget_home),
        # The batch fragment right after the batch changed: no kept board, every row read.
        Case(
            "batch_poll_changed",
            reader,
            reverse("batches:status", args=[bench_batch(BATCH_SIZE)]),
            headers={"HX-Request": "true"},
            expect='id="batch-board"',
            prepare=_forget_boards,
        ),
    ]


def _forget_boards() -> None:
    from motionhub.batches import board

    board.forget()


def _forget_home() -> None:
    from motionhub.dashboard import views

    views.forget_markup()


# The batch page's polled fragment is measured on a batch of this many tasks.
BATCH_SIZE = 200


def bench_batch(size: int) -> int:
    """A batch of the `size` newest seeded tasks (some still in progress, so it keeps polling),
    made once: it reuses seeded rows, so the seed's counts, and its reuse, are unchanged."""
    from motionhub.tasks.models import Batch

    batch, _ = Batch.objects.get_or_create(name=f"bench-{size}")
    newest = list(
        MotionTask.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:size]
    )
    if MotionTask.objects.filter(batch=batch).count() != len(newest):
        MotionTask.objects.filter(batch=batch).update(batch=None)
        # With a cover each, as a run of uploads has: the rows then show their thumbnails.
        MotionTask.objects.filter(pk__in=newest).update(batch=batch, cover="motions/covers/b.jpg")
    return batch.pk


def fetch(case: Case) -> HttpResponse:
    response = case.client.get(case.url, headers=case.headers)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    return response


def check(case: Case) -> None:
    response = fetch(case)
    body = b"" if response.streaming else response.content
    if response.status_code != case.status or case.expect.encode() not in body:
        raise SystemExit(f"bench: {case.name} answered {response.status_code}: {body[:300]!r}")


def query_count(work: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


def query_counts(all_cases: list[Case]) -> dict[str, int]:
    return {case.name: query_count(lambda case=case: fetch(case)) for case in all_cases}


@dataclass
class Samples:
    """Milliseconds per request, per case: elapsed (wall) and this process's CPU time."""

    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]


def timed_rounds(all_cases: list[Case], rounds: int, warmup: int = 3) -> Samples:
    """Every case `rounds` times, interleaved: each round visits every case, starting one
    further along, so a slow moment of the machine lands on every case alike.
    """
    for case in all_cases:
        check(case)
        for _ in range(warmup):
            fetch(case)
    samples = Samples({c.name: [] for c in all_cases}, {c.name: [] for c in all_cases})
    wall, cpu = time.perf_counter, time.process_time
    n = len(all_cases)
    gc.collect()
    for r in range(rounds):
        for i in range(n):
            case = all_cases[(r + i) % n]
            if case.prepare:
                case.prepare()
            w0, c0 = wall(), cpu()
            fetch(case)
            c1, w1 = cpu(), wall()
            samples.wall[case.name].append((w1 - w0) * 1000)
            samples.cpu[case.name].append((c1 - c0) * 1000)
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in samples.items()}


# --- the CSV export ------------------------------------------------------------------------------


def export_url(query: str = "") -> str:
    url = reverse("tasks:export")
    return f"{url}?{query}" if query else url


def consume_export(client: Client, url: str, on_chunk=None) -> int:
    """Read the whole streamed export; returns its rows (header excluded)."""
    response = client.get(url)
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"bench: the export answered {response.status_code}")
    lines = 0
    for chunk in response.streaming_content:
        # The writer ends rows with \r\n; names in the seed have no \r\n of their own.
        lines += chunk.count(b"\r\n")
        if on_chunk is not None:
            on_chunk()
    return lines - 1


def rss_bytes() -> int:
    """Resident memory now (Linux), or the peak so far elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def export_figures(client: Client, url: str, repeats: int) -> dict:
    """The full export: its rows, the resident memory it added at its peak (MB), the wall and
    CPU seconds of each of `repeats` runs, and its queries.

    run.py calls this in a fresh process, as a web worker would serve it: memory freed by the
    seeding or by other cases could otherwise hide the export's growth, and a heap left large
    by seeding slows every allocation. A small export first loads the code and the caches.
    """
    consume_export(client, f"{url}{'&' if '?' in url else '?'}state=needs_attention")
    gc.collect()
    baseline = peak = rss_bytes()

    def sample() -> None:
        nonlocal peak
        peak = max(peak, rss_bytes())

    rows, wall, cpu = 0, [], []
    for i in range(max(repeats, 1)):
        w0, c0 = time.perf_counter(), time.process_time()
        rows = consume_export(client, url, on_chunk=sample if i == 0 else None)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        sample()
    queries = query_count(lambda: consume_export(client, url))
    return {"rows": rows, "mb": (peak - baseline) / 2**20, "wall": wall, "cpu": cpu,
            "queries": queries}  # fmt: skip
