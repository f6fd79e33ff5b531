"""What the hot pages keep is bounded: the store empties itself when full, and rebuilds."""

from __future__ import annotations

from motionhub.core.kept import Kept


def test_it_hands_back_what_it_keeps_and_empties_itself_once_full():
    kept = Kept(2)

    assert kept.keep("a", 1) == 1
    kept.keep("b", 2)
    assert kept == {"a": 1, "b": 2}
    kept.keep("c", 3)  # full: the older entries go, the new one stays

    assert kept == {"c": 3}
