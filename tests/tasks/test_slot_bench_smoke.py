"""`bench/slots.py`: its arithmetic on a known schedule, and the whole run at a tiny scale, so the
script cannot rot. Nothing here is timed; the figures' targets are the bench's, not the suite's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench import slots

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_figures_of_a_known_schedule():
    # maxJobs 1 and 2, tasks of 10 s; "a" hands over after 1 s, "b" after 0 s and 2 s.
    starts = {"a": [at(0), at(11)], "b": [at(0), at(0), at(10), at(12)]}

    figures = slots.slot_figures(starts, {"a": 1, "b": 2}, 10)

    assert figures["backlog_s"] == 12.0
    # Busy while the backlog lasts (0 to 12 s): a 10 + 1 of 12, b 10 + 10 + 2 + 0 of 24.
    assert figures["slot_utilisation"] == round((11 + 22) / 36, 4)
    assert figures["over_cap"] == 0
    # Slots freed before the last create (at 12): a at 10 → 11; b at 10 → 10, at 10 → 12.
    assert figures["dispatch_latency_p50_ms"] == 1000.0


def test_more_running_than_max_jobs_is_counted():
    starts = {"a": [at(0), at(1), at(2)]}

    assert slots.slot_figures(starts, {"a": 2}, 10)["over_cap"] == 1


@pytest.mark.slow  # starts gunicorn and two qclusters: about 25 s
def test_the_slot_bench_runs_the_real_topology_at_a_tiny_scale(tmp_path):
    args = slots.parse(["--tasks", "5", "--seconds", "1", "--max-jobs", "1,1,1",
                        "--modes", "polling", "--dir", str(tmp_path)])  # fmt: skip

    figures = slots.run_modes(args)

    assert figures["slot_tasks"] == 5 and figures["slot_max_jobs"] == "1/1/1"
    assert figures["succeeded"] == 5 and figures["over_cap"] == 0
    assert 0 < figures["slot_utilisation"] <= 1
    assert figures["dispatch_latency_p50_ms"] > 0
