"""The space used in storage by uploaded inputs and by kept results: one read of two small rows
(archive.SpaceUsed), kept current as results are kept and measured daily by the retention job,
so the home page never walks the storage nor adds up the files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motionhub.archive.models import SpaceUsed
from motionhub.dashboard.sql import aware, columns, fetch, q


@dataclass(frozen=True)
class Space:
    label: str
    bytes: int
    files: int
    measured_at: datetime | None
    # Kept results are counted as they come and go; inputs only when the daily job measures.
    live: bool = False


LABELS = {SpaceUsed.INPUTS: "Uploaded inputs", SpaceUsed.RESULTS: "Kept results"}


def space_used() -> list[Space]:
    rows = {
        kind: (size, files, aware(at))
        for kind, size, files, at in fetch(
            f"SELECT {columns(SpaceUsed, ('kind', 'bytes', 'files', 'measured_at'))} "  # noqa: S608
            f"FROM {q(SpaceUsed._meta.db_table)}"
        )
    }
    return [
        Space(label, *rows.get(kind, (0, 0, None)), live=kind == SpaceUsed.RESULTS)
        for kind, label in LABELS.items()
    ]
