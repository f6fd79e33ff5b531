"""`make bench` on a tiny dataset, so the script cannot rot. Nothing here is timed."""

from __future__ import annotations

import pytest

from bench import run, seed
from motionhub.dashboard import figures as dashboard
from motionhub.tasks.models import MotionTask, TaskDayCount, TaskEvent


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"


def test_the_bench_seeds_then_reuses_its_rows(db):
    first = seed.seed(tasks=200, accounts=3, events_per_task=5, batch=64)

    assert not first.reused
    assert MotionTask.objects.count() == 200 and TaskEvent.objects.count() == 1000
    assert MotionTask.objects.values("account").distinct().count() <= 4  # 3 + automatic
    assert seed.seed(tasks=200, accounts=3, events_per_task=5).reused


def test_the_bench_seed_counts_its_tasks_per_day_as_the_upgrade_does(db):
    seed.seed(tasks=200, accounts=3, events_per_task=5, batch=64)
    seeded = {row.day: row for row in TaskDayCount.objects.all()}
    TaskDayCount.objects.all().delete()  # as a database seeded before the counts existed

    assert seed.seed(tasks=200, accounts=3, events_per_task=5).reused
    assert {row.day: row for row in TaskDayCount.objects.all()}.keys() == seeded.keys()
    total = sum(sum(getattr(r, o) for o in TaskDayCount.OUTCOMES) for r in seeded.values())
    assert total == 200
    today = max(seeded)
    assert dashboard.per_day(today)[today] == {
        o: getattr(seeded[today], o) for o in TaskDayCount.OUTCOMES if getattr(seeded[today], o)
    }


def test_the_bench_measures_every_case_and_prints_the_target_figures(db, bench_urls):
    seed.seed(tasks=200, accounts=3, events_per_task=5)
    args = run.parse(["--rounds", "2", "--warmup", "0", "--csv-repeats", "1", "--deep-row", "100"])

    figures = run.measure_all(args, memory_in_child=False)

    for case in (
        "bare",
        "poll",
        "history",
        "history_filtered",
        "history_deep",
        "admin",
        "home",
        "home_changed",
        "batch_poll",
        "batch_poll_changed",
    ):
        assert figures[f"{case}_ms"] > 0 and figures[f"{case}_queries"] > 0
    assert figures["csv_rows"] == 200
    # The same few queries for the first page, a deep one, and the export of every row.
    assert figures["history_queries"] == figures["history_deep_queries"]
    assert figures["csv_queries"] <= figures["history_queries"]
    assert list(figures)[-len(run.TARGETS) :] == [name for name, _target, _kind in run.TARGETS]
    assert figures["home_vs_bare"] > 0


def test_the_batch_figures_accept_a_run_and_stream_its_zip(db, bench_urls, alice, tmp_path):
    from bench import batches, measure

    client = measure.signed_in(alice)

    accepted = batches.accept_figures(client, repeats=1, size=3)
    zipped = batches.zip_figures(client, size=3, size_mb=0.01)

    assert accepted["accept_3_vs_1"] > 0 and accepted["accept_per_clip_ms"] > 0
    assert zipped["zip_mb"] > 0.03 and zipped["zip_rss_mb"] >= 0
    assert not MotionTask.objects.exists()  # everything made was rolled back
