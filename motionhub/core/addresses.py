"""Addresses that never change while the process runs, reversed once.

`reverse()` walks the URL resolver each time (about 20 µs); the pages read on every load and
every poll reverse the same few fixed addresses several times each (`make bench`:
history_vs_bare, home_vs_bare), so those are kept, per script prefix.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse


def fixed(name: str, *args: object) -> str:
    """reverse(name, args=args), kept: for addresses whose arguments are constants."""
    return _fixed(name, args, get_script_prefix())


@lru_cache(maxsize=256)
def _fixed(name: str, args: tuple, _prefix: str) -> str:
    return reverse(name, args=args)
