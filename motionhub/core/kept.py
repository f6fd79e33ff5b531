"""What the hot pages keep between requests (markup, boards, compiled queries), per process.

Each kept value is keyed by everything it depends on, so dropping any of them is always safe:
the next request builds it again. `Kept` bounds the memory that takes by emptying itself when
full, which costs nothing on a hit (a plain dict lookup), unlike an LRU's bookkeeping.
"""

from __future__ import annotations

from typing import Any


class Kept(dict):
    """A dict that empties itself once it holds `size` entries."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: Any, value: Any) -> Any:
        """Keep `value` for `key` and hand it back."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
