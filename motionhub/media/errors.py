"""What every media check shares: the refusal a person reads, and file sizes in words."""

from __future__ import annotations

import math
from pathlib import Path

MiB = 1024 * 1024


class MediaError(Exception):
    """A refused upload; `message` is meant to be shown to the person as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise MediaError("The uploaded file could not be read; upload it again.") from exc


def megabytes(size: int) -> str:
    # Rounded up to 0.1 MB so a file just over the limit never reads as "100 MB".
    tenths = math.ceil(size * 10 / MiB)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"
