"""The bench's archive figure on a small file, so the script cannot rot; and its flags."""

from __future__ import annotations

from bench import archive, run
from motionhub.archive.models import KeptFile


def test_the_archive_figure_keeps_a_file_and_rolls_everything_back(db):
    figures = archive.archive_figures(size_mb=3)

    assert figures["archive_mb"] == 3.0
    assert 0 <= figures["archive_rss_mb"] < 32
    assert not KeptFile.objects.exists()  # rolled back


def test_the_archive_figure_can_be_run_alone_or_skipped():
    assert run.parse(["--only-archive"]).only_archive
    assert not run.parse(["--no-archive"]).archive
    assert run.parse([]).archive
