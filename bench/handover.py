#!/usr/bin/env python
"""Where a slot hand-over's time goes, from a finished slot bench run's own database.

    .venv/bin/python bench/handover.py var/bench/slots-polling --seconds 10

Each hand-over is paired as the bench pairs them (a slot freeing upstream on an account → the
next create call there) and split, from the task timelines and the sandbox's records, into:

- read    the slot freeing upstream → the final reading recorded (poll or confirmed callback)
- claim   → the next task claimed its slot (queued → uploading)
- video   → its video uploaded (includes a submission job's broker hop, when it had one)
- cover   → its cover uploaded
- send    → moved to submitting (the create call is sent next)
- create  → the sandbox created the upstream task

`--each` prints every hand-over too. Segments can be negative when the next task was claimed
before the reading that freed the slot was recorded (another slot of the account freed first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = ("read", "claim", "video", "cover", "send", "create", "total")


def setup(folder: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="motionhub.settings",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MOTIONHUB_SANDBOX="1",
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def hand_overs(seconds: float) -> list[dict]:
    from motionhub.sandbox.models import Task as SandboxTask
    from motionhub.tasks.models import FINAL, MotionTask, TaskEvent

    run = timedelta(seconds=seconds)
    ours = {m.upstream_task_id: m.pk for m in MotionTask.objects.exclude(upstream_task_id=None)}
    events = defaultdict(list)
    for event in TaskEvent.objects.order_by("at", "id"):
        events[event.task_id].append(event)

    def first(task_id: int, test):
        return next((e for e in events[task_id] if test(e)), None)

    by_account = defaultdict(list)
    for task in SandboxTask.objects.select_related("account").order_by("created", "id"):
        by_account[task.account.email].append(task)
    every = [t.created for tasks in by_account.values() for t in tasks]
    if not every:
        return []
    end = max(every)
    rows = []
    for tasks in by_account.values():
        later = iter(tasks)
        following = next(later, None)
        for freeing in tasks:  # all take the same time: they end in the order they started
            freed = freeing.created + run
            if freed >= end:
                break
            while following is not None and following.created < freed:
                following = next(later, None)
            if following is None or freeing.id not in ours or following.id not in ours:
                break
            done = first(
                ours[freeing.id], lambda e: e.to_state in FINAL and e.from_state != e.to_state
            )
            mine = ours[following.id]
            moments = [
                freed,
                done.at if done else None,
                _at(first(mine, lambda e: e.from_state == "queued" and e.to_state == "uploading")),
                _at(first(mine, lambda e: "Uploaded the video" in e.detail)),
                _at(first(mine, lambda e: "Uploaded the cover" in e.detail)),
                _at(first(mine, lambda e: e.to_state == "submitting")),
                following.created,
            ]
            row = {
                name: (b - a).total_seconds() if a and b else None
                for name, a, b in zip(SEGMENTS, moments, moments[1:], strict=False)
            }
            row["total"] = (following.created - freed).total_seconds()
            row["by"] = done.source if done else ""
            rows.append(row)
            following = next(later, None)
    return rows


def _at(event):
    return event.at if event else None


def summary(rows: list[dict]) -> list[str]:
    sources = sorted(_count(r["by"] for r in rows).items())
    lines = [
        f"{len(rows)} hand-overs; final reading by: " + ", ".join(f"{k} {v}" for k, v in sources)
    ]
    for name in SEGMENTS:
        values = sorted(r[name] for r in rows if r[name] is not None)
        if not values:
            continue
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        lines.append(f"{name:7s} p50 {statistics.median(values):6.3f} s  p90 {p90:6.3f} s  "
                     f"max {values[-1]:6.3f} s")  # fmt: skip
    return lines


def _count(values) -> dict:
    counts: dict = defaultdict(int)
    for value in values:
        counts[value or "?"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a slot bench mode's folder, e.g. var/bench/slots-polling")
    parser.add_argument("--seconds", type=float, default=10.0, help="the run's task time")
    parser.add_argument("--each", action="store_true", help="print every hand-over too")
    args = parser.parse_args(argv)
    setup(Path(args.folder))
    rows = hand_overs(args.seconds)
    if args.each:
        for row in rows:
            print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})
    print("\n".join(summary(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
